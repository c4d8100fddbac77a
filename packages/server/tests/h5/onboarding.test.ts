import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useSim } from '../channel-sim/support.ts';
import { randomPhone } from '../iam/support.ts';
import { applicant, apply, idNumberBornOn } from '../risk/support.ts';
import { http } from '../support/server.ts';
import {
  demoCode,
  expectNoConsoleErrors,
  expectNoHorizontalScroll,
  goodCard,
  screenshot,
  settled,
  signInWithOtp,
  signInWithTokens,
  storedTokens,
  useH5,
} from './support.ts';

// A new borrower on a phone, through the H5 only: sign-in with the one-time code (the demo shows
// it: DEMO_SHOW_CODES), real name, agreements, card binding with the channel's SMS code, and the
// credit application with its outcome. The invalid steps on the way — a wrong ID check character
// (shown while typing), a card the bank refuses, a wrong SMS code — show their message and write
// nothing.

const sim = useSim();
const h5 = useH5({ sim, env: { DEMO_SHOW_CODES: 'true' } });

const count = async (table: 'customers' | 'payment_card_agreements' | 'customer_consents') =>
  Number(
    (
      await h5.database.tables
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

/** The tokens the H5 keeps, to ask the API what the page should show. */
async function apiAs(page: Page) {
  // Read at each call: the H5 may have refreshed them meanwhile.
  return async (path: string) =>
    http(h5.server.baseUrl, 'GET', path, {
      headers: { authorization: `Bearer ${(await storedTokens(page))?.accessToken}` },
    });
}

describe('H5 onboarding of a new borrower', () => {
  it('signs in with the code, passes real name, agreements, card binding and credit, refusing the invalid steps', async () => {
    const tab = await h5.open();
    const { page } = tab;

    // Sign-in: the demo shows the code the development SMS adapter "sent".
    await page.goto(tab.url('/login'));
    await page.getByLabel('手机号').fill(randomPhone());
    await page.getByRole('button', { name: '获取验证码' }).click();
    const code = await demoCode(page);
    await page.getByLabel('验证码').fill(code);
    await expectNoHorizontalScroll(page);
    await screenshot(page, 'h5-sign-up');
    await page.getByRole('button', { name: '登录' }).click();
    await page.waitForURL(/\/h5\/onboarding\/real-name/);

    // Real name: a wrong check character is said while typing, and nothing can be sent.
    const idNumber = idNumberBornOn('1991-06-15');
    const wrongLast = idNumber.endsWith('1') ? '2' : '1';
    const customersBefore = await count('customers');
    await page.getByLabel('真实姓名').fill('王小明');
    const idInput = page.getByLabel('身份证号');
    await idInput.pressSequentially(`${idNumber.slice(0, 17)}${wrongLast}`);
    await settled(() => page.getByTestId('idNumber-error').textContent()).toBe(
      '身份证号校验码不正确，请检查是否输错了某一位',
    );
    expect(await page.getByRole('button', { name: '提交认证' }).isDisabled()).toBe(true);
    await page.keyboard.press('Enter');
    expect(await count('customers')).toBe(customersBefore);
    // Corrected, the error goes and the register verifies the name.
    await idInput.press('Backspace');
    await idInput.pressSequentially(idNumber.slice(17));
    await settled(() => page.getByTestId('idNumber-error').count()).toBe(0);
    await expectNoHorizontalScroll(page);
    await page.getByRole('button', { name: '提交认证' }).click();
    await page.waitForURL(/\/h5\/onboarding\/agreements/);
    expect(await count('customers')).toBe(customersBefore + 1);
    const get = await apiAs(page);

    // Agreements: each with its version, accepted together.
    const agreements = (await get('/api/v1/borrower/agreements')).json as {
      code: string;
      version: number;
      titleZh: string;
    }[];
    for (const agreement of agreements) {
      const row = page.getByTestId(`agreement-${agreement.code}`);
      await settled(() => row.textContent()).toContain(`《${agreement.titleZh}》 第 ${agreement.version} 版`);
      expect(await row.textContent()).toContain('未同意');
    }
    await page.getByTestId('agreements-read').click();
    await page.getByRole('button', { name: '同意并继续' }).click();
    await page.waitForURL(/\/h5\/onboarding\/card/);
    const accepted = (await get('/api/v1/borrower/agreements')).json as { status: string }[];
    expect(accepted.map((agreement) => agreement.status)).toEqual(agreements.map(() => 'current'));

    // Card binding: a card the bank refuses (the holder's name does not match: the simulator's
    // card ending 0345) is said so and binds nothing.
    const agreementsBefore = await count('payment_card_agreements');
    await page.getByLabel('银行卡号').fill('6222020000000345');
    await page.getByRole('button', { name: '获取短信验证码' }).click();
    await settled(() => page.getByTestId('problem').textContent()).toBe(
      '银行卡验证未通过：持卡人姓名与银行卡不符，请使用本人名下的银行卡。',
    );
    expect(await count('payment_card_agreements')).toBe(agreementsBefore);

    // Another card: the channel texts a code (the demo shows it); a wrong code binds nothing.
    await page.getByLabel('银行卡号').fill(goodCard());
    await page.getByRole('button', { name: '获取短信验证码' }).click();
    const smsCode = await demoCode(page);
    const wrong = smsCode === '000000' ? '111111' : '000000';
    await page.getByLabel('短信验证码').fill(wrong);
    await page.getByRole('button', { name: '确认绑卡' }).click();
    await settled(() => page.getByTestId('smsCode-error').textContent()).toBe(
      '短信验证码错误或已过期，请重新输入',
    );
    expect(await count('payment_card_agreements')).toBe(agreementsBefore);
    expect(((await get('/api/v1/borrower/card-agreements')).json as unknown[]).length).toBe(0);
    await expectNoHorizontalScroll(page);
    // The right code binds the card.
    await page.getByLabel('短信验证码').fill(smsCode);
    await page.getByRole('button', { name: '确认绑卡' }).click();
    await page.waitForURL(/\/h5\/credit\/apply/);
    const cards = (await get('/api/v1/borrower/card-agreements')).json as { status: string }[];
    expect(cards.map((card) => card.status)).toEqual(['active']);

    // The application: age 35 with a bound card is grade A (testPolicy): approved at once.
    await page.getByRole('button', { name: '立即申请' }).click();
    await page.waitForURL(/\/h5\/credit\/applications\//);
    const applicationId = new URL(page.url()).pathname.split('/').at(-1) ?? '';
    const application = (await get(`/api/v1/borrower/credit-applications/${applicationId}`)).json as {
      status: string;
      limitMinor: string;
      decision: { price: { kind: string; rate: string } };
    };
    expect(application).toMatchObject({ status: 'approved', limitMinor: '5000000' });
    expect(application.decision.price).toEqual({ kind: 'annual_rate', rate: '0.1440' });
    const outcome = page.getByTestId('outcome-approved');
    await settled(() => outcome.textContent()).toContain('恭喜，额度已批准');
    expect(await page.getByTestId('limit').textContent()).toBe('¥50,000.00');
    expect(await page.getByTestId('price').textContent()).toBe('年利率 14.40%');
    const lines = (await get('/api/v1/borrower/credit-lines')).json as { availableMinor: string }[];
    expect(lines.map((line) => line.availableMinor)).toEqual(['5000000']);
    await expectNoHorizontalScroll(page);
    expectNoConsoleErrors(tab);
  });

  it('sends a returning borrower to the step they have not done, and on to the link they followed', async () => {
    const tab = await h5.open();
    const phone = randomPhone();
    await signInWithOtp(tab, phone, `/login?next=${encodeURIComponent('/me')}`);
    await tab.page.waitForURL(/\/h5\/onboarding\/real-name\?next=%2Fme/);
    await tab.page.getByLabel('真实姓名').fill('李四');
    await tab.page.getByLabel('身份证号').fill(idNumberBornOn('1990-03-08'));
    await tab.page.getByRole('button', { name: '提交认证' }).click();
    await tab.page.waitForURL(/\/h5\/onboarding\/agreements\?next=%2Fme/);
    await tab.close();

    // Signed in again on another phone (new storage): the profile is found, agreements are next.
    const again = await h5.open();
    await signInWithOtp(again, phone, `/login?next=${encodeURIComponent('/me')}`);
    await again.page.waitForURL(/\/h5\/onboarding\/agreements\?next=%2Fme/);
    await again.page.getByTestId('agreements-read').click();
    await again.page.getByRole('button', { name: '同意并继续' }).click();
    await again.page.waitForURL(/\/h5\/onboarding\/card\?next=%2Fme/);
    expectNoConsoleErrors(again);
  });

  it('says in English what is wrong with a mistyped ID number, and switches language on the me page', async () => {
    const tab = await h5.open({ locale: 'en' });
    await signInWithOtp(tab, randomPhone(), `/login?next=${encodeURIComponent('/me')}`);
    await tab.page.waitForURL(/\/h5\/onboarding\/real-name/);
    await tab.page.goto(tab.url('/me'));
    await tab.page.getByText('English').click();
    await tab.page.getByRole('heading', { name: 'Me' }).waitFor();
    await tab.page.goto(tab.url('/onboarding/real-name'));
    await tab.page.getByLabel('Resident ID number').pressSequentially('11010519910615001A');
    await settled(() => tab.page.getByTestId('idNumber-error').textContent()).toBe(
      'Only digits, with an X allowed as the last character',
    );
    await tab.page.goto(tab.url('/me'));
    await tab.page.getByText('简体中文').click();
    await tab.page.getByRole('heading', { name: '我的' }).waitFor();
    await tab.page.getByRole('button', { name: '退出登录' }).click();
    await tab.page.waitForURL(/\/h5\/login/);
    expect(await storedTokens(tab.page)).toBeUndefined();
    expectNoConsoleErrors(tab);
  });
  it('shows a review as pending, and a rejection with the reason in words', async () => {
    // Age 58: every application goes to manual review (R001); the 31st of a day is rejected (R002).
    const who = await applicant(h5.server, h5.database.db, '1968-03-01');
    const tab = await h5.open();
    await signInWithTokens(tab, who.borrower);
    await tab.page.goto(tab.url('/credit/apply'));
    await tab.page.getByRole('button', { name: '立即申请' }).click();
    await tab.page.getByTestId('outcome-review').waitFor();
    expect(await tab.page.getByTestId('outcome-review').textContent()).toContain('申请审核中');
    for (let earlier = 1; earlier < 30; earlier += 1) {
      const applied = await apply(h5.server, who);
      expect(applied.status, applied.text).toBe(201);
    }
    await tab.page.goto(tab.url('/credit/apply'));
    await tab.page.getByRole('button', { name: '立即申请' }).click();
    await tab.page.getByTestId('outcome-rejected').waitFor();
    const applicationId = new URL(tab.page.url()).pathname.split('/').at(-1) ?? '';
    const answer = await http(
      h5.server.baseUrl,
      'GET',
      `/api/v1/borrower/credit-applications/${applicationId}`,
      {
        headers: who.borrower.headers,
      },
    );
    // Every rule that hit is listed; the review rule is not why it was rejected, and is not shown.
    expect(answer.json).toMatchObject({
      status: 'rejected',
      reasons: ['R001_OLDER_APPLICANT_REVIEW', 'R002_TOO_MANY_APPLICATIONS'],
    });
    expect(await tab.page.getByTestId('reasons').textContent()).toBe(
      '您近期提交的申请次数过多，请稍后再试。',
    );
    await expectNoHorizontalScroll(tab.page);
    expectNoConsoleErrors(tab);
  });
});
