import { type DelinquencyBucket, delinquencyBuckets } from '@fenqi/core';
import { type RawBuilder, sql } from 'kysely';
import type { DB, Tx } from '../../platform/db.ts';
import type { DateString } from '../../platform/tables.ts';
import { type AccountStatus, type TransactionKind, transactionKinds } from './tables.ts';

// The servicing figures of the management reports (modules/reports, docs/reports.md): the book by
// bucket and status, delinquent principal by disbursal cohort and month on book, bucket roll
// rates, the funders' part of the principal and the day's transactions. Each is one set-based
// statement over servicing's own rows, grouped in SQL.
//
// A loan's state at a past month end is not stored: it is read from what servicing keeps.
//   - bucket:    the last delinquency-history row dated on or before the month end (every bucket
//                change writes one, dated with the business date it happened on — close of
//                business with the date it closes, a repayment with the open date), else M0;
//   - closed:    paid off or written off once the account's closed_on is on or before it;
//   - principal: today's principal outstanding plus the principal of the transactions booked
//                after the month end (a reversal's counts back): every change of principal is a
//                transaction, except a merchant refund closing the account (refund-sync.ts).

/** Account states at a month end: a bucket while open, or closed as paid off or written off. */
export const monthEndStates = [...delinquencyBuckets, 'paid_off', 'written_off'] as const;
export type MonthEndState = (typeof monthEndStates)[number];

/** Buckets past 30 days (M2 = 31–60 DPD and later): a loan in one is "M1+" in a vintage curve. */
const pastThirtyDays = delinquencyBuckets.slice(2);

/** Money-in kinds: what a borrower (or a transfer, or a credit balance) paid onto a loan. */
export const repaymentKinds: readonly TransactionKind[] = [
  'repayment',
  'auto_debit',
  'offline',
  'payoff',
  'prepayment',
];

const openStatuses = sql`('active', 'overdue')`;

/**
 * Each (loan_id, month_end) of `points` with the loan's state at the end of that day. The bucket is
 * the newest history row on or before the date (rows of a loan are written in date order, so the
 * newest id is the latest; the (loan_id, id) index is read backwards).
 */
function statesAt(points: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`
    SELECT p.loan_id, p.month_end,
           CASE WHEN a.closed_on <= p.month_end
                  THEN CASE WHEN a.status = 'written_off' THEN 'written_off' ELSE 'paid_off' END
                ELSE coalesce((SELECT h.bucket_to FROM servicing_delinquency_history h
                               WHERE h.loan_id = p.loan_id AND h.business_date <= p.month_end
                               ORDER BY h.id DESC LIMIT 1), 'M0')
           END AS state
    FROM (${points}) p JOIN servicing_accounts a ON a.loan_id = p.loan_id`;
}

export type BookFigures = {
  /** The earliest closed-through date among the open accounts: the figures are as of it or later. */
  closedThroughEarliest: DateString | null;
  loans: number;
  principalMinor: bigint;
  /** Interest accrued through each account's closed-through date, less paid and waived. */
  interestMinor: bigint;
  /** Period fees charged, less paid and waived. */
  feeMinor: bigint;
  penaltyMinor: bigint;
  /** Every bucket M0…M7, in order, open accounts only. */
  byBucket: { bucket: DelinquencyBucket; loans: number; principalMinor: bigint }[];
  /** Every account status, in order; principal of a written-off loan is what was written off. */
  byStatus: { status: AccountStatus; loans: number; principalMinor: bigint }[];
};

