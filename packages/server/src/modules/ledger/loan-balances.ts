import { sql } from 'kysely';
import type { DB, Tx } from '../../platform/db.ts';
import type { LedgerDb } from './tables.ts';

// Every loan's balance on a few accounts at once, read set-based from the lines' loan dimension
// (the ledger_lines_loan index): what checks across the whole book compare with servicing's own
// figures (servicing's ledger check, the simulation's summary), where getLoanBalance reads one loan.

export type LoanAccountBalanceRow = {
  loanId: string;
  code: string;
  /** Debits less credits for a debit-normal account, credits less debits otherwise. */
  balanceMinor: bigint;
};

/** Each loan's balance on each of the accounts (by code, one currency); loans without lines are absent. */
export async function loanBalancesOnAccounts(
  db: DB | Tx,
  codes: readonly string[],
  currency = 'CNY',
): Promise<LoanAccountBalanceRow[]> {
  if (codes.length === 0) return [];
  const rows = await sql<{ loan_id: string; code: string; balance: string }>`
    SELECT l.loan_id, a.code,
           sum(CASE WHEN (l.side = 'debit') = (a.normal_side = 'debit') THEN l.amount_minor ELSE -l.amount_minor END)::text
             AS balance
    FROM ledger_accounts a
    JOIN ledger_lines l ON l.account_id = a.id AND l.loan_id IS NOT NULL
    WHERE a.code = ANY(${[...codes]}::text[]) AND a.currency = ${currency}
    GROUP BY l.loan_id, a.code
    ORDER BY l.loan_id, a.code`.execute(db as LedgerDb);
  return rows.rows.map((row) => ({ loanId: row.loan_id, code: row.code, balanceMinor: BigInt(row.balance) }));
}
