import { addMonthsTo, repaymentGrid } from '@fenqi/core';
import type { DB } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { BureauDb, RecordRow, RecordStatus } from './tables.ts';

// The bureau's reads for its routes.

const b = (db: DB) => db as unknown as BureauDb;

export function toSummary(row: RecordRow) {
  return {
    id: row.id,
    infoType: row.info_type,
    loanId: row.loan_id,
    lineId: row.line_id,
    customerId: row.customer_id,
    acctCode: row.acct_code,
    rptDate: row.rpt_date,
    rptDateCode: row.rpt_date_code,
    rpyStatus: row.rpy_status,
    negative: row.negative,
    status: row.status,
    valid: (row.validation_errors as unknown[]).length === 0,
    submissionId: row.submission_id,
    createdAt: row.created_at,
  };
}

export type RecordFilter = {
  status?: RecordStatus | undefined;
  loanId?: string | undefined;
  rptDateCode?: string | undefined;
  infoType?: '210' | '220' | undefined;
  from?: string | undefined;
  to?: string | undefined;
  after?: string | undefined;
  limit: number;
};

export async function listRecords(db: DB, filter: RecordFilter) {
  let query = b(db).selectFrom('bureau_records').selectAll();
  if (filter.status) query = query.where('status', '=', filter.status);
  if (filter.loanId) query = query.where('loan_id', '=', filter.loanId);
  if (filter.rptDateCode) query = query.where('rpt_date_code', '=', filter.rptDateCode);
  if (filter.infoType) query = query.where('info_type', '=', filter.infoType);
  if (filter.from) query = query.where('rpt_date', '>=', filter.from);
  if (filter.to) query = query.where('rpt_date', '<=', filter.to);
  if (filter.after) query = query.where('id', '>', filter.after);
  const rows = await query.orderBy('id').limit(filter.limit).execute();
  const last = rows.length === filter.limit ? rows.at(-1) : undefined;
  return { records: rows.map(toSummary), next: last?.id ?? null };
}

export async function recordDetail(db: DB, recordId: string) {
  const row = await b(db)
    .selectFrom('bureau_records')
    .selectAll()
    .where('id', '=', recordId)
    .executeTakeFirst();
  if (row === undefined) throw new AppError('not_found', `There is no record ${recordId}.`);
  return {
    ...toSummary(row),
    segments: row.segments,
    validation: row.validation_errors as never[],
    noticeKey: row.notice_key,
    noticeDelivery: row.notice_delivery,
    feedbackCode: row.feedback_code,
    feedbackReason: row.feedback_reason,
    supersedes: row.supersedes,
    supersededBy: row.superseded_by,
    retainUntil: row.retain_until,
    generatedOn: row.generated_on,
  };
}

/** A loan's 60-month grid ending with `asOfMonth` (default: its last reported month). */
export async function loanGrid(db: DB, loanId: string, asOfMonth?: string) {
  const row = await b(db)
    .selectFrom('bureau_grids')
    .selectAll()
    .where('loan_id', '=', loanId)
    .executeTakeFirst();
  if (row === undefined) throw new AppError('not_found', `Loan ${loanId} has no reported month.`);
  const last = addMonthsTo(row.open_month, Math.max(0, row.statuses.length - 1));
  const month = asOfMonth ?? last;
  return {
    loanId,
    openMonth: row.open_month,
    asOfMonth: month,
    grid: repaymentGrid(row.open_month, row.statuses, month),
    months: [...row.statuses].map((status, i) => ({ month: addMonthsTo(row.open_month, i), status })),
  };
}
