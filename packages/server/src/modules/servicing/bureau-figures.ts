import { sql } from 'kysely';
import type { DB, Tx } from '../../platform/db.ts';
import type { DateString } from '../../platform/tables.ts';

// What credit-bureau reporting (modules/bureau) reads of servicing: each loan's figures on a
// settlement date, set-based and keyset-paginated by loan id (a month end reads every open loan:
// one statement a page, no query per loan), and whether a repayment paid an amount that was
// overdue. Read-only. The amounts are the accounts' as they stand when read (reporting runs T+1,
// the morning after the date's close of business): days past due and the overdue bands are
// counted to `asOf` from the due dates.

export type BureauFigures = {
  loanId: string;
  loanNo: string;
  customerId: string;
  lineId: string;
  revolving: boolean;
  method: string;
  status: 'active' | 'overdue' | 'paid_off' | 'written_off';
  openedOn: DateString;
  closedOn: DateString | null;
  /** The principal the schedule lends (its installments' principal). */
  loanAmountMinor: bigint;
  maturityDate: DateString;
  termCount: number;
  balanceMinor: bigint;
  /** Installments due after `asOf`. */
  remainingPeriods: number;
  /** Days from the oldest installment unpaid past its due date to `asOf`. */
  dpd: number;
  overduePeriods: number;
  /** Everything unpaid of the installments past due: principal, interest, fee, penalty. */
  totalOverdueMinor: bigint;
  overduePrincipalMinor: bigint;
  overduePrincipal31to60Minor: bigint;
  overduePrincipal61to90Minor: bigint;
  overduePrincipal91to180Minor: bigint;
  overduePrincipalOver180Minor: bigint;
  /** What the installments due within `asOf`'s month (to `asOf`) asked for. */
  dueInMonthMinor: bigint;
  dueInMonth: boolean;
  /** Money applied to the loan within the month, to `asOf` (overpayments and reversed payments left out). */
  paidInMonthMinor: bigint;
  lastRepaymentDate: DateString | null;
  lastRepaymentMinor: bigint;
};

type Row = {
  loan_id: string;
  loan_no: string;
  customer_id: string;
  line_id: string;
  revolving: boolean;
  method: string;
  status: BureauFigures['status'];
  opened_on: DateString;
  closed_on: DateString | null;
  principal_outstanding: bigint;
  loan_amount: bigint;
  maturity: DateString;
  terms: number;
  remaining: number;
  oldest: DateString | null;
  dpd: number;
  overdue_periods: number;
  total_overdue: bigint;
  overdue_principal: bigint;
  p31_60: bigint;
  p61_90: bigint;
  p91_180: bigint;
  p180: bigint;
  due_in_month: bigint;
  due_count: number;
  paid_in_month: bigint;
  last_date: DateString | null;
  last_amount: bigint | null;
};

/** Transactions that bring money to the loan (a waiver is not a repayment; a refund takes money back). */
const paying = sql`('repayment', 'auto_debit', 'offline', 'payoff', 'prepayment', 'credit_applied')`;

export type FiguresPage = {
  asOf: DateString;
  /** The last loan id of the previous page (keyset), or null for the first. */
  after: string | null;
  limit: number;
  /** These loans only (the generation of a day's events); otherwise every reportable account. */
  loanIds?: readonly string[];
};

/**
 * One page of loans' figures on `asOf`, in loan-id order. Without `loanIds`: every account opened
 * by `asOf` that is still reported monthly (open, or written off: 呆账 stays on the report).
 */