/** The book as close of business last closed it, in one snapshot of the connection given. */
export async function bookFigures(db: DB | Tx): Promise<BookFigures> {
  const totals = await sql<{
    loans: number;
    principal: string;
    interest: string;
    fee: string;
    penalty: string;
    earliest: DateString | null;
  }>`
    WITH open_accounts AS (
      SELECT loan_id, principal_outstanding, closed_through, day_count, rounding
      FROM servicing_accounts WHERE status IN ${openStatuses}
    ),
    owed AS (
      SELECT sum(CASE WHEN i.due_date <= o.closed_through THEN i.interest_due
                      WHEN i.period_start < o.closed_through THEN
                        fenqi_accrued_interest(i.acc_num, i.acc_den, i.acc_days, i.interest_due,
                                               fenqi_accrual_days(i.period_start, o.closed_through, o.day_count),
                                               o.rounding)
                      ELSE 0 END
                 - i.interest_paid - i.interest_waived) AS interest,
             sum(CASE WHEN i.fee_charged THEN i.fee_due - i.fee_paid - i.fee_waived ELSE 0 END) AS fee,
             sum(i.penalty_accrued - i.penalty_paid - i.penalty_waived) AS penalty
      FROM open_accounts o JOIN servicing_installments i ON i.loan_id = o.loan_id
    )
    SELECT (SELECT count(*)::int FROM open_accounts) AS loans,
           (SELECT coalesce(sum(principal_outstanding), 0)::text FROM open_accounts) AS principal,
           coalesce(owed.interest, 0)::text AS interest, coalesce(owed.fee, 0)::text AS fee,
           coalesce(owed.penalty, 0)::text AS penalty,
           (SELECT min(closed_through) FROM open_accounts) AS earliest
    FROM owed`.execute(db);
  const buckets = await sql<{ bucket: DelinquencyBucket; loans: number; principal: string }>`
    SELECT b.bucket, count(a.loan_id)::int AS loans, coalesce(sum(a.principal_outstanding), 0)::text AS principal
    FROM unnest(${[...delinquencyBuckets]}::text[]) WITH ORDINALITY AS b (bucket, n)
    LEFT JOIN servicing_accounts a ON a.bucket = b.bucket AND a.status IN ${openStatuses}
    GROUP BY b.bucket, b.n ORDER BY b.n`.execute(db);
  const statuses = await sql<{ status: AccountStatus; loans: number; principal: string }>`
    SELECT s.status, count(a.loan_id)::int AS loans, coalesce(sum(a.principal_outstanding), 0)::text AS principal
    FROM unnest(${['active', 'overdue', 'paid_off', 'written_off']}::text[]) WITH ORDINALITY AS s (status, n)
    LEFT JOIN servicing_accounts a ON a.status = s.status
    GROUP BY s.status, s.n ORDER BY s.n`.execute(db);
  const row = totals.rows[0];
  return {
    closedThroughEarliest: row?.earliest ?? null,
    loans: row?.loans ?? 0,
    principalMinor: BigInt(row?.principal ?? 0),
    interestMinor: BigInt(row?.interest ?? 0),
    feeMinor: BigInt(row?.fee ?? 0),
    penaltyMinor: BigInt(row?.penalty ?? 0),
    byBucket: buckets.rows.map((r) => ({
      bucket: r.bucket,
      loans: r.loans,
      principalMinor: BigInt(r.principal),
    })),
    byStatus: statuses.rows.map((r) => ({
      status: r.status,
      loans: r.loans,
      principalMinor: BigInt(r.principal),
    })),
  };
}

export type CohortPoint = {
  /** The disbursal month, YYYY-MM. */
  month: string;
  /** Month on book: the end of the mob-th calendar month after the disbursal month. */
  mob: number;
  /** Loans of the cohort more than 30 days past due at that month end, or written off by then. */
  loans: number;
  /** Their principal outstanding at that month end (written off: the principal written off). */
  principalMinor: bigint;
};

/**
 * For the loans disbursed from `fromMonth` (YYYY-MM) on, at every month end that has passed before
 * `open` (months on book 1, 2, …): how many of each cohort were more than 30 days past due, or
 * written off, and their principal then. Every (cohort, mob) that has ended is answered, zero or not.
 */
export async function delinquentPrincipalByCohort(
  db: DB | Tx,
  input: { fromMonth: string; open: DateString },
): Promise<CohortPoint[]> {
  // Months are counted as year × 12 + month; mob k ends with the k-th month after the disbursal month.
  const monthIndex = (date: RawBuilder<unknown>) =>
    sql`(extract(year FROM ${date})::int * 12 + extract(month FROM ${date})::int)`;
  const points = sql`
    SELECT a.loan_id, k.mob, to_char(a.opened_on, 'YYYY-MM') AS month,
           ((date_trunc('month', a.opened_on::timestamp) + make_interval(months => k.mob + 1))::date - 1) AS month_end
    FROM servicing_accounts a
    CROSS JOIN LATERAL generate_series(1, ${monthIndex(sql`${input.open}::date`)} - ${monthIndex(sql`a.opened_on`)} - 1)
      AS k (mob)
    WHERE a.opened_on >= ${`${input.fromMonth}-01`}::date`;
  const rows = await sql<{ month: string; mob: number; loans: number; principal: string }>`
    WITH points AS MATERIALIZED (${points}),
    states AS MATERIALIZED (${statesAt(sql`SELECT loan_id, month_end FROM points`)}),
    bad AS (
      SELECT s.loan_id, s.month_end,
             a.principal_outstanding
             + coalesce((SELECT sum(CASE WHEN t.kind = 'reversal' THEN -t.principal_minor ELSE t.principal_minor END)
                         FROM servicing_transactions t
                         WHERE t.loan_id = s.loan_id AND t.business_date > s.month_end), 0) AS principal
      FROM states s JOIN servicing_accounts a ON a.loan_id = s.loan_id
      WHERE s.state = 'written_off' OR s.state = ANY(${[...pastThirtyDays]}::text[])
    )
    SELECT p.month, p.mob, count(b.loan_id)::int AS loans, coalesce(sum(b.principal), 0)::text AS principal
    FROM points p LEFT JOIN bad b ON b.loan_id = p.loan_id AND b.month_end = p.month_end
    GROUP BY p.month, p.mob
    ORDER BY p.month, p.mob`.execute(db);
  return rows.rows.map((r) => ({
    month: r.month,
    mob: r.mob,
    loans: r.loans,
    principalMinor: BigInt(r.principal),
  }));
}

export type BucketRoll = { month: string; from: DelinquencyBucket; to: MonthEndState; loans: number };

