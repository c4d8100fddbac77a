import { accruedInterestTo, localDate } from '@fenqi/core';
import { type Selectable, sql } from 'kysely';
import { expect } from 'vitest';
import { wholeSchema } from '../../src/modules/database.ts';
import { fenceLedgerForDayClose, getLoanBalance } from '../../src/modules/ledger/service.ts';
import { loanTermsById } from '../../src/modules/loans/service.ts';
import {
  applyCreditBalances,
  closeAccountsForDay,
  loanServicingForStaff,
} from '../../src/modules/servicing/service.ts';
import type { ServicingAccountTable, ServicingInstallmentTable } from '../../src/modules/servicing/tables.ts';
import {
  advanceBusinessDate,
  getBusinessDate,
  setInitialBusinessDate,
} from '../../src/platform/business-date.ts';
import type { DB } from '../../src/platform/db.ts';
import type { DateString } from '../../src/platform/tables.ts';
import { until } from '../loans/support.ts';

// What the repayment tests share: business dates moved as close of business moves them (without
// modules/cob: one transaction that fences the ledger, closes every open account for the open
// date, applies credit balances to what fell due, and advances the date), servicing's figures of a
// loan, the ledger's per-loan balances checked against them, and the row counts a refused request
// must leave as they were.

const everyLoan = { from: '00000000-0000-0000-0000-000000000000', to: null, key: 'test' } as const;

/** A fresh database's first business date (before any day is closed). */
export async function startOn(db: DB, date: DateString): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const set = await setInitialBusinessDate(trx, date);
    if (!set.ok) throw new Error(set.reason);
  });
}

/** Closes the open business date for every account and opens the next; answers the new date. */
export async function closeDay(db: DB): Promise<DateString> {
  return db.transaction().execute(async (trx) => {
    const date = await getBusinessDate(trx);
    await fenceLedgerForDayClose(trx);
    await closeAccountsForDay(trx, date, everyLoan, date);
    await applyCreditBalances(trx, date, null);
    return advanceBusinessDate(trx, date);
  });
}

/** Closes day after day until `last` is closed (the open date is then the day after it). */
export async function closeDaysThrough(db: DB, last: DateString): Promise<DateString> {
  let open = await getBusinessDate(db);
  while (open <= last) open = await closeDay(db);
  return open;
}

export type Account = Selectable<ServicingAccountTable>;
export type InstallmentRow = Selectable<ServicingInstallmentTable>;

export async function servicing(
  db: DB,
  loanId: string,
): Promise<{ account: Account; rows: InstallmentRow[] }> {
  const s = wholeSchema(db);
  const account = await s
    .selectFrom('servicing_accounts')
    .selectAll()
    .where('loan_id', '=', loanId)
    .executeTakeFirstOrThrow();
  const rows = await s
    .selectFrom('servicing_installments')
    .selectAll()
    .where('loan_id', '=', loanId)
    .orderBy('number')
    .execute();
  return { account, rows };
}

/** Waits for the servicing.open-account consumer (on loans.loan-disbursed) to open the account. */
export async function accountOpened(db: DB, loanId: string): Promise<void> {
  await until(async () => {
    const found = await wholeSchema(db)
      .selectFrom('servicing_accounts')
      .select('loan_id')
      .where('loan_id', '=', loanId)
      .executeTakeFirst();
    return found !== undefined;
  });
}

export async function loanLedger(db: DB, loanId: string): Promise<Record<string, bigint>> {
  const rows = await getLoanBalance(db, loanId);
  return Object.fromEntries(rows.map((row) => [row.code, row.balance.balanceMinor]));
}

/**
 * The oracle: what the ledger must hold for the loan, computed from servicing's rows with core
 * (accruedInterestTo for the current period), and the ledger's per-loan balances compared to it.
 * Interest paid ahead of its accrual shows as a negative receivable until close of business
 * accrues it (or the loan closes: a paid-off loan has earned all its interest). The servicing read
 * (GET /api/v1/loans/{loanId}/servicing, the borrower's the same figures) must answer the same
 * totals, open or paid off.
 */
export async function expectLedgerMatchesServicing(db: DB, loanId: string): Promise<void> {
  // The read first: it catches the account up, should it be behind, before the rows are read.
  const read = await loanServicingForStaff(db, loanId);
  const { account, rows } = await servicing(db, loanId);
  const terms = await loanTermsById(db, loanId);
  const closed = localDate(account.closed_through);
  let interest = 0n;
  let fee = 0n;
  let penalty = 0n;
  for (const row of rows) {
    const installment = {
      number: row.number,
      periodStart: localDate(row.period_start),
      dueDate: localDate(row.due_date),
      principalMinor: row.principal_due,
      interestMinor: row.interest_due,
      feeMinor: row.fee_due,
      totalMinor: row.principal_due + row.interest_due + row.fee_due,
      balanceMinor: row.opening_balance - row.principal_due,
    };
    const accrued =
      account.status === 'paid_off' || row.due_date <= account.closed_through
        ? row.interest_due
        : row.number === account.cur_number
          ? accruedInterestTo(terms, installment, closed).interestMinor
          : 0n;
    interest += accrued - row.interest_paid - row.interest_waived;
    fee += (row.fee_charged ? row.fee_due - row.fee_waived : 0n) - row.fee_paid;
    penalty += row.penalty_accrued - row.penalty_paid - row.penalty_waived;
  }
  const ledger = await loanLedger(db, loanId);
  expect({
    '1301': ledger['1301'] ?? 0n,
    '1132': ledger['1132'] ?? 0n,
    '1133': ledger['1133'] ?? 0n,
    '1134': ledger['1134'] ?? 0n,
    '2241': ledger['2241'] ?? 0n,
  }).toEqual({
    '1301': account.principal_outstanding,
    '1132': interest,
    '1133': fee,
    '1134': penalty,
    '2241': account.credit_balance,
  });
  expect({
    '1301': read.totals.principalOutstandingMinor,
    '1132': read.totals.interestReceivableMinor,
    '1133': read.totals.feeReceivableMinor,
    '1134': read.totals.penaltyOutstandingMinor,
    '2241': read.account.creditBalanceMinor,
  }).toEqual({
    '1301': ledger['1301'] ?? 0n,
    '1132': ledger['1132'] ?? 0n,
    '1133': ledger['1133'] ?? 0n,
    '1134': ledger['1134'] ?? 0n,
    '2241': ledger['2241'] ?? 0n,
  });
}

const countedTables = [
  'servicing_transactions',
  'servicing_delinquency_history',
  'ledger_entries',
  'ledger_lines',
  'payment_orders',
  'outbox_events',
  'loan_state_changes',
  'loan_installments',
  'credit_line_history',
  'approval_requests',
];

/** Row counts of every table a repayment may write, and the account's rows themselves. */
export async function writtenState(db: DB, loanId: string) {
  const counts: Record<string, number> = {};
  for (const table of countedTables) {
    // Events about this loan only: workers publish others meanwhile (notifications.delivered).
    const where =
      table === 'outbox_events' ? sql`WHERE subject_id = ${loanId} OR payload->>'loanId' = ${loanId}` : sql``;
    const row = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)} ${where}`.execute(
      db,
    );
    counts[table] = row.rows[0]?.n ?? 0;
  }
  const { account, rows } = await servicing(db, loanId).catch(() => ({ account: null, rows: [] }));
  const { updated_at: _updated, ...figures } = account ?? { updated_at: null };
  return { counts, account: figures, rows };
}
