import type { DB, Tx } from '../../platform/db.ts';
import type { DateString } from '../../platform/tables.ts';
import type { LedgerDb, Side } from './tables.ts';

// One loan's journal lines of chosen event types, newest entry first, a page at a time: what
// servicing shows as a loan's accrual history (accrual, penalty_accrual, fee_charge, non_accrual,
// write_off). The lines index on (loan_id, account_id, business_date) finds the loan's lines; the
// entry gives the event type, so a loan with years of repayments still reads one index range.

export const loanLinesPageMax = 500;

/** Where a page ended: the last line shown. Lines run by entry (newest first), then line number. */
export type LoanLinePosition = { entryId: bigint; lineNo: number };

export type LoanLine = {
  entryId: bigint;
  lineNo: number;
  /** The business date the line was booked on (an inline catch-up books on the open date). */
  businessDate: DateString;
  eventType: string;
  description: string;
  code: string;
  side: Side;
  amountMinor: bigint;
  funderId: string | null;
  postedAt: Date;
};

export async function listLoanLines(
  db: DB | Tx,
  request: {
    loanId: string;
    eventTypes: readonly string[];
    limit: number;
    after?: LoanLinePosition | undefined;
  },
): Promise<{ lines: LoanLine[]; next: LoanLinePosition | null }> {
  if (request.eventTypes.length === 0) return { lines: [], next: null };
  const limit = Math.min(Math.max(request.limit, 1), loanLinesPageMax);
  const t = db as LedgerDb;
  let query = t
    .selectFrom('ledger_lines as l')
    .innerJoin('ledger_entries as e', 'e.id', 'l.entry_id')
    .innerJoin('ledger_accounts as a', 'a.id', 'l.account_id')
    .select([
      'l.entry_id',
      'l.line_no',
      'l.business_date',
      'e.event_type',
      'e.description',
      'a.code',
      'l.side',
      'l.amount_minor',
      'l.funder_id',
      'e.posted_at',
    ])
    .where('l.loan_id', '=', request.loanId)
    .where('e.event_type', 'in', [...request.eventTypes]);
  const after = request.after;
  if (after !== undefined) {
    query = query.where((eb) =>
      eb.or([
        eb('l.entry_id', '<', after.entryId),
        eb.and([eb('l.entry_id', '=', after.entryId), eb('l.line_no', '>', after.lineNo)]),
      ]),
    );
  }
  const rows = await query.orderBy('l.entry_id', 'desc').orderBy('l.line_no', 'asc').limit(limit).execute();
  const lines = rows.map((row) => ({
    entryId: row.entry_id,
    lineNo: row.line_no,
    businessDate: row.business_date,
    eventType: row.event_type,
    description: row.description,
    code: row.code,
    side: row.side,
    amountMinor: row.amount_minor,
    funderId: row.funder_id,
    postedAt: row.posted_at,
  }));
  const last = lines.length === limit ? lines.at(-1) : undefined;
  return { lines, next: last === undefined ? null : { entryId: last.entryId, lineNo: last.lineNo } };
}
