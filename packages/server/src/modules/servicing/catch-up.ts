import { addDays, type LocalDate } from '@fenqi/core';
import { sql } from 'kysely';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { Tx } from '../../platform/db.ts';
import type { DateString } from '../../platform/tables.ts';
import { closeAccountsForDay } from './day-close.ts';
import type { ServicingTx } from './tables.ts';

// Inline catch-up. Close of business for date D runs while D is still the open business date, and
// the date advances only when every account is closed. In between, a request that touches an
// account close of business has not reached yet closes that account for D first, with the same
// SQL as the partitions (scoped to the one loan), so the borrower never sees D − 1's figures
// after D's close has begun — and the partition, finding the account closed, skips it.

/** Marks `date`'s close as begun (close of business calls this before its first partition). */
export async function beginDayClose(trx: Tx, date: DateString): Promise<void> {
  await sql`INSERT INTO servicing_day_close (business_date) VALUES (${date}::date) ON CONFLICT DO NOTHING`.execute(
    trx,
  );
}

/** The date accounts must be closed through before anyone reads or changes them. */
export async function closingTarget(trx: Tx): Promise<{ open: DateString; through: DateString }> {
  const open = await getBusinessDate(trx);
  const begun = await sql<{ one: number }>`
    SELECT 1 AS one FROM servicing_day_close WHERE business_date = ${open}::date`.execute(trx);
  return { open, through: begun.rows.length > 0 ? open : addDays(open as LocalDate, -1) };
}

/**
 * Brings the loan's servicing account up to date (closes every day it is behind). An account that
 * is up to date — nearly always — is only read, so readers take no lock; one that is behind is
 * locked for its close (which re-checks under the lock, so a concurrent close of the same day
 * finds nothing left to do). Returns false when the loan has no servicing account (not disbursed).
 */
export async function catchUpAccount(trx: Tx, loanId: string): Promise<boolean> {
  const t = trx as unknown as ServicingTx;
  const { open, through } = await closingTarget(trx);
  let lock = false;
  for (;;) {
    const query = t
      .selectFrom('servicing_accounts')
      .select(['closed_through', 'status'])
      .where('loan_id', '=', loanId);
    const account = await (lock ? query.forUpdate() : query).executeTakeFirst();
    if (account === undefined) return false;
    if (account.closed_through >= through || (account.status !== 'active' && account.status !== 'overdue'))
      return true;
    if (!lock) {
      lock = true;
      continue;
    }
    await closeAccountsForDay(trx, addDays(account.closed_through as LocalDate, 1), { loanId }, open);
  }
}