export async function bureauFiguresPage(db: DB | Tx, page: FiguresPage): Promise<BureauFigures[]> {
  const d = sql`${page.asOf}::date`;
  const monthStart = sql`date_trunc('month', ${d})::date`;
  const scope =
    page.loanIds === undefined
      ? sql`a.status IN ('active', 'overdue', 'written_off') AND a.opened_on <= ${d}`
      : sql`a.loan_id = ANY(${[...page.loanIds]}::uuid[])`;
  const after = page.after === null ? sql`true` : sql`a.loan_id > ${page.after}::uuid`;
  // The page's installments and transactions are read as one range of loan ids each (their
  // primary key and (loan_id, created_at) index lead with it) and grouped by loan, rather than
  // one lateral lookup per loan: at a million loans the lookups were most of the month end.
  const result = await sql<Row>`
    WITH a AS (
      SELECT a.loan_id, a.loan_no, a.customer_id, a.line_id, a.revolving, a.method, a.status, a.opened_on,
             a.closed_on, a.principal_outstanding
      FROM servicing_accounts a
      WHERE ${scope} AND ${after}
      ORDER BY a.loan_id
      LIMIT ${page.limit}
    ),
    -- (no min/max over uuid in PostgreSQL 15: the ends of the ordered page instead)
    span AS (SELECT (SELECT loan_id FROM a ORDER BY loan_id LIMIT 1) AS lo,
                    (SELECT loan_id FROM a ORDER BY loan_id DESC LIMIT 1) AS hi),
    x AS (
      SELECT i.*, i.status = 'due' AND i.due_date < ${d} AS overdue,
             i.principal_due - i.principal_paid AS principal_left,
             (i.principal_due - i.principal_paid) + (i.interest_due - i.interest_paid - i.interest_waived)
             + (i.fee_due - i.fee_paid - i.fee_waived) + (i.penalty_accrued - i.penalty_paid - i.penalty_waived) AS unpaid
      FROM span JOIN servicing_installments i ON i.loan_id BETWEEN span.lo AND span.hi
    ),
    i AS (
      SELECT x.loan_id,
             sum(x.principal_due)::int8 AS loan_amount, max(x.due_date)::text AS maturity, count(*)::int AS terms,
             count(*) FILTER (WHERE x.due_date > ${d})::int AS remaining,
             min(x.due_date) FILTER (WHERE x.overdue) AS oldest,
             count(*) FILTER (WHERE x.overdue)::int AS overdue_periods,
             coalesce(sum(x.unpaid) FILTER (WHERE x.overdue), 0)::int8 AS total_overdue,
             coalesce(sum(x.principal_left) FILTER (WHERE x.overdue), 0)::int8 AS overdue_principal,
             coalesce(sum(x.principal_left) FILTER (WHERE x.overdue AND ${d} - x.due_date BETWEEN 31 AND 60), 0)::int8 AS p31_60,
             coalesce(sum(x.principal_left) FILTER (WHERE x.overdue AND ${d} - x.due_date BETWEEN 61 AND 90), 0)::int8 AS p61_90,
             coalesce(sum(x.principal_left) FILTER (WHERE x.overdue AND ${d} - x.due_date BETWEEN 91 AND 180), 0)::int8 AS p91_180,
             coalesce(sum(x.principal_left) FILTER (WHERE x.overdue AND ${d} - x.due_date > 180), 0)::int8 AS p180,
             coalesce(sum(x.principal_due + x.interest_due + x.fee_due)
                      FILTER (WHERE x.due_date BETWEEN ${monthStart} AND ${d}), 0)::int8 AS due_in_month,
             count(*) FILTER (WHERE x.due_date BETWEEN ${monthStart} AND ${d})::int AS due_count
      FROM x GROUP BY x.loan_id
    ),
    t AS (
      SELECT s.loan_id,
             coalesce(sum(s.amount_minor - s.overpayment_minor) FILTER (WHERE s.business_date >= ${monthStart}), 0)::int8
               AS paid_in_month,
             max(s.business_date)::text AS last_date,
             (array_agg(s.amount_minor - s.overpayment_minor ORDER BY s.business_date DESC, s.created_at DESC))[1]::int8
               AS last_amount
      FROM span JOIN servicing_transactions s ON s.loan_id BETWEEN span.lo AND span.hi
      WHERE s.kind IN ${paying} AND s.reversed_by IS NULL AND s.business_date <= ${d}
      GROUP BY s.loan_id
    )
    SELECT a.*, i.loan_amount, i.maturity, i.terms, i.remaining, i.oldest, i.overdue_periods, i.total_overdue,
           i.overdue_principal, i.p31_60, i.p61_90, i.p91_180, i.p180, i.due_in_month, i.due_count,
           (${d} - i.oldest)::int AS dpd, coalesce(t.paid_in_month, 0)::int8 AS paid_in_month, t.last_date,
           t.last_amount
    FROM a
    JOIN i ON i.loan_id = a.loan_id
    LEFT JOIN t ON t.loan_id = a.loan_id
    ORDER BY a.loan_id`.execute(db);
  return result.rows.map(
    (row): BureauFigures => ({
      loanId: row.loan_id,
      loanNo: row.loan_no,
      customerId: row.customer_id,
      lineId: row.line_id,
      revolving: row.revolving,
      method: row.method,
      status: row.status,
      openedOn: row.opened_on,
      closedOn: row.closed_on,
      loanAmountMinor: BigInt(row.loan_amount),
      maturityDate: row.maturity,
      termCount: row.terms,
      balanceMinor: BigInt(row.principal_outstanding),
      remainingPeriods: row.remaining,
      dpd: row.oldest === null ? 0 : Math.max(0, row.dpd),
      overduePeriods: row.overdue_periods,
      totalOverdueMinor: BigInt(row.total_overdue),
      overduePrincipalMinor: BigInt(row.overdue_principal),
      overduePrincipal31to60Minor: BigInt(row.p31_60),
      overduePrincipal61to90Minor: BigInt(row.p61_90),
      overduePrincipal91to180Minor: BigInt(row.p91_180),
      overduePrincipalOver180Minor: BigInt(row.p180),
      dueInMonthMinor: BigInt(row.due_in_month),
      dueInMonth: row.due_count > 0,
      paidInMonthMinor: BigInt(row.paid_in_month),
      lastRepaymentDate: row.last_date,
      lastRepaymentMinor: row.last_amount === null ? 0n : BigInt(row.last_amount),
    }),
  );
}

/**
 * Whether a repayment paid something of an installment past its due date on the day it was
 * applied (收回逾期款项): its allocation names the installments it paid.
 */
export async function repaidOverdue(db: DB | Tx, transactionId: string): Promise<boolean> {
  const result = await sql<{ overdue: boolean }>`
    SELECT EXISTS (
      SELECT 1
      FROM servicing_transactions s
      CROSS JOIN LATERAL jsonb_array_elements(s.allocation) AS e
      JOIN servicing_installments i ON i.loan_id = s.loan_id AND i.number = (e ->> 'number')::int
      WHERE s.id = ${transactionId}::uuid AND i.due_date < s.business_date AND (e ->> 'amountMinor')::int8 > 0
    ) AS overdue`.execute(db);
  return result.rows[0]?.overdue ?? false;
}
