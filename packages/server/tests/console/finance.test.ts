import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSim } from '../channel-sim/support.ts';
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
import { startOn } from '../servicing/support.ts';
import type { TestServer } from '../support/server.ts';
import { type ConsolePage, expectNoConsoleErrors, signInThroughConsole, useConsole } from './support.ts';

// The finance pages on a real ledger: one 3,000.00 loan disbursed on 2026-01-15 through the
// channel simulator. Its entries: the payout Dr 2202 2,895.00 / Cr 1012.01 2,895.00, and the
// disbursement Dr 1301 3,000.00 / Cr 2202 2,895.00, Cr 6041 105.00 (the merchant's discount). So
// the trial balance holds debit balances 3,000.00 (1301) and credit balances 2,895.00 (1012.01)
// + 105.00 (6041) = 3,000.00. A manual journal is asked for through maker-checker in the console.

const sim = useSim();
const fixture = useConsole();
let world: World;
let consoleServer: TestServer;
let finance: StaffUser;
let loanId: string;

async function counts() {
  const row = await sql<{ requests: number; entries: number }>`
    SELECT (SELECT count(*)::int FROM approval_requests WHERE action = 'ledger.post-manual-journal') AS requests,
           (SELECT count(*)::int FROM ledger_entries) AS entries`.execute(fixture.database.db);
  return row.rows[0];
}

async function fillLine(tab: ConsolePage, index: number, account: string, amount: string) {
  await tab.page.getByLabel(`科目 ${index + 1}`).fill(account);
  await tab.page.getByLabel(`金额 ${index + 1}`).fill(amount);
}

beforeAll(async () => {
  const { database } = fixture;
  await startOn(database.db, '2026-01-15');
  world = await startWorld(database, sim, { NOTIFICATIONS_PROVIDER: 'disabled' });
  consoleServer = fixture.server;
  fixture.server = world.server;
  const merchant = await merchantWithWebhooks(world);
  const borrower = await borrowerWithLine(world, database.db);
  const made = await createOrder(world, merchant, 300_000n);
  loanId = await acceptedLoanId(world, borrower, made.checkoutToken, 3);
  await loanInState(world, loanId, 'active');
  finance = await createStaff(database.db, world.server.config, ['finance']);
}, 120_000);

afterAll(async () => {
  await world?.stop();
  if (consoleServer) fixture.server = consoleServer;
});

