import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSim } from '../channel-sim/support.ts';
import { createStaff, type StaffUser } from '../iam/support.ts';
import {
  acceptedLoanId,
  type Borrower,
  borrowerWithLine,
  createOrder,
  loanInState,
  merchantWithWebhooks,
  startWorld,
  type World,
  withBoundCard,
} from '../loans/support.ts';
import { startOn } from '../servicing/support.ts';
import { expectNoConsoleErrors, signInThroughConsole, useConsole } from './support.ts';

// The customers pages on a customer onboarded through the real API: signed in by SMS, registered
// with a verified real name, the bureau and privacy consents, a credit application approved with a
// 50,000.00 line, a card bound through the channel simulator and a 3,000.00 merchant loan. Staff
// find them by phone and by ID number (masked), open the 360° view, and show the profile in clear
// with a reason — which the audit log then holds with the actor and the reason.

const sim = useSim();
const fixture = useConsole();
let world: World;
let who: Borrower & { cardId: string };
let loanNo: string;
let staff: StaffUser;

const maskPhone = (phone: string) => `${phone.slice(0, 3)}****${phone.slice(-4)}`;
const maskId = (id: string) => `${id.slice(0, 3)}${'*'.repeat(11)}${id.slice(-4)}`;

beforeAll(async () => {
  const { database } = fixture;
  await startOn(database.db, '2026-03-02');
  world = await startWorld(database, sim, { NOTIFICATIONS_PROVIDER: 'disabled' });
  const merchant = await merchantWithWebhooks(world);
  const borrower = await borrowerWithLine(world, database.db);
  who = await withBoundCard(world, database, sim, borrower);
  const order = await createOrder(world, merchant, 300_000n);
  const loanId = await acceptedLoanId(world, who, order.checkoutToken, 3);
  loanNo = (await loanInState(world, loanId, 'active')).loanNo;
  // Reads everything the 360° view shows, may unmask, and reads the audit log.
  staff = await createStaff(database.db, fixture.server.config, ['approver', 'auditor']);
}, 180_000);

afterAll(async () => {
  await world?.stop();
});

describe('the customers pages', () => {
  it('find a customer by phone and ID number, show the 360° view and unmask with a reason (audited)', async () => {
    const tab = await fixture.open();
    const { page } = tab;
    await signInThroughConsole(fixture.database.db, tab, staff, '/customers');
    const phone = who.borrower.phone;

    // By phone: the result is masked.
    await page.getByTestId('search-value').fill(phone);
    await page.getByTestId('search-submit').click();
    const results = page.getByTestId('search-results');
    await results.getByText(maskPhone(phone)).waitFor();
    expect(await results.textContent()).toContain(maskId(who.idNumber));
    expect(await results.textContent()).toContain('王**');
    expect(await results.textContent()).not.toContain(phone);
    expect(page.url()).not.toContain(phone.slice(3));

    // By ID number.
    await page.getByTestId('search-by').click();
    await page.getByTitle('身份证号').click();
    await page.getByTestId('search-value').fill(who.idNumber);
    await page.getByTestId('search-submit').click();
    await results.getByText(maskId(who.idNumber)).waitFor();
    expect(await results.locator('tbody tr.ant-table-row').count()).toBe(1);
    expect(await results.textContent()).not.toContain(who.idNumber);

    // The 360° view.
    await results.getByTestId('customer-link').click();
    await page.waitForURL(`**/console/customers/${who.customerId}`);
    await page.getByTestId('field-id-number').waitFor();
    expect(await page.getByTestId('field-id-number').textContent()).toBe(maskId(who.idNumber));
    expect(await page.getByTestId('field-phone').textContent()).toBe(maskPhone(phone));
    expect(await page.locator('.page-header').textContent()).toContain('已绑卡');
    // Credit: the 50,000.00 line, 3,000.00 of it drawn.
    const lines = page.getByTestId('credit-lines');
    await lines.locator('tbody tr.ant-table-row').first().waitFor();
    const line = await lines.locator('tbody tr.ant-table-row').first().textContent();
    expect(line).toContain('50,000.00');
    expect(line).toContain('3,000.00');
    expect(line).toContain('47,000.00');
    // Applications, with the link to the decision's trace.
    await page.getByRole('tab', { name: '授信申请' }).click();
    const decision = page.getByTestId('applications').getByTestId('decision-link');
    await decision.waitFor();
    expect(await decision.getAttribute('href')).toMatch(/^\/console\/risk\/decisions\/[0-9a-f-]{36}$/);
    expect(await page.getByTestId('applications').textContent()).toContain('已通过');
    // Loans, with the link to the loan.
    await page.getByRole('tab', { name: '借据' }).click();
    const loan = page.getByTestId('loans').getByTestId('loan-link');
    await loan.waitFor();
    expect(await loan.textContent()).toBe(loanNo);
    expect(await page.getByTestId('loans').textContent()).toContain('3,000.00');
    // Cards and consents.
    await page.getByRole('tab', { name: /银行卡/ }).click();
    await page.getByTestId('cards').locator('tbody tr.ant-table-row').first().waitFor();
    expect(await page.getByTestId('cards').textContent()).toContain('工商银行');
    await page.getByRole('tab', { name: '协议授权' }).click();
    await page.getByTestId('consents').getByText('征信查询授权书').waitFor();
    expect(await page.getByTestId('consents').textContent()).toContain('隐私政策');

    // Unmask: a reason is required (a short one is refused before it is sent).
    await page.getByTestId('unmask').click();
    await page.getByTestId('unmask-reason').fill('abc');
    await page.getByTestId('unmask-confirm').click();
    await page.getByText('原因至少 4 个字').waitFor();
    const reason = '客户来电核实身份 (ticket 4711)';
    await page.getByTestId('unmask-reason').fill(reason);
    await page.getByTestId('unmask-confirm').click();
    await page.getByTestId('unmasked-notice').waitFor();
    expect(await page.getByTestId('field-id-number').textContent()).toBe(who.idNumber);
    expect(await page.getByTestId('field-phone').textContent()).toBe(phone);
    expect(await page.getByTestId('field-name').textContent()).toBe('王小明');

    // The audit row: the actor and the reason, in the database and in the access log tab.
    const rows = await sql<{ actor_kind: string; actor_id: string; reason: string }>`
      SELECT actor_kind, actor_id, details->>'reason' AS reason FROM audit_log
      WHERE action = 'customers.unmasked' AND subject_type = 'customer' AND subject_id = ${who.customerId}`.execute(
      fixture.database.db,
    );
    expect(rows.rows).toEqual([{ actor_kind: 'staff', actor_id: staff.id, reason }]);
    await page.getByRole('tab', { name: '访问记录' }).click();
    const access = page.getByTestId('access-log');
    await access.getByText(reason).waitFor();
    expect(await access.textContent()).toContain(`staff:${staff.id}`);
    expect(await access.textContent()).toContain('customers.unmasked');
    expectNoConsoleErrors(tab);
    await tab.close();
  });

  it('says when no customer has the number, and checks the number before sending it', async () => {
    const tab = await fixture.open();
    const { page } = tab;
    await signInThroughConsole(fixture.database.db, tab, staff, '/customers');
    await page.getByTestId('search-value').fill('12345');
    await page.getByTestId('search-submit').click();
    await page.getByText('请输入 11 位中国大陆手机号').waitFor();
    await page.getByTestId('search-value').fill('13900000000');
    await page.getByTestId('search-submit').click();
    await page.getByText('没有找到该号码对应的客户').waitFor();
    expectNoConsoleErrors(tab);
    await tab.close();
  });
});
