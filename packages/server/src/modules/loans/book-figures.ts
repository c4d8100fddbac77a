import { sql } from 'kysely';
import type { DB, Tx } from '../../platform/db.ts';
import type { LoansDb } from './tables.ts';

// The whole book in a few figures, set-based: loans by state (count, principal lent, principal
// still outstanding) and how many were disbursed, for how much. What the simulation's summary
// prints (docs/simulation.md); any report that needs the totals can use it too.

export type StateFigures = { loans: number; principalMinor: bigint; outstandingMinor: bigint };

export type LoanBookFigures = {
  loans: number;
  byState: Record<string, StateFigures>;
  byKind: Record<string, number>;
  /** Loans whose payout succeeded (disbursed_on set), and their principal. */
  disbursed: { loans: number; principalMinor: bigint; payoutMinor: bigint };
};

export async function loanBookFigures(db: DB | Tx): Promise<LoanBookFigures> {
  const t = db as LoansDb;
  const states = await sql<{ state: string; loans: number; principal: string; outstanding: string }>`
    SELECT state, count(*)::int AS loans, sum(principal_minor)::text AS principal,
           sum(outstanding_principal_minor)::text AS outstanding
    FROM loans GROUP BY state ORDER BY state`.execute(t);
  const kinds = await sql<{ kind: string; loans: number }>`
    SELECT kind, count(*)::int AS loans FROM loans GROUP BY kind ORDER BY kind`.execute(t);
  const disbursed = await sql<{ loans: number; principal: string; payout: string }>`
    SELECT count(*)::int AS loans, coalesce(sum(principal_minor), 0)::text AS principal,
           coalesce(sum(payout_minor), 0)::text AS payout
    FROM loans WHERE disbursed_on IS NOT NULL`.execute(t);
  const byState: Record<string, StateFigures> = {};
  for (const row of states.rows)
    byState[row.state] = {
      loans: row.loans,
      principalMinor: BigInt(row.principal),
      outstandingMinor: BigInt(row.outstanding),
    };
  const total = disbursed.rows[0];
  return {
    loans: states.rows.reduce((sum, row) => sum + row.loans, 0),
    byState,
    byKind: Object.fromEntries(kinds.rows.map((row) => [row.kind, row.loans])),
    disbursed: {
      loans: total?.loans ?? 0,
      principalMinor: BigInt(total?.principal ?? '0'),
      payoutMinor: BigInt(total?.payout ?? '0'),
    },
  };
}
