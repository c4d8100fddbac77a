import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useSim } from '../channel-sim/support.ts';
import { randomPhone } from '../iam/support.ts';
import { createOrder, merchantWithWebhooks, originationCounts } from '../loans/support.ts';
import { idNumberBornOn } from '../risk/support.ts';
import { http } from '../support/server.ts';
import {
  demoCode,
  expectNoConsoleErrors,
  expectNoHorizontalScroll,
  goodCard,
  settled,
  storedTokens,
  useH5,
} from './support.ts';

// A new borrower on a phone whose H5 is in English, through the H5 only: every invalid step on the
// way — a wrong sign-in code, a wrong ID check character, a card the bank refuses (a failed
// element), a wrong card SMS code, an order over the line — shows its message in English, exactly
// the en locale's words (read from packages/h5/src/locales/en, so the test follows the
// translations), and writes nothing. Then the same page, switched to 中文 on the me page, shows the
// same refusal in Chinese.

const sim = useSim();
const h5 = useH5({ sim, env: { DEMO_SHOW_CODES: 'true' } });

const localesDir = resolve(import.meta.dirname, '../../../h5/src/locales');
type Strings = Record<string, unknown>;

/** The H5's strings of one namespace in one language (src/locales/<language>/<namespace>.json). */
function strings(language: 'en' | 'zh-CN', namespace: string): (key: string) => string {
  const file = JSON.parse(
    readFileSync(resolve(localesDir, language, `${namespace}.json`), 'utf8'),
  ) as Strings;
  return (key) => {
    let value: unknown = file;
    for (const part of key.split('.')) value = (value as Strings | undefined)?.[part];
    if (typeof value !== 'string') throw new Error(`no string ${language}/${namespace}:${key}`);
    return value;
  };
}

const en = {
  common: strings('en', 'common'),
  auth: strings('en', 'auth'),
  onboarding: strings('en', 'onboarding'),
  credit: strings('en', 'credit'),
  checkout: strings('en', 'checkout'),
  me: strings('en', 'me'),
};
const zh = { checkout: strings('zh-CN', 'checkout'), me: strings('zh-CN', 'me') };

/** A string with its {{placeholders}} filled in, as i18next fills them (escapeValue off). */
function filled(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {{${name}}} in "${template}"`);
    return value;
  });
}

/** Minor units as the H5 writes them: "51,000.00" (written here independently of the H5). */
function yuan(minor: string | bigint): string {
  const value = BigInt(minor);
  const units = (value / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${units}.${(value % 100n).toString().padStart(2, '0')}`;
}

type Table =
  | 'borrowers'
  | 'borrower_sessions'
  | 'customers'
  | 'customer_consents'
  | 'payment_card_agreements'
  | 'customer_card_agreements'
  | 'payment_card_bindings';

/** Row counts of the tables a step writes when it succeeds. */
async function counts(...tables: Table[]): Promise<Record<string, number>> {
  const result: Record<string, number> = {};
  for (const table of tables) {
    const row = await h5.database.tables
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    result[table] = Number(row.n);
  }
  return result;
}

/** Everything the page shows as an alert (field errors and problems), in page order. */
const alerts = (page: Page) => page.locator('[role="alert"]').allTextContents();

/** The H5's API as the page's borrower (the tokens read at each call: the H5 may refresh them). */
async function asPage(page: Page, method: 'GET' | 'POST', path: string, body?: unknown) {
  return http(h5.server.baseUrl, method, path, {
    ...(body === undefined ? {} : { body }),
    headers: {
      authorization: `Bearer ${(await storedTokens(page))?.accessToken}`,
      ...(method === 'POST' ? { 'idempotency-key': randomUUID() } : {}),
    },
  });
}

