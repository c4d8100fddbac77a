import {
  accruedInterestTo,
  addDays,
  dailyAccrual,
  type LocalDate,
  loanTerms,
  penaltyInterest,
  penaltyTermsFor,
} from '@fenqi/core';
import { Decimal } from 'decimal.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fenceLedgerForDayClose, getLoanBalance } from '../../src/modules/ledger/service.ts';
import { closeAccountsForDay, type DayCloseTotals } from '../../src/modules/servicing/service.ts';
import { advanceBusinessDate, getBusinessDate } from '../../src/platform/business-date.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { seedLoan } from './seed.ts';

// The set-based day close on its own, over accounts seeded straight into the tables: every day's
// accrual equals core dailyAccrual, the ledger's per-loan balances follow servicing's figures,
// overdue and penalty start after the grace days exactly as core penaltyInterest counts them,
// non-accrual at 90 DPD takes the receivables off balance, and write-off at 180 DPD closes the loan.

let database: TestDatabase;
const everything = { from: '00000000-0000-0000-0000-000000000000', to: null, key: 'test' };

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

async function closeDay(): Promise<{ date: LocalDate; totals: DayCloseTotals }> {
  return database.db.transaction().execute(async (trx) => {
    const date = (await getBusinessDate(trx)) as LocalDate;
    await fenceLedgerForDayClose(trx);
    const totals = await closeAccountsForDay(trx, date, everything);
    await advanceBusinessDate(trx, date);
    return { date, totals };
  });
}

async function balances(loanId: string): Promise<Record<string, bigint>> {
  const rows = await getLoanBalance(database.db, loanId);
  return Object.fromEntries(rows.map((r) => [r.code, r.balance.balanceMinor]));
}

async function account(loanId: string) {
  const row = await sql<{ status: string; dpd: number; bucket: string; non_accrual_since: string | null }>`
    SELECT status, dpd, bucket, non_accrual_since::text FROM servicing_accounts WHERE loan_id = ${loanId}`.execute(
    database.db,
  );
  return row.rows[0];
}