describe('console finance', () => {
  it('shows the trial balance balancing, an entry with its lines, the chart, a statement and the funder statement', async () => {
    const tab = await fixture.open();
    const { page } = tab;
    await signInThroughConsole(fixture.database.db, tab, finance, '/finance/trial-balance');
    const status = page.getByTestId('trial-balance-status-CNY');
    await status.waitFor();
    expect(await status.getAttribute('data-balanced')).toBe('true');
    expect(await status.getByTestId('trial-total-debit').innerText()).toBe('3,000.00');
    expect(await status.getByTestId('trial-total-credit').innerText()).toBe('3,000.00');
    expect((await status.innerText()).replace(/\s+/g, ' ')).toContain('借贷平衡');
    const rows = page.getByTestId('trial-balance-CNY');
    const cells = async (code: string) => rows.locator(`tr[data-row-key="${code}"] td`).allInnerTexts();
    expect(await cells('1301')).toEqual(['1301', '贷款本金', '资产', '3,000.00', '0.00', '3,000.00', '']);
    expect(await cells('1012.01')).toEqual([
      '1012.01',
      '通道清算—模拟通道',
      '资产',
      '0.00',
      '2,895.00',
      '',
      '2,895.00',
    ]);
    expect(await cells('2202')).toEqual(['2202', '应付商户款', '负债', '2,895.00', '2,895.00', '', '']);
    expect(await cells('6041')).toEqual(['6041', '商户贴息收入', '收入', '0.00', '105.00', '', '105.00']);
    const summary = await rows.locator('.ant-table-summary td').allInnerTexts();
    expect(summary).toEqual(['合计', '3,000.00', '3,000.00']);

    // Entries filtered on the server by event, then one entry's lines.
    await page.goto(tab.url('/finance/entries?eventType=disbursement'));
    const entries = page.getByTestId('entry-table');
    await entries.getByText('disbursement', { exact: true }).waitFor();
    expect(await entries.getByText('payment_payout').count()).toBe(0);
    const disbursement = await sql<{ id: string }>`
      SELECT id::text FROM ledger_entries WHERE event_type = 'disbursement'`.execute(fixture.database.db);
    const entryId = disbursement.rows[0]?.id as string;
    await entries.getByRole('link', { name: `#${entryId}` }).click();
    await page.waitForURL(`**/console/finance/entries/${entryId}`);
    const lines = page.getByTestId('entry-lines');
    await lines.locator('tr[data-row-key="1"]').waitFor();
    const line = async (no: number) =>
      (await lines.locator(`tr[data-row-key="${no}"] td`).allInnerTexts())
        .slice(1, 4)
        .map((text) => text.replace(/\s+/g, ' ').trim());
    expect(await line(1)).toEqual(['1301 贷款本金', '3,000.00', '']);
    expect(await line(2)).toEqual(['2202 应付商户款', '', '2,895.00']);
    expect(await line(3)).toEqual(['6041 商户贴息收入', '', '105.00']);
    expect((await lines.locator('.ant-table-summary td').allInnerTexts()).slice(0, 3)).toEqual([
      '合计',
      '3,000.00',
      '3,000.00',
    ]);
    expect(await page.getByTestId('entry-head').innerText()).toContain(`loan:`);

    // The chart with balances, and an account's statement.
    await page.goto(tab.url('/finance/accounts'));
    const chart = page.getByTestId('accounts-table');
    await chart.locator('tr[data-row-key="CNY:1301"]').waitFor();
    expect((await chart.locator('tr[data-row-key="CNY:1301"] td').allInnerTexts()).at(-1)).toBe('3,000.00');
    expect((await chart.locator('tr[data-row-key="CNY:1012.01"] td').allInnerTexts()).at(-1)).toBe(
      '-2,895.00',
    );
    await chart.getByRole('link', { name: '1301', exact: true }).click();
    await page.waitForURL('**/console/finance/accounts/1301?currency=CNY');
    const head = page.getByTestId('statement-head');
    await head.waitFor();
    expect(await head.innerText()).toContain('3,000.00');
    await page.getByTestId('statement-table').getByText('disbursement').waitFor();

    // The own funds' statement of the day, and its CSV.
    await page.goto(tab.url('/finance/funders'));
    const statement = page.getByTestId('funder-statement');
    await statement.getByRole('link', { name: loanId }).waitFor();
    const totals = await statement.locator('.ant-table-summary td').allInnerTexts();
    expect(totals).toEqual(['合计', '3,000.00', '0.00', '0.00', '0.00', '0.00', '0.00']);
    const downloading = page.waitForEvent('download');
    await page.getByTestId('funder-csv').click();
    const download = await downloading;
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv.split('\r\n')).toEqual(
      expect.arrayContaining([`2026-01-15,OWN,${loanId},3000.00,0.00,0.00,0.00,0.00,0.00`]),
    );
    expectNoConsoleErrors(tab);
    await tab.close();
  });

  it('asks for a balanced manual journal through maker-checker, and refuses an unbalanced one and one the server refuses with nothing written', async () => {
    const tab = await fixture.open();
    const { page } = tab;
    const maker = await createStaff(fixture.database.db, world.server.config, ['finance']);
    await signInThroughConsole(fixture.database.db, tab, maker, '/finance/manual-journals');
    await page.getByTestId('journal-form').waitFor();
    const before = await counts();
    await page.getByLabel('摘要').fill('股东注资入账');
    await page.getByLabel('申请原因（供审批人）').fill('银行回单 20260115-001');
    await fillLine(tab, 0, '1002.01', '1,000.00');
    await fillLine(tab, 1, '4001', '999.99');
    await page.getByTestId('journal-unbalanced').getByText('借贷相差 0.01').waitFor();

    // Unbalanced: refused in the browser, nothing sent.
    await page.getByTestId('journal-submit').click();
    await page.getByTestId('journal-refused').waitFor();
    expect(await counts()).toEqual(before);

    // Balanced but on a group account (1002 has sub-accounts): the server refuses it, on the field.
    await fillLine(tab, 0, '1002', '999.99');
    await page.getByTestId('journal-balanced').waitFor();
    const refused = page.waitForResponse((r) => r.url().endsWith('/api/v1/ledger/manual-journals'));
    await page.getByTestId('journal-submit').click();
    expect((await refused).status()).toBe(422);
    const problem = page.getByTestId('journal-problem');
    await problem.getByText(/1002/).first().waitFor();
    await page.getByTestId('journal-line-0').getByText('groups other accounts and takes no lines').waitFor();
    expect(await counts()).toEqual(before);

    // Balanced on posting accounts: an approval request, and nothing posted until it is approved.
    await fillLine(tab, 0, '1002.01', '999.99');
    await page.getByTestId('journal-submit').click();
    const requested = page.getByTestId('journal-requested');
    await requested.waitFor();
    const after = await counts();
    expect(after).toEqual({ requests: (before?.requests ?? 0) + 1, entries: before?.entries });
    const request = await sql<{ id: string; status: string; payload: unknown; maker_id: string }>`
      SELECT id::text, status, payload, maker_id::text FROM approval_requests
      WHERE action = 'ledger.post-manual-journal'`.execute(fixture.database.db);
    expect(request.rows[0]).toMatchObject({
      status: 'pending',
      maker_id: maker.id,
      payload: {
        description: '股东注资入账',
        lines: [
          { account: '1002.01', side: 'debit', amountMinor: '99999', currency: 'CNY' },
          { account: '4001', side: 'credit', amountMinor: '99999', currency: 'CNY' },
        ],
      },
    });
    expect(await requested.innerText()).toContain(request.rows[0]?.id as string);
    expect(await requested.innerText()).toContain('待审批');
    expectNoConsoleErrors(tab);
    await tab.close();
  });
});
