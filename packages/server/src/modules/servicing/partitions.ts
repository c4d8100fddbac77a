import { sql } from 'kysely';
import type { Tx } from '../../platform/db.ts';
import type { DateString } from '../../platform/tables.ts';

// What close of business (modules/cob) needs to know of the open accounts to split a day's close
// into partitions by loan-id range, read here because the accounts are servicing's. The ranges
// tile the whole id space, so an account opened after planning still falls into one of them.

/** The smallest uuid: the first range starts here. */
export const loanIdMin = '00000000-0000-0000-0000-000000000000';

/** [from, to) of loan ids; `to` null is the end of the id space. */
export type LoanIdRange = { from: string; to: string | null };

export type AccountRange = LoanIdRange & { loans: number };

const notClosed = (date: DateString) =>
  sql`a.status IN ('active', 'overdue') AND a.closed_through < ${date}::date`;

/**
 * The open accounts not yet closed for `date`, as consecutive loan-id ranges of about
 * `loansPerPartition` each (sized as ntile sizes its tiles: they differ by one at most); at least
 * one range, covering every id.
 */
export async function openAccountRanges(
  trx: Tx,
  date: DateString,
  loansPerPartition: number,
): Promise<{ loans: number; ranges: AccountRange[] }> {
  const counted = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM servicing_accounts a WHERE ${notClosed(date)}`.execute(trx);
  const loans = counted.rows[0]?.n ?? 0;
  if (loans === 0) return { loans, ranges: [{ from: loanIdMin, to: null, loans: 0 }] };
  const tiles = Math.ceil(loans / loansPerPartition);
  const size = Math.floor(loans / tiles);
  const sizes = Array.from({ length: tiles }, (_, i) => size + (i < loans % tiles ? 1 : 0));
  // The first account of each range, by its position in loan-id order (one walk of the index).
  const starts: number[] = [];
  for (let i = 0, position = 1; i < tiles; position += sizes[i] ?? 0, i += 1) starts.push(position);
  const firsts = await sql<{ first: string }>`
    SELECT x.loan_id::text AS first
    FROM (
      SELECT a.loan_id, row_number() OVER (ORDER BY a.loan_id) AS position
      FROM servicing_accounts a WHERE ${notClosed(date)}
    ) x
    WHERE x.position = ANY (${starts}::int8[])
    ORDER BY x.position`.execute(trx);
  if (firsts.rows.length !== tiles) throw new Error('the open accounts changed while they were counted');
  const ranges = firsts.rows.map((row, index) => ({
    from: index === 0 ? loanIdMin : row.first,
    to: firsts.rows[index + 1]?.first ?? null,
    loans: sizes[index] ?? 0,
  }));
  return { loans, ranges };
}

/**
 * The earliest closed_through of the range's open accounts not yet closed for `date`, or null when
 * every one is: close of business closes each day from the day after it, so an account that fell
 * more than a day behind (opened after its first day was closed) catches up in its partition.
 */
export async function oldestClosedThrough(
  trx: Tx,
  date: DateString,
  range: LoanIdRange,
): Promise<DateString | null> {
  const to = range.to === null ? sql`true` : sql`a.loan_id < ${range.to}::uuid`;
  const result = await sql<{ oldest: DateString | null }>`
    SELECT min(a.closed_through) AS oldest
    FROM servicing_accounts a
    WHERE a.loan_id >= ${range.from}::uuid AND ${to} AND ${notClosed(date)}`.execute(trx);
  return result.rows[0]?.oldest ?? null;
}