/**
 * For each of `months` calendar months from `fromMonth` (YYYY-MM): every loan open at the end of
 * the month before, counted by its bucket then (`from`) and its state at the end of the month
 * (`to`: a bucket, paid_off or written_off). Only pairs with loans are answered.
 */
export async function bucketRolls(
  db: DB | Tx,
  input: { fromMonth: string; months: number },
): Promise<BucketRoll[]> {
  const first = sql`${`${input.fromMonth}-01`}::date`;
  // n = 0 is the end of the month before the first; n = months the end of the last.
  const points = sql`
    SELECT a.loan_id, e.month_end
    FROM generate_series(0, ${input.months}::int) AS n
    CROSS JOIN LATERAL (SELECT (${first} + make_interval(months => n.n))::date - 1 AS month_end) e
    -- Open at the end of the month before (a roll's from) or at this month end (the next one's).
    JOIN servicing_accounts a ON a.opened_on <= e.month_end
                             AND (a.closed_on IS NULL OR a.closed_on > (${first} + make_interval(months => n.n - 1))::date - 1)`;
  const rows = await sql<{
    month: string;
    from_state: DelinquencyBucket;
    to_state: MonthEndState;
    loans: number;
  }>`
    WITH states AS MATERIALIZED (${statesAt(points)})
    SELECT to_char(cur.month_end, 'YYYY-MM') AS month, prev.state AS from_state, cur.state AS to_state,
           count(*)::int AS loans
    FROM states prev
    JOIN states cur ON cur.loan_id = prev.loan_id
                   AND cur.month_end = ((prev.month_end + 1) + interval '1 month')::date - 1
    WHERE prev.state = ANY(${[...delinquencyBuckets]}::text[])
    GROUP BY 1, 2, 3`.execute(db);
  const rank = (state: string) => monthEndStates.indexOf(state as MonthEndState);
  return rows.rows
    .map((r) => ({ month: r.month, from: r.from_state, to: r.to_state, loans: r.loans }))
    .sort((a, b) =>
      a.month === b.month
        ? rank(a.from) - rank(b.from) || rank(a.to) - rank(b.to)
        : a.month < b.month
          ? -1
          : 1,
    );
}

export type FunderPrincipal = { funderId: string; loans: number; principalMinor: bigint };

/**
 * Principal outstanding of the open loans by funder: a loan with one funder is all theirs; a shared
 * loan's principal is split by its shares exactly as core splitByShares splits it (the floor of each
 * share, then the fen left over one each to the largest remainders, ties to the earlier share).
 */
export async function funderPrincipal(db: DB | Tx): Promise<FunderPrincipal[]> {
  const rows = await sql<{ funder_id: string; loans: number; principal: string }>`
    WITH open_accounts AS (
      SELECT loan_id, funder_id, principal_outstanding FROM servicing_accounts WHERE status IN ${openStatuses}
    ),
    shares AS (
      SELECT o.loan_id, o.funder_id, 1 AS ordinal, 10000 AS share_bp, o.principal_outstanding
      FROM open_accounts o WHERE o.funder_id IS NOT NULL
      UNION ALL
      SELECT o.loan_id, s.funder_id, s.ordinal, s.share_bp, o.principal_outstanding
      FROM open_accounts o JOIN servicing_funder_shares s ON s.loan_id = o.loan_id
      WHERE o.funder_id IS NULL
    ),
    exact AS (
      SELECT loan_id, funder_id, ordinal,
             principal_outstanding * share_bp / 10000 AS floor_part,
             principal_outstanding * share_bp % 10000 AS remainder,
             principal_outstanding
      FROM shares
    ),
    ranked AS (
      SELECT e.*,
             e.principal_outstanding - sum(e.floor_part) OVER (PARTITION BY e.loan_id) AS left_over,
             row_number() OVER (PARTITION BY e.loan_id ORDER BY e.remainder DESC, e.ordinal) AS place
      FROM exact e
    )
    SELECT funder_id, count(DISTINCT loan_id)::int AS loans,
           sum(floor_part + CASE WHEN place <= left_over THEN 1 ELSE 0 END)::text AS principal
    FROM ranked
    GROUP BY funder_id
    ORDER BY funder_id`.execute(db);
  return rows.rows.map((r) => ({
    funderId: r.funder_id,
    loans: r.loans,
    principalMinor: BigInt(r.principal),
  }));
}

export type KindFigure = { kind: TransactionKind; count: number; amountMinor: bigint };

/** Transactions booked on `date`, by kind: every kind, in the order tables.ts lists them. */
export async function transactionsOn(db: DB | Tx, date: DateString): Promise<KindFigure[]> {
  const rows = await sql<{ kind: TransactionKind; count: number; amount: string }>`
    SELECT k.kind, count(t.id)::int AS count, coalesce(sum(t.amount_minor), 0)::text AS amount
    FROM unnest(${[...transactionKinds]}::text[]) WITH ORDINALITY AS k (kind, n)
    LEFT JOIN servicing_transactions t ON t.kind = k.kind AND t.business_date = ${date}::date
    GROUP BY k.kind, k.n ORDER BY k.n`.execute(db);
  return rows.rows.map((r) => ({ kind: r.kind, count: r.count, amountMinor: BigInt(r.amount) }));
}
