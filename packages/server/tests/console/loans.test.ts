import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyRepayment } from '../../src/modules/servicing/service.ts';
import { rule, useSim } from '../channel-sim/support.ts';
import { createStaff, type StaffUser } from '../iam/support.ts';
import {
  acceptedLoanId,
  borrowerWithLine,
  createOrder,
  loanInState,
  merchantWithWebhooks,
  staffLoan,
  startWorld,
  type World,
} from '../loans/support.ts';
import { accountOpened, closeDaysThrough, startOn } from '../servicing/support.ts';
import { http, type TestServer } from '../support/server.ts';
import {
  type ConsolePage,
  expectNoConsoleErrors,
  screenshot,
  signInThroughConsole,
  useConsole,
} from './support.ts';

// The loans pages on real loans: originated through the API and disbursed through the channel
// simulator (3,000.00 over three months of the POS product from 2026-01-15: installments of
// 1,024.10, 1,024.10 and 1,024.08), and one 1,000.00 loan whose payout the channel holds in
// processing, so it stays pending disbursement. The browser talks to the world's server (the one
// with the payment loops and the simulator); the console fixture only lends its database and
// Chromium.

// Waits for a condition (never for a fixed time); generous for a loaded 2-core machine.
const poll = <T>(check: () => T | Promise<T>) => expect.poll(check, { timeout: 30_000 });

const sim = useSim();
const fixture = useConsole();
let world: World;
let consoleServer: TestServer;
let finance: StaffUser;
let active: { id: string; loanNo: string; contractSha256: string };
let pending: { id: string; loanNo: string };

beforeAll(async () => {
  const { database } = fixture;
  await startOn(database.db, '2026-01-15');
  world = await startWorld(database, sim, { NOTIFICATIONS_PROVIDER: 'disabled' });
  consoleServer = fixture.server;
  fixture.server = world.server;
  const merchant = await merchantWithWebhooks(world);
  const borrower = await borrowerWithLine(world, database.db);
  const made = await createOrder(world, merchant, 300_000n);
  const activeId = await acceptedLoanId(world, borrower, made.checkoutToken, 3);
  const loan = (await loanInState(world, activeId, 'active')) as unknown as typeof active;
  active = { id: activeId, loanNo: loan.loanNo, contractSha256: loan.contractSha256 };
  await accountOpened(database.db, activeId);
  // 1,000.00 less the merchant's 3.5 % discount is paid out as 965.00: the channel keeps it processing.
  await sim.client.setRules([rule({ kind: 'PAYOUT', amountFen: 96_500 }, { stayProcessing: true })]);
  const second = await createOrder(world, merchant, 100_000n);
  const pendingId = await acceptedLoanId(
    world,
    await borrowerWithLine(world, database.db),
    second.checkoutToken,
    3,
  );
  pending = { id: pendingId, loanNo: (await loanInState(world, pendingId, 'pending_disbursement')).loanNo };
  finance = await createStaff(database.db, world.server.config, ['finance']);
}, 120_000);

afterAll(async () => {
  await world?.stop();
  // The console fixture closes the server it started itself.
  if (consoleServer) fixture.server = consoleServer;
});

async function scheduleRow(tab: ConsolePage, number: number): Promise<string[]> {
  const row = tab.page.getByTestId('schedule-table').locator(`tr[data-row-key="${number}"]`);
  await row.waitFor();
  return row.locator('td').allInnerTexts();
}