describe('closeAccountsForDay', () => {
  it('accrues, falls due, goes overdue with penalty, then non-accrual and write-off', async () => {
    const start = (await getBusinessDate(database.db)) as LocalDate;
    const terms = loanTerms({
      principalMinor: 1_200_000n,
      method: 'equal_installment',
      termCount: 12,
      startDate: start,
      annualRate: new Decimal('0.18'),
    });
    const { loanId, schedule } = await seedLoan(database.db, terms, { graceDays: 3 });
    const first = schedule.installments[0];
    if (first === undefined) throw new Error('no installment');

    // Day by day through the first period: each day's accrual is core's, the receivable the sum.
    let closedDue: { date: LocalDate; totals: DayCloseTotals } | undefined;
    while (closedDue === undefined) {
      const closed = await closeDay();
      expect(closed.totals.loans).toBe(1);
      expect(closed.totals.interestAccruedMinor).toBe(dailyAccrual(terms, first, closed.date));
      if (closed.date === first.dueDate) closedDue = closed;
      else expect(closed.totals.installmentsDue).toBe(0);
    }
    expect(closedDue.totals.installmentsDue).toBe(1);
    expect(closedDue.totals.autoDebits).toBe(1);
    expect((await balances(loanId))['1132']).toBe(first.interestMinor);
    expect(accruedInterestTo(terms, first, first.dueDate).interestMinor).toBe(first.interestMinor);

    // Grace: three days past due is still active (M1), the fourth is overdue and penalty starts,
    // counted from the due date.
    for (let day = 1; day <= 3; day += 1) {
      const closed = await closeDay();
      expect(closed.totals.delinquent).toBe(1);
      expect(closed.totals.penaltyAccruedMinor).toBe(0n);
    }
    expect(await account(loanId)).toMatchObject({ status: 'active', dpd: 3, bucket: 'M1' });
    const fourth = await closeDay();
    expect(fourth.totals.newlyOverdue).toBe(1);
    const penaltyTerms = penaltyTermsFor(terms);
    const overdue = { principalMinor: first.principalMinor, interestMinor: 0n, feeMinor: 0n };
    expect(fourth.totals.penaltyAccruedMinor).toBe(
      penaltyInterest(overdue, first.dueDate, fourth.date, penaltyTerms),
    );
    expect(await account(loanId)).toMatchObject({ status: 'overdue', dpd: 4, bucket: 'M1' });
    const state = await sql<{ state: string }>`SELECT state FROM loans WHERE id = ${loanId}`.execute(
      database.db,
    );
    expect(state.rows[0]?.state).toBe('overdue');

    // To 89 DPD: penalty on the first installment's principal only until the second falls due.
    let last = fourth.date;
    while (last < addDays(first.dueDate, 89)) last = (await closeDay()).date;
    const before = await balances(loanId);
    expect(before['1134']).toBeGreaterThan(0n);
    const ninetieth = await closeDay();
    expect(ninetieth.totals.nonAccrual).toBe(1);
    const after = await balances(loanId);
    expect(after['1132'] ?? 0n).toBe(0n);
    expect(after['1134'] ?? 0n).toBe(0n);
    // Everything accrued and unpaid is now off balance: what was receivable plus the 90th day.
    expect((after['7001'] ?? 0n) + (after['7002'] ?? 0n)).toBe(
      (before['1132'] ?? 0n) +
        (before['1134'] ?? 0n) +
        ninetieth.totals.interestAccruedMinor +
        ninetieth.totals.penaltyAccruedMinor,
    );
    expect(await account(loanId)).toMatchObject({ non_accrual_since: ninetieth.date, bucket: 'M3' });

    // Accruals continue off balance; at 180 DPD the loan is written off.
    let closed = ninetieth;
    while (closed.totals.writtenOff === 0) closed = await closeDay();
    expect(closed.date).toBe(addDays(first.dueDate, 180));
    expect(closed.totals.writtenOffPrincipalMinor).toBe(schedule.financedPrincipalMinor);
    const written = await balances(loanId);
    expect(written['1301'] ?? 0n).toBe(0n);
    expect(written['6702']).toBe(schedule.financedPrincipalMinor);
    expect(await account(loanId)).toMatchObject({ status: 'written_off', bucket: 'M6' });
    const loan = await sql<{ state: string }>`SELECT state FROM loans WHERE id = ${loanId}`.execute(
      database.db,
    );
    expect(loan.rows[0]?.state).toBe('written_off');
    // Bucket history: M0→M1, M1→M2, M2→M3, M3→M4, M4→M5, M5→M6.
    const history = await sql<{ bucket_from: string; bucket_to: string; dpd: number }>`
      SELECT bucket_from, bucket_to, dpd FROM servicing_delinquency_history WHERE loan_id = ${loanId} ORDER BY id`.execute(
      database.db,
    );
    expect(history.rows).toEqual([
      { bucket_from: 'M0', bucket_to: 'M1', dpd: 1 },
      { bucket_from: 'M1', bucket_to: 'M2', dpd: 31 },
      { bucket_from: 'M2', bucket_to: 'M3', dpd: 61 },
      { bucket_from: 'M3', bucket_to: 'M4', dpd: 91 },
      { bucket_from: 'M4', bucket_to: 'M5', dpd: 121 },
      { bucket_from: 'M5', bucket_to: 'M6', dpd: 151 },
    ]);
    // Closed accounts are left alone.
    expect((await closeDay()).totals.loans).toBe(0);
  });

  it('splits every line between a shared loan’s funders exactly, and a repeated close changes nothing', async () => {
    const start = (await getBusinessDate(database.db)) as LocalDate;
    const terms = loanTerms({
      principalMinor: 333_333n,
      method: 'equal_principal',
      termCount: 3,
      startDate: start,
      annualRate: new Decimal('0.1234'),
    });
    const { loanId, schedule } = await seedLoan(database.db, terms, {
      shares: [
        { funderId: 'bank', shareBp: 3333 },
        { funderId: 'own', shareBp: 6667 },
      ],
    });
    const first = schedule.installments[0];
    if (first === undefined) throw new Error('no installment');
    while ((await closeDay()).date < first.dueDate);
    const byFunder = await sql<{ funder_id: string; amount: string }>`
      SELECT l.funder_id, sum(l.amount_minor)::text AS amount FROM ledger_lines l
      JOIN ledger_accounts a ON a.id = l.account_id
      WHERE l.loan_id = ${loanId} AND a.code = '1132' GROUP BY l.funder_id ORDER BY l.funder_id`.execute(
      database.db,
    );
    const total = byFunder.rows.reduce((s, r) => s + BigInt(r.amount), 0n);
    expect(total).toBe(first.interestMinor);
    // Each day's split is within a fen of the share, so the period's is within a fen per day.
    const bank = BigInt(byFunder.rows.find((r) => r.funder_id === 'bank')?.amount ?? '0');
    const exact = (first.interestMinor * 3333n) / 10_000n;
    expect(bank - exact).toBeLessThanOrEqual(BigInt(first.dueDate > start ? 31 : 0));
    expect(exact - bank).toBeLessThanOrEqual(31n);

    // The same date once more, without advancing: every account is closed for it already, and
    // a second close in the same transaction finds nothing and posts nothing.
    const again = await database.db.transaction().execute(async (trx) => {
      const date = await getBusinessDate(trx);
      const once = await closeAccountsForDay(trx, date, everything);
      const count = async () =>
        (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ledger_lines`.execute(trx)).rows[0]?.n;
      const lines = await count();
      const twice = await closeAccountsForDay(trx, date, everything);
      return { once, twice, added: (await count()) !== lines };
    });
    expect(again.once.loans).toBe(1);
    expect(again.twice).toMatchObject({ loans: 0, interestAccruedMinor: 0n });
    expect(again.added).toBe(false);
  });
});
