import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, orderNo, useSim } from '../channel-sim/support.ts';
import { createStaff, type StaffUser } from '../iam/support.ts';
import {
  acceptedLoanId,
  borrowerWithLine,
  createOrder,
  loanInState,
  merchantWithWebhooks,
  startWorld,
  type World,
} from '../loans/support.ts';
import { http, type TestServer } from '../support/server.ts';
import { expectNoConsoleErrors, signInThroughConsole, useConsole } from './support.ts';

// The payments pages on real orders: a 3,000.00 loan's payout of 2,895.00 sent to the channel
// simulator and called back; then the channel misbehaves — it pays out an order Fenqi never sent
// and calls Fenqi back about it (an `unknown_order` exception), and the same order is on its
// statement (a `channel_only` difference once the console reconciles the day).

// Waits for a condition (never for a fixed time); generous for a loaded 2-core machine.
const poll = <T>(check: () => T | Promise<T>) => expect.poll(check, { timeout: 30_000 });

const sim = useSim();
const fixture = useConsole();
let world: World;
let consoleServer: TestServer;
let operator: StaffUser;
let payoutNo: string;
let loanId: string;
const strayNo = orderNo('FQ');
// The channel's settlement date for everything that finishes from now on (the simulator's own
// clock would name today's date in Shanghai): the statement the console reconciles.
const settlementDate = '2026-06-30';

async function exceptionsOf(kind: string) {
  const got = await http(world.server.baseUrl, 'GET', `/api/v1/payments/exceptions?kind=${kind}`, {
    headers: world.admin.headers(false),
  });
  expect(got.status, got.text).toBe(200);
  return got.json as { id: string; orderNo: string; status: string; resolutionNote: string | null }[];
}

beforeAll(async () => {
  const { database } = fixture;
  world = await startWorld(database, sim, { NOTIFICATIONS_PROVIDER: 'disabled' });
  consoleServer = fixture.server;
  fixture.server = world.server;
  expect((await sim.client.admin('PUT', '/admin/settlement-date', { date: settlementDate })).status).toBe(
    200,
  );
  const merchant = await merchantWithWebhooks(world);
  const borrower = await borrowerWithLine(world, database.db);
  const made = await createOrder(world, merchant, 300_000n);
  loanId = await acceptedLoanId(world, borrower, made.checkoutToken, 3);
  payoutNo = (await loanInState(world, loanId, 'active')).disbursementOrderNo as string;
  operator = await createStaff(database.db, world.server.config, ['operator']);
}, 120_000);

afterAll(async () => {
  await world?.stop();
  if (consoleServer) fixture.server = consoleServer;
});