describe('console loans', () => {
  it('filters loans on the server by product and the date they were made', async () => {
    const list = async (query: string) => {
      const got = await http(world.server.baseUrl, 'GET', `/api/v1/loans?${query}`, {
        headers: world.admin.headers(false),
      });
      expect(got.status, got.text).toBe(200);
      return (got.json as { loans: { loanNo: string }[] }).loans.map((loan) => loan.loanNo).sort();
    };
    const both = [active.loanNo, pending.loanNo].sort();
    expect(await list('productCode=pos-installment&from=2026-01-15&to=2026-01-15')).toEqual(both);
    expect(await list('productCode=cash-line')).toEqual([]);
    expect(await list('from=2026-01-16')).toEqual([]);
    expect(await list('to=2026-01-14')).toEqual([]);
    expect(await list('state=active&from=2026-01-01')).toEqual([active.loanNo]);
    const bad = await http(world.server.baseUrl, 'GET', '/api/v1/loans?from=2026-13-01', {
      headers: world.admin.headers(false),
    });
    expect(bad.status).toBe(400);
  });

  it('lists loans filtered by state, opens one with its schedule, ledger and contract, and follows a repayment', async () => {
    const { database } = fixture;
    const tab = await fixture.open();
    const { page } = tab;
    await signInThroughConsole(database.db, tab, finance, '/loans');
    const table = page.getByTestId('loan-table');
    await table.getByText(pending.loanNo).waitFor();
    await table.getByText(active.loanNo).waitFor();

    // The state filter goes to the server (and into the URL).
    const listed = page.waitForResponse(
      (r) => r.url().includes('/api/v1/loans?') && r.url().includes('state=active'),
    );
    await page.getByLabel('状态').click();
    await page.locator('.ant-select-item-option[title="正常"]').click();
    await page.getByTestId('apply-filters').click();
    expect((await listed).status()).toBe(200);
    await poll(() => new URL(page.url()).searchParams.get('state')).toBe('active');
    await table.getByText(active.loanNo).waitFor();
    await poll(() => table.getByText(pending.loanNo).count()).toBe(0);
    expect((await staffLoan(world, pending.id)).state).toBe('pending_disbursement');
    await page.goto(tab.url('/loans?state=pending_disbursement'));
    await table.getByText(pending.loanNo).waitFor();
    await poll(() => table.getByText(active.loanNo).count()).toBe(0);

    // The detail: the servicing schedule with the exact installments, nothing paid yet.
    await page.goto(tab.url('/loans?state=active'));
    await table.getByRole('link', { name: active.loanNo }).click();
    await page.waitForURL(`**/console/loans/${active.id}`);
    expect(await scheduleRow(tab, 1)).toEqual(
      expect.arrayContaining(['1', '2026-02-15', '988.10', '36.00', '1,024.10', '0.00']),
    );
    const first = await scheduleRow(tab, 1);
    expect(first.slice(7, 11)).toEqual(['1,024.10', '0.00', '0.00', '1,024.10']);
    expect((await scheduleRow(tab, 2)).slice(7, 11)).toEqual(['1,024.10', '0.00', '0.00', '1,024.10']);
    expect((await scheduleRow(tab, 3)).slice(7, 11)).toEqual(['1,024.08', '0.00', '0.00', '1,024.08']);
    const totals = await page.getByTestId('schedule-table').locator('.ant-table-summary td').allInnerTexts();
    expect(totals.slice(1, 5)).toEqual(['3,000.00', '72.28', '0.00', '0.00']);
    const overview = await page.getByTestId('loan-overview').innerText();
    expect(overview).toContain('3,000.00');
    expect(overview).toContain('2,895.00');
    expect(overview).toContain('105.00');
    expect(overview).toContain('15.39%');

    // The ledger entries of the loan: the payout (2,895.00) and the disbursement (3,000.00).
    await page.getByRole('tab', { name: '会计分录' }).click();
    const ledger = page.getByTestId('ledger-table');
    await ledger.getByText('disbursement', { exact: true }).waitFor();
    const ledgerText = await ledger.innerText();
    expect(ledgerText).toContain('payment_payout');
    expect(ledgerText).toContain('2,895.00');
    expect(ledgerText).toContain('3,000.00');
    expect(ledgerText).toContain('借 1301 / 贷 2202 / 贷 6041');

    // The funding shares and the state history.
    await page.getByRole('tab', { name: '资金方份额' }).click();
    const funding = await page.getByTestId('funding-table').innerText();
    expect(funding).toContain('OWN');
    expect(funding).toContain('100.00%');

    // The contract: the PDF whose SHA-256 is the stored digest.
    const answered = page.waitForResponse((r) => r.url().endsWith(`/api/v1/loans/${active.id}/contract`));
    const downloading = page.waitForEvent('download');
    await page.getByTestId('contract-download').click();
    const contract = await answered;
    expect(contract.status()).toBe(200);
    expect(((await contract.json()) as { contentType: string }).contentType).toBe('application/pdf');
    const download = await downloading;
    expect(download.suggestedFilename()).toBe(`HT${active.loanNo}.pdf`);
    const bytes = readFileSync(await download.path());
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(active.contractSha256);

    // Five days closed, then a 500.00 transfer: interest 36.00 and principal 464.00 of installment 1.
    await closeDaysThrough(database.db, '2026-01-20');
    await database.db.transaction().execute((trx) =>
      applyRepayment(trx, {
        loanId: active.id,
        amountMinor: 50_000n,
        kind: 'offline',
        sourceRef: `offline:${randomUUID()}`,
        channel: 'offline',
        collected: true,
      }),
    );
    await page.reload();
    await page.getByTestId('schedule-table').waitFor();
    await poll(async () => (await scheduleRow(tab, 1)).slice(7, 11)).toEqual([
      '1,024.10',
      '500.00',
      '0.00',
      '524.10',
    ]);
    expect((await scheduleRow(tab, 2)).slice(7, 11)).toEqual(['1,024.10', '0.00', '0.00', '1,024.10']);
    const servicing = await page.getByTestId('servicing-summary').innerText();
    expect(servicing).toContain('2,536.00');
    expect(servicing).toContain('2026-01-20');

    await page.getByRole('tab', { name: '交易' }).click();
    const transactionTable = page.getByTestId('transactions-table');
    await transactionTable.getByText('线下转账').waitFor();
    const transactions = await transactionTable.innerText();
    expect(transactions).toContain('线下转账');
    expect(transactions).toContain('500.00');
    expect(transactions).toContain('464.00');

    await page.getByRole('tab', { name: '计提' }).click();
    const accruals = page.getByTestId('accruals-table');
    await accruals.getByText('2026-01-20').first().waitFor();
    expect(await accruals.innerText()).toContain('accrual');

    await page.getByRole('tab', { name: '逾期历史' }).click();
    await page.getByText('该借据从未变更逾期阶段').waitFor();

    // Payoff today (2026-01-21): principal 2,536.00 and the 1 % prepayment fee 25.36.
    await page.getByRole('tab', { name: '提前结清报价' }).click();
    const payoff = await page.getByTestId('payoff-quote').innerText();
    expect(payoff).toContain('2026-01-21');
    expect(payoff).toContain('25.36');
    expect(payoff).toContain('2,561.36');

    // Opened afresh on its first tab (no tab switch in flight) for the screenshot.
    await page.reload();
    await poll(async () => (await scheduleRow(tab, 1))[8]).toBe('500.00');
    await screenshot(page, 'loan-detail');

    // The loan that was never disbursed shows the contract's schedule and says so.
    await page.goto(tab.url(`/loans/${pending.id}`));
    await page.getByText('尚未放款').first().waitFor();
    expect(await page.getByTestId('schedule-table').innerText()).toContain('2026-02-15');
    expectNoConsoleErrors(tab);
    await tab.close();
  });
});
