import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney } from '../../../console/src/format.ts';
import { applyRepayment } from '../../src/modules/servicing/service.ts';
import { useSim } from '../channel-sim/support.ts';
import { createStaff, type StaffUser } from '../iam/support.ts';
import {
  acceptedLoanId,
  type Borrower,
  borrowerWithLine,
  createOrder,
  loanInState,
  merchantWithWebhooks,
  staffLoan,
  startWorld,
  type World,
} from '../loans/support.ts';
import type { OnboardedMerchant } from '../merchants/support.ts';
import { accountOpened, closeDaysThrough, servicing, startOn } from '../servicing/support.ts';
import { http } from '../support/server.ts';
import { expectNoConsoleErrors, screenshot, signInThroughConsole, useConsole } from './support.ts';

// The dashboard on a small book made through the real services: two merchant loans of 2026-01-15
// (A: 3,000.00 that never pays; B: 6,000.00 paying each installment on its due date), closed day
// by day through 2026-03-31, then on 2026-04-01 a third loan (C: 4,000.00) disbursed and 500.00
// paid on A. The page must show the reports' figures exactly, formatted, with every chart drawn.
// Before any of it, the page shows its designed empty state.

const sim = useSim();
const fixture = useConsole();
let world: World;
let operator: StaffUser;
let merchant: OnboardedMerchant;
/** Principal paid by each offline repayment, read back from servicing. */
const principalPaid: Record<string, bigint> = {};

async function originate(amountMinor: bigint): Promise<{ borrower: Borrower; loanId: string }> {
  const borrower = await borrowerWithLine(world, fixture.database.db);
  const order = await createOrder(world, merchant, amountMinor);
  const loanId = await acceptedLoanId(world, borrower, order.checkoutToken, 3);
  await loanInState(world, loanId, 'active');
  await accountOpened(fixture.database.db, loanId);
  return { borrower, loanId };
}

async function payOffline(loanId: string, amountMinor: bigint): Promise<void> {
  const ref = `offline:${randomUUID()}`;
  const db = fixture.database.db;
  await db.transaction().execute((trx) =>
    applyRepayment(trx, {
      loanId,
      amountMinor,
      kind: 'offline',
      sourceRef: ref,
      channel: 'offline',
      collected: true,
    }),
  );
  const row = await sql<{ principal_minor: string }>`
    SELECT principal_minor::text FROM servicing_transactions WHERE source_ref = ${ref}`.execute(db);
  principalPaid[loanId] = (principalPaid[loanId] ?? 0n) + BigInt(row.rows[0]?.principal_minor ?? '0');
}

/** What the loan's current installment still bills (principal, interest, fee). */
async function currentInstallment(loanId: string): Promise<bigint> {
  const { account, rows } = await servicing(fixture.database.db, loanId);
  const row = rows.find((r) => r.number === account.cur_number);
  if (row === undefined) throw new Error('no current installment');
  return (
    row.principal_due -
    row.principal_paid +
    (row.interest_due - row.interest_paid) +
    (row.fee_due - row.fee_paid)
  );
}

async function report<T>(path: string): Promise<T> {
  const got = await http(world.server.baseUrl, 'GET', path, { headers: world.admin.headers(false) });
  expect(got.status, got.text).toBe(200);
  return got.json as T;
}

beforeAll(async () => {
  await startOn(fixture.database.db, '2026-01-15');
  world = await startWorld(fixture.database, sim, { NOTIFICATIONS_PROVIDER: 'disabled' });
  operator = await createStaff(fixture.database.db, fixture.server.config, ['operator']);
  merchant = await merchantWithWebhooks(world);
}, 120_000);

afterAll(async () => {
  await world?.stop();
});

describe('the dashboard before any business', () => {
  it('shows its designed empty state', async () => {
    const tab = await fixture.open();
    await signInThroughConsole(fixture.database.db, tab, operator, '/');
    await tab.page.getByTestId('dashboard-empty').waitFor();
    expect(await tab.page.getByTestId('dashboard-empty').textContent()).toContain('还没有经营数据');
    expect(await tab.page.getByTestId('stat-outstanding-principal').textContent()).toBe('0.00');
    expectNoConsoleErrors(tab);
    await tab.close();
  });
});