describe('H5 in English', () => {
  it('refuses each invalid step with its English message and writes nothing, and says the same in Chinese', async () => {
    const tab = await h5.open({ locale: 'en' });
    const { page } = tab;

    // The H5 speaks 中文 until English is chosen (remembered under fenqi.h5.lang): chosen here
    // before signing in, as a borrower who picked it before would have it.
    await page.goto(tab.url('/login'));
    await page.evaluate(`window.localStorage.setItem('fenqi.h5.lang', 'en')`);
    await page.reload();
    await page.getByRole('heading', { name: en.auth('title'), exact: true }).waitFor();
    expect(await page.evaluate('document.documentElement.lang')).toBe('en');

    // Sign-in, with a wrong code first: it is said on the field, and no account or session is made.
    await page.getByLabel(en.auth('phone')).fill(randomPhone());
    await page.getByRole('button', { name: en.auth('sendCode'), exact: true }).click();
    const code = await demoCode(page);
    expect(await page.getByTestId('demo-code').textContent()).toBe(filled(en.common('demoCode'), { code }));
    const signInBefore = await counts('borrowers', 'borrower_sessions');
    await page.getByLabel(en.auth('code'), { exact: true }).fill(code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: en.auth('signIn'), exact: true }).click();
    await settled(() => page.getByTestId('code-error').textContent()).toBe(en.auth('codeWrong'));
    expect(await alerts(page)).toEqual([en.auth('codeWrong')]);
    expect(await counts('borrowers', 'borrower_sessions')).toEqual(signInBefore);
    expect(await storedTokens(page)).toBeUndefined();
    await expectNoHorizontalScroll(page);
    await page.getByLabel(en.auth('code'), { exact: true }).fill(code);
    await page.getByRole('button', { name: en.auth('signIn'), exact: true }).click();
    await page.waitForURL(/\/h5\/onboarding\/real-name/);

    // Real name: a wrong check character is said while typing, and nothing can be sent.
    await page.getByRole('heading', { name: en.onboarding('realName.title'), exact: true }).waitFor();
    const idNumber = idNumberBornOn('1991-06-15');
    const wrongLast = idNumber.endsWith('1') ? '2' : '1';
    const realNameBefore = await counts('customers');
    await page.getByLabel(en.onboarding('realName.name')).fill('王小明');
    const idInput = page.getByLabel(en.onboarding('realName.idNumber'));
    await idInput.pressSequentially(`${idNumber.slice(0, 17)}${wrongLast}`);
    await settled(() => page.getByTestId('idNumber-error').textContent()).toBe(
      en.onboarding('realName.idProblems.check_character'),
    );
    expect(await alerts(page)).toEqual([en.onboarding('realName.idProblems.check_character')]);
    const verify = page.getByRole('button', { name: en.onboarding('realName.submit'), exact: true });
    expect(await verify.isDisabled()).toBe(true);
    await page.keyboard.press('Enter');
    expect(await counts('customers')).toEqual(realNameBefore);
    await expectNoHorizontalScroll(page);
    // Corrected, the error goes and the register verifies the name.
    await idInput.press('Backspace');
    await idInput.pressSequentially(idNumber.slice(17));
    await settled(() => page.getByTestId('idNumber-error').count()).toBe(0);
    await verify.click();
    await page.waitForURL(/\/h5\/onboarding\/agreements/);
    expect(await counts('customers')).toEqual({ customers: (realNameBefore.customers ?? 0) + 1 });

    // Agreements, accepted together.
    await page.getByTestId('agreements-read').click();
    await page.getByRole('button', { name: en.onboarding('agreements.accept'), exact: true }).click();
    await page.waitForURL(/\/h5\/onboarding\/card/);

    // A card the bank refuses (the holder's name does not match: the simulator's card ending
    // 0345): the element that failed is named, and nothing is bound. (The card itself is
    // registered on the profile before the bank checks it, as on every binding: bank_cards.)
    const cardTables = ['payment_card_agreements', 'customer_card_agreements'] as const;
    const cardBefore = await counts(...cardTables);
    const bindingsBefore = await counts('payment_card_bindings');
    const cardNumber = page.getByLabel(en.onboarding('card.cardNumber'));
    await cardNumber.fill('6222020000000345');
    await page.getByRole('button', { name: en.onboarding('card.sendSms'), exact: true }).click();
    await settled(() => page.getByTestId('problem').textContent()).toBe(en.onboarding('card.refused.name'));
    expect(await alerts(page)).toEqual([en.onboarding('card.refused.name')]);
    expect(await counts(...cardTables)).toEqual(cardBefore);
    expect(await counts('payment_card_bindings')).toEqual(bindingsBefore);
    expect(((await asPage(page, 'GET', '/api/v1/borrower/card-agreements')).json as unknown[]).length).toBe(
      0,
    );
    await expectNoHorizontalScroll(page);

    // Another card: the bank texts a code (the demo shows it); a wrong code binds nothing.
    await cardNumber.fill(goodCard());
    await page.getByRole('button', { name: en.onboarding('card.sendSms'), exact: true }).click();
    const smsCode = await demoCode(page);
    const bindings = () =>
      h5.database.tables.selectFrom('payment_card_bindings').selectAll().orderBy('id').execute();
    const pending = await bindings();
    expect(pending.map((binding) => binding.status)).toEqual(['sms_sent']);
    const smsInput = page.getByLabel(en.onboarding('card.smsCode'), { exact: true });
    await smsInput.fill(smsCode === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: en.onboarding('card.confirm'), exact: true }).click();
    await settled(() => page.getByTestId('smsCode-error').textContent()).toBe(
      en.onboarding('card.refused.smsCode'),
    );
    // Said on the field, and (as in 中文) the bank's refusal in general below the form.
    expect(await alerts(page)).toEqual([
      en.onboarding('card.refused.smsCode'),
      en.common('problems.card_binding_rejected'),
    ]);
    expect(await counts(...cardTables)).toEqual(cardBefore);
    expect(await bindings()).toEqual(pending);
    expect(((await asPage(page, 'GET', '/api/v1/borrower/card-agreements')).json as unknown[]).length).toBe(
      0,
    );
    await expectNoHorizontalScroll(page);
    // The right code binds the card.
    await smsInput.fill(smsCode);
    await page.getByRole('button', { name: en.onboarding('card.confirm'), exact: true }).click();
    await page.waitForURL(/\/h5\/credit\/apply/);

    // The line: age 35 with a bound card is grade A (testPolicy), approved at once.
    await page.getByRole('button', { name: en.credit('apply.submit'), exact: true }).click();
    await page.getByTestId('outcome-approved').waitFor();
    const lines = async () =>
      ((await asPage(page, 'GET', '/api/v1/borrower/credit-lines')).json as { availableMinor: string }[]).map(
        (line) => line.availableMinor,
      );
    const availableBefore = await lines();
    expect(availableBefore).toEqual(['5000000']);
    const available = availableBefore[0] ?? '0';

    // An order over the line, from the merchant's link: refused on the page, no loan.
    const merchant = await merchantWithWebhooks(h5.world);
    const amount = BigInt(available) + 100_000n;
    const order = await createOrder(h5.world, merchant, amount);
    const originationBefore = await originationCounts(h5.database.db);
    const checkoutPath = new URL(order.checkoutUrl).pathname.replace(/^\/h5/, '');
    const overLine = async (template: string) => {
      const message = filled(template, { amount: yuan(amount), available: yuan(available) });
      await page.goto(tab.url(checkoutPath));
      await settled(() => page.getByTestId('over-line').textContent()).toBe(message);
      await page.getByTestId('quote').waitFor();
      expect(await alerts(page)).toEqual([message]);
      await page.getByTestId('contract-read').click();
      expect(await page.getByTestId('accept').isDisabled()).toBe(true);
      expect(await page.getByTestId('available').textContent()).toBe(`¥${yuan(available)}`);
      await expectNoHorizontalScroll(page);
    };
    await overLine(en.checkout('overLine'));
    // The server refuses it too; nothing of an origination is written and the line is as it was.
    const refused = await asPage(page, 'POST', `/api/v1/borrower/checkout/${order.checkoutToken}/accept`, {
      termCount: 12,
    });
    expect(refused.json).toMatchObject({ status: 422, code: 'credit_insufficient_available' });
    expect(await originationCounts(h5.database.db)).toEqual(originationBefore);
    expect(await lines()).toEqual(availableBefore);

    // The same page in 中文 (chosen on the me page): the same refusal, in Chinese.
    await page.goto(tab.url('/me'));
    await page.getByRole('heading', { name: en.me('title'), exact: true }).waitFor();
    await page.getByText(en.me('languages.zh-CN'), { exact: true }).click();
    await page.getByRole('heading', { name: zh.me('title'), exact: true }).waitFor();
    expect(await page.evaluate(`window.localStorage.getItem('fenqi.h5.lang')`)).toBe('zh-CN');
    await overLine(zh.checkout('overLine'));
    expect(await originationCounts(h5.database.db)).toEqual(originationBefore);
    expect(await lines()).toEqual(availableBefore);
    expectNoConsoleErrors(tab);
  });
});