describe('console payments', () => {
  it('filters payment orders on the server by kind and purpose', async () => {
    const list = async (query: string) => {
      const got = await http(world.server.baseUrl, 'GET', `/api/v1/payments/orders?${query}`, {
        headers: world.admin.headers(false),
      });
      return {
        status: got.status,
        orders: ((got.json as { orders?: { orderNo: string }[] }).orders ?? []).map((o) => o.orderNo),
      };
    };
    expect(await list('kind=payout&purpose=disbursement')).toEqual({ status: 200, orders: [payoutNo] });
    expect(await list('kind=collect')).toEqual({ status: 200, orders: [] });
    expect(await list('purpose=repayment')).toEqual({ status: 200, orders: [] });
    expect((await list('purpose=gift')).status).toBe(400);
    expect((await list('kind=transfer')).status).toBe(400);
  });

  it('lists orders filtered on the server and shows an order with its state history and callback', async () => {
    const tab = await fixture.open();
    const { page } = tab;
    await signInThroughConsole(
      fixture.database.db,
      tab,
      operator,
      '/payments/orders?purpose=disbursement&state=succeeded',
    );
    const table = page.getByTestId('order-table');
    await table.getByRole('link', { name: payoutNo }).waitFor();
    const row = await table.locator(`tr[data-row-key="${payoutNo}"]`).innerText();
    expect(row).toContain('代付');
    expect(row).toContain('放款');
    expect(row).toContain('成功');
    expect(row).toContain('2,895.00');
    // Nothing of another purpose or state passes the server's filter.
    await page.goto(tab.url('/payments/orders?purpose=repayment'));
    await page.getByText('没有符合条件的记录').waitFor();

    await page.goto(tab.url('/payments/orders'));
    await table.getByRole('link', { name: payoutNo }).click();
    await page.waitForURL(`**/console/payments/orders/${payoutNo}`);
    const transitions = page.getByTestId('transitions-table');
    await transitions.locator('tr[data-row-key="3"]').waitFor();
    const steps = await transitions.locator('tbody tr.ant-table-row').allInnerTexts();
    expect(steps.map((step) => step.replace(/\s+/g, ' ').trim().split(' ').slice(0, 5).join(' '))).toEqual([
      '1 已创建 → 已提交 提交',
      '2 已提交 → 处理中 提交',
      '3 处理中 → 成功 回调',
    ]);
    const callbacks = page.getByTestId('callbacks-table');
    await callbacks.getByText('SUCCEEDED').waitFor();
    const callback = await callbacks.locator('tbody tr.ant-table-row').first().innerText();
    expect(callback).toContain('已应用');
    expect(callback).toContain('2,895.00');
    const overview = await page.getByTestId('order-overview').innerText();
    expect(overview).toContain(`loan:`);
    expect(overview).toContain(loanId);
    expectNoConsoleErrors(tab);
    await tab.close();
  });

  it('shows the exception an unknown order raised, resolves it, and reconciles the day with its difference', async () => {
    const tab = await fixture.open();
    const { page } = tab;
    await signInThroughConsole(fixture.database.db, tab, operator, '/payments/exceptions');
    // The queue is clear to begin with: the designed empty state.
    await page.getByTestId('exceptions-clear').waitFor();

    // The channel pays out an order Fenqi never sent and calls Fenqi back about it.
    const paid = await sim.client.post('/v1/payouts', {
      orderNo: strayNo,
      amount: '123.45',
      accountName: '张三',
      accountNo: '6222020000000009',
      notifyUrl: `${world.server.baseUrl}/api/v1/payments/callbacks/simulated`,
    });
    expect(paid.status, paid.text).toBe(200);
    await eventually(async () => (await exceptionsOf('unknown_order')).length === 1);
    await page.reload();
    await page.getByTestId('exceptions-open').waitFor();
    const table = page.getByTestId('exception-table');
    const [raised] = await exceptionsOf('unknown_order');
    const row = table.locator(`tr[data-row-key="${raised?.id}"]`);
    await row.waitFor();
    expect(await row.innerText()).toContain('未知订单');
    expect(await row.innerText()).toContain(strayNo);
    expect(await row.innerText()).toContain('123.45');

    // Resolved with an explanation: an empty note is refused in the form, then the item closes.
    await page.getByTestId(`resolve-${raised?.id}`).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: /处\s*理/ }).click();
    await dialog.getByText('请说明差异原因').waitFor();
    await dialog.getByLabel('处理说明').fill('通道测试代付，非我方订单');
    await dialog.getByRole('button', { name: /处\s*理/ }).click();
    await poll(async () => (await exceptionsOf('unknown_order'))[0]?.status).toBe('resolved');
    expect((await exceptionsOf('unknown_order'))[0]?.resolutionNote).toBe('通道测试代付，非我方订单');
    await row.getByText('已处理').waitFor();
    await page.getByTestId('exceptions-clear').waitFor();

    // The day's statement lists our payout and the stray one: one match, one difference.
    await page.goto(tab.url('/payments/reconciliations'));
    const form = page.getByTestId('reconcile-form');
    await form.waitFor();
    const date = form.getByRole('textbox').last();
    await date.click();
    await date.fill(settlementDate);
    await date.press('Tab');
    await page.getByTestId('reconcile-run').click();
    const report = page.getByTestId('reconcile-report');
    await report.waitFor();
    const reportText = await report.innerText();
    expect(reportText).toContain(`${settlementDate} 对账单：1 笔差异已列为异常`);
    const reconciliations = await http(
      world.server.baseUrl,
      'GET',
      `/api/v1/payments/reconciliations?from=${settlementDate}&to=${settlementDate}`,
      { headers: world.admin.headers(false) },
    );
    const statementId = (reconciliations.json as { reconciliations: { id: string }[] }).reconciliations[0]
      ?.id;
    const listed = page.getByTestId('reconciliation-table').locator(`tr[data-row-key="${statementId}"]`);
    await listed.waitFor();
    const listedText = await listed.innerText();
    expect(listedText).toContain(settlementDate);
    // Gross 2,895.00 + 123.45, fees 1.50 per payout, net 3,015.45; the clearing account agrees.
    expect(listedText.split('\t').slice(1, 11)).toEqual([
      settlementDate,
      'simulated',
      '2',
      '3,018.45',
      '3.00',
      '0.00',
      '3,015.45',
      '1',
      '0',
      '1',
    ]);
    // Expand it: its difference is the stray order, resolved from here.
    await listed.locator('.ant-table-row-expand-icon').click();
    const detail = page.getByTestId(`reconciliation-${statementId}`);
    await detail.getByText('通道有我方无: 1').waitFor();
    const [difference] = await exceptionsOf('channel_only');
    expect(difference?.orderNo).toBe(strayNo);
    await detail.getByTestId(`resolve-${difference?.id}`).click();
    await page.getByRole('dialog').getByLabel('处理说明').fill('通道测试代付，已与通道核实');
    await page
      .getByRole('dialog')
      .getByRole('button', { name: /处\s*理/ })
      .click();
    await poll(async () => (await exceptionsOf('channel_only'))[0]?.status).toBe('resolved');
    await page.goto(tab.url('/payments/exceptions'));
    await page.getByTestId('exceptions-clear').waitFor();
    expectNoConsoleErrors(tab);
    await tab.close();
  });
});