describe('the dashboard of a small book', () => {
  let a: string;
  let b: string;

  beforeAll(async () => {
    const db = fixture.database.db;
    a = (await originate(300_000n)).loanId;
    b = (await originate(600_000n)).loanId;
    // B pays each installment on its due date; A never pays.
    const dueDates = (await staffLoan(world, b)).installments
      .map((installment) => installment.dueDate)
      .filter((date) => date <= '2026-03-31');
    expect(dueDates).toHaveLength(2);
    for (const dueDate of dueDates) {
      await closeDaysThrough(db, dayBefore(dueDate));
      await payOffline(b, await currentInstallment(b));
    }
    await closeDaysThrough(db, '2026-03-31');
    // 2026-04-01: a new loan, and a part payment on A.
    await originate(400_000n);
    await payOffline(a, 50_000n);
  }, 240_000);

  it('shows the book, the day and every chart from the reports', async () => {
    const portfolio = await report<{
      outstandingPrincipalMinor: string;
      loans: number;
      businessDate: string;
    }>('/api/v1/reports/portfolio');
    const expectedPrincipal =
      300_000n - (principalPaid[a] ?? 0n) + (600_000n - (principalPaid[b] ?? 0n)) + 400_000n;
    expect(portfolio).toMatchObject({
      businessDate: '2026-04-01',
      loans: 3,
      outstandingPrincipalMinor: String(expectedPrincipal),
    });
    const disbursements = await report<Record<string, unknown>>('/api/v1/reports/disbursements');
    expect(disbursements).toMatchObject({
      today: { loans: 1, amountMinor: '400000' },
      month: { loans: 1, amountMinor: '400000' },
    });
    const collections = await report<{ repayments: unknown }>('/api/v1/reports/collections');
    expect(collections.repayments).toEqual({ count: 1, amountMinor: '50000' });

    const tab = await fixture.open();
    await signInThroughConsole(fixture.database.db, tab, operator, '/');
    const { page } = tab;
    await page.getByTestId('chart-vintages').locator('canvas').first().waitFor();
    const text = (id: string) => page.getByTestId(id).textContent();
    expect(await text('stat-outstanding-principal')).toBe(formatMoney(expectedPrincipal));
    expect(await text('stat-disbursed-today')).toBe('4,000.00');
    expect(await text('stat-disbursed-month')).toBe('4,000.00');
    expect(await text('stat-collected-today')).toBe('500.00');
    // A (3,000.00 less what its 500.00 paid of principal) is the one overdue loan: M2 on 04-01.
    expect(await text('stat-overdue-principal')).toBe(formatMoney(300_000n - (principalPaid[a] ?? 0n)));
    expect(await text('dashboard-as-of')).toContain('2026-04-01');
    for (const chart of [
      'chart-funnel',
      'chart-buckets',
      'chart-funders',
      'chart-disbursements',
      'chart-vintages',
      'chart-roll-rates',
    ])
      await page.getByTestId(chart).locator('canvas').first().waitFor();
    expect(await text('collections-repaid')).toContain('500.00');
    // Charts are drawn once their containers have a size: wait until every canvas has one (an
    // expression evaluated in the page, where the DOM is).
    await page.waitForFunction("[...document.querySelectorAll('.chart canvas')].every((c) => c.width > 0)");
    await screenshot(page, 'dashboard');
    // The same page in English.
    await page.getByTestId('language').click();
    await page.getByText('English', { exact: true }).click();
    await page.getByText('Outstanding principal', { exact: true }).waitFor();
    expect(await text('stat-disbursed-today')).toBe('4,000.00');
    expectNoConsoleErrors(tab);
    await tab.close();
  });
});

function dayBefore(date: string): string {
  const day = new Date(`${date}T00:00:00Z`);
  day.setUTCDate(day.getUTCDate() - 1);
  return day.toISOString().slice(0, 10);
}
