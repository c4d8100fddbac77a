import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { createStaff, type StaffUser, signIn } from '../iam/support.ts';
import { type OnboardedMerchant, onboardMerchant, socialCreditCode } from '../merchants/support.ts';
import { expectNoConsoleErrors, signInThroughConsole, useConsole } from './support.ts';

// The merchants pages on merchants onboarded through the API (registered with a settlement account
// and a product, activated, given an API key): the list filtered on the server, the detail with
// the account masked, the account in clear with a reason (audited), a suspension with a reason, and
// a registration through the form.

const fixture = useConsole();
let merchant: OnboardedMerchant;
let other: OnboardedMerchant;
let staff: StaffUser;

beforeAll(async () => {
  const { database, server } = fixture;
  const admin = await signIn(
    database.db,
    server.config,
    await createStaff(database.db, server.config, ['admin']),
  );
  merchant = await onboardMerchant(server, admin, { name: '乐学教育', discountRate: '0.035' });
  other = await onboardMerchant(server, admin, { name: '远方旅行社', scenario: 'travel', discountRate: '0' });
  // Operators manage merchants; finance may see a settlement account in clear.
  staff = await createStaff(database.db, server.config, ['operator', 'finance']);
});

describe('the merchants pages', () => {
  it('list, filter and open a merchant; unmask its account and suspend it with reasons', async () => {
    const tab = await fixture.open();
    const { page } = tab;
    await signInThroughConsole(fixture.database.db, tab, staff, '/merchants');
    const table = page.getByTestId('merchants-table');
    await table.getByRole('link', { name: '乐学教育', exact: true }).waitFor();
    expect(await table.textContent()).toContain('远方旅行社');
    const masked = String(merchant.merchant.settlementAccountMasked);
    expect(masked).toMatch(/^\d{6}\*+\d{4}$/);
    expect(await table.textContent()).toContain(masked);

    // The scenario filter is applied by the server and kept in the URL.
    await page.getByTestId('filter-scenario').click();
    await page.getByTitle('旅游').click();
    await page.getByTestId('filter-submit').click();
    await page.waitForURL(/scenario=travel/);
    await table.getByRole('link', { name: '乐学教育', exact: true }).waitFor({ state: 'detached' });
    expect(await table.locator('tbody tr.ant-table-row').count()).toBe(1);
    expect(await table.textContent()).toContain('远方旅行社');
    await page.goto(tab.url('/merchants'));

    // The detail.
    await table.getByRole('link', { name: '乐学教育', exact: true }).click();
    await page.waitForURL(`**/console/merchants/${merchant.merchantId}`);
    await page.getByTestId('merchant-scenario').waitFor();
    expect(await page.getByTestId('merchant-scenario').textContent()).toBe('教育');
    expect(await page.getByTestId('merchant-discount').textContent()).toBe('3.5%');
    expect(await page.getByTestId('merchant-status').textContent()).toBe('已启用');
    expect(await page.getByTestId('account-number').textContent()).toBe(masked);
    expect(await page.getByTestId('status-history').textContent()).toContain('contract signed');

    // The account in clear, with a reason.
    await page.getByTestId('unmask-account').click();
    await page.getByTestId('unmask-account-reason').fill('核对结算打款失败');
    await page.getByRole('button', { name: '确认查看' }).click();
    await page
      .getByTestId('account-number')
      .getByText(/^\d{8,32}$/)
      .waitFor();
    const clear = await page.getByTestId('account-number').textContent();
    expect(clear?.slice(0, 6)).toBe(masked.slice(0, 6));
    expect(clear?.slice(-4)).toBe(masked.slice(-4));
    const audit = await sql<{ actor_id: string; reason: string }>`
      SELECT actor_id, details->>'reason' AS reason FROM audit_log
      WHERE action = 'merchants.settlement-account-unmasked' AND subject_id = ${merchant.merchantId}`.execute(
      fixture.database.db,
    );
    expect(audit.rows).toEqual([{ actor_id: staff.id, reason: '核对结算打款失败' }]);

    // Suspend with a reason: the status and the history follow.
    await page.getByTestId('merchant-suspend').click();
    await page.getByTestId('status-reason').fill('投诉调查中');
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /暂\s*停/ })
      .click();
    await page.getByTestId('merchant-reinstate').waitFor();
    expect(await page.getByTestId('merchant-status').textContent()).toBe('已暂停');
    expect(await page.getByTestId('status-history').textContent()).toContain('投诉调查中');
    const status = await sql<{ status: string }>`
      SELECT status FROM merchants WHERE id = ${merchant.merchantId}`.execute(fixture.database.db);
    expect(status.rows[0]?.status).toBe('suspended');
    expectNoConsoleErrors(tab);
    await tab.close();
  });

  it('registers a merchant through the form, with the server’s field errors on the fields', async () => {
    const tab = await fixture.open();
    const { page } = tab;
    await signInThroughConsole(fixture.database.db, tab, staff, '/merchants');
    await page.getByTestId('create-merchant').click();
    const form = page.getByTestId('merchant-form');
    await form.waitFor();
    await page.getByTestId('form-name').fill('城南数码');
    await page.getByTestId('form-legal-name').fill('深圳市城南数码科技有限公司');
    await page.getByTestId('form-scenario').click();
    await page.getByTitle('3C数码').click();
    // A code of the right form whose check character is wrong: the API says so on the field.
    const code = socialCreditCode();
    const wrong = `${code.slice(0, 17)}${code.at(-1) === '1' ? '2' : '1'}`;
    await page.getByTestId('form-code').fill(wrong);
    await page.getByTestId('form-discount-rate').fill('0.02');
    await page.getByTestId('form-account-name').fill('深圳市城南数码科技有限公司');
    await page.getByTestId('form-account-no').fill('6222 0212 3456 7890 123');
    await page.getByTestId('form-account-bank').fill('工商银行深圳分行');
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await form.locator('.ant-form-item-explain-error').first().waitFor();
    expect(await form.textContent()).toMatch(/check character/);
    await page.getByTestId('form-code').fill(code);
    await page.getByRole('button', { name: /保\s*存/ }).click();
    await page.waitForURL(/\/console\/merchants\/[0-9a-f-]{36}$/);
    await page.getByTestId('merchant-status').getByText('入驻中').waitFor();
    expect(await page.getByTestId('merchant-name').textContent()).toBe('城南数码');
    expect(await page.getByTestId('account-number').textContent()).toBe('622202*********0123');
    expect(await page.getByTestId('merchant-discount').textContent()).toBe('2%');
    // It has no product yet: activation is refused and the page says why.
    await page.getByTestId('merchant-activate').click();
    await page.getByTestId('status-reason').fill('资料齐全');
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /启\s*用/ })
      .click();
    await page.getByRole('dialog').getByRole('alert').waitFor();
    expect(await page.getByTestId('merchant-status').textContent()).toBe('入驻中');
    expect(other.merchantId).not.toBe(merchant.merchantId);
    expectNoConsoleErrors(tab);
    await tab.close();
  });
});
