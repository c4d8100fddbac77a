import { sql } from 'kysely';
import type { DB, Tx } from '../../platform/db.ts';
import type { DateString } from '../../platform/tables.ts';

// The loans module's figures of the management reports (modules/reports, docs/reports.md):
// disbursements by day and by month (also the vintage cohorts' size) and the order end of the
// approval funnel. Set-based SQL over the loans module's own rows, grouped in SQL; every date or
// month of the range is answered, with zeros where nothing happened.

export type Disbursed = { loans: number; amountMinor: bigint };

/** Loans disbursed on each business date from `from` to `to` (their principal), every date listed. */
export async function disbursementsByDay(
  db: DB | Tx,
  range: { from: DateString; to: DateString },
): Promise<(Disbursed & { date: DateString })[]> {
  const rows = await sql<{ date: DateString; loans: number; amount: string }>`
    SELECT d.date::date::text AS date, count(l.id)::int AS loans, coalesce(sum(l.principal_minor), 0)::text AS amount
    FROM generate_series(${range.from}::date::timestamp, ${range.to}::date::timestamp, interval '1 day') AS d (date)
    LEFT JOIN loans l ON l.disbursed_on = d.date::date
    GROUP BY d.date ORDER BY d.date`.execute(db);
  return rows.rows.map((r) => ({ date: r.date, loans: r.loans, amountMinor: BigInt(r.amount) }));
}

/**
 * Loans disbursed in each calendar month from `fromMonth` to `toMonth` (YYYY-MM), every month
 * listed: the disbursements chart, and the size of each vintage cohort.
 */
export async function disbursementsByMonth(
  db: DB | Tx,
  range: { fromMonth: string; toMonth: string },
): Promise<(Disbursed & { month: string })[]> {
  const rows = await sql<{ month: string; loans: number; amount: string }>`
    SELECT to_char(m.first, 'YYYY-MM') AS month, count(l.id)::int AS loans,
           coalesce(sum(l.principal_minor), 0)::text AS amount
    FROM generate_series(${`${range.fromMonth}-01`}::date::timestamp, ${`${range.toMonth}-01`}::date::timestamp,
                         interval '1 month') AS m (first)
    LEFT JOIN loans l ON l.disbursed_on >= m.first::date AND l.disbursed_on < (m.first + interval '1 month')::date
    GROUP BY m.first ORDER BY m.first`.execute(db);
  return rows.rows.map((r) => ({ month: r.month, loans: r.loans, amountMinor: BigInt(r.amount) }));
}

export type OrderFunnel = {
  /** Merchant orders created in the range. */
  orders: number;
  /** Of them, those the borrower accepted (a loan was made). */
  accepted: number;
  /** Loans disbursed in the range: merchant orders' and cash drawdowns'. */
  disbursed: number;
  /** Of those, cash drawdowns (no order). */
  drawdownsDisbursed: number;
};

export async function orderFunnel(
  db: DB | Tx,
  range: { from: DateString; to: DateString },
): Promise<OrderFunnel> {
  const rows = await sql<{ orders: number; accepted: number; disbursed: number; drawdowns: number }>`
    SELECT (SELECT count(*)::int FROM loan_orders
            WHERE business_date BETWEEN ${range.from}::date AND ${range.to}::date) AS orders,
           (SELECT count(*)::int FROM loan_orders
            WHERE business_date BETWEEN ${range.from}::date AND ${range.to}::date AND loan_id IS NOT NULL) AS accepted,
           count(*)::int AS disbursed,
           count(*) FILTER (WHERE kind = 'cash_drawdown')::int AS drawdowns
    FROM loans WHERE disbursed_on BETWEEN ${range.from}::date AND ${range.to}::date`.execute(db);
  const row = rows.rows[0];
  return {
    orders: row?.orders ?? 0,
    accepted: row?.accepted ?? 0,
    disbursed: row?.disbursed ?? 0,
    drawdownsDisbursed: row?.drawdowns ?? 0,
  };
}
