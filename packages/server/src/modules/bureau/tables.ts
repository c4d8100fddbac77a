import type { ColumnType, Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { DateString } from '../../platform/tables.ts';

// Tables owned by the bureau module (migration 0027_bureau.sql).

export type ReportEventKind =
  | 'disbursed'
  | 'overdue_repaid'
  | 'prepayment'
  | 'paid_off'
  | 'waiver'
  | 'written_off';
export type RecordStatus =
  | 'pending'
  | 'held_for_notice'
  | 'submitted'
  | 'accepted'
  | 'rejected'
  | 'superseded';

type Json<T> = ColumnType<T, string, string>;

export interface BureauEventTable {
  id: Generated<bigint>;
  event_id: string;
  loan_id: string;
  kind: ReportEventKind;
  business_date: DateString;
  facts: Json<Record<string, string | boolean | null>>;
  record_id: string | null;
  generated_on: DateString | null;
}

export interface BureauRecordTable {
  id: string;
  info_type: '210' | '220';
  loan_id: string | null;
  line_id: string | null;
  customer_id: string;
  acct_code: string;
  rpt_date: DateString;
  rpt_date_code: string;
  segments: Json<Record<string, unknown>>;
  facts: Json<Record<string, unknown>>;
  rpy_status: string | null;
  negative: ColumnType<boolean, boolean | undefined, boolean>;
  status: RecordStatus;
  validation_errors: Json<unknown[]>;
  notice_key: string | null;
  notice_delivery: ColumnType<Record<string, unknown> | null, string | null, string | null>;
  submission_id: string | null;
  feedback_code: string | null;
  feedback_reason: string | null;
  supersedes: string | null;
  superseded_by: string | null;
  retain_until: DateString | null;
  generated_on: DateString;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export interface BureauGridTable {
  loan_id: string;
  open_month: string;
  statuses: string;
  five_cate: string;
  five_cate_date: DateString;
  updated_on: DateString;
}

export interface BureauNoticeTable {
  loan_id: string;
  notice_key: string;
  notification_id: string;
  delivered_at: Date | null;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export interface BureauLineTable {
  line_id: string;
  record_id: string;
}

export interface BureauGenerationTable {
  business_date: DateString;
  reported_date: DateString;
  month_end: boolean;
  records: number;
  held: number;
  invalid: number;
  started_at: Date;
  finished_at: Date;
}

export interface BureauSubmissionTable {
  id: string;
  range_from: DateString;
  range_to: DateString;
  digest: string;
  bytes: ColumnType<bigint, bigint | number, never>;
  records: number;
  excluded: Json<unknown[]>;
  corrects: string | null;
  created_by: string;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export interface BureauSubmissionChunkTable {
  submission_id: string;
  n: number;
  xml: string;
}

export interface BureauFeedbackImportTable {
  id: string;
  submission_id: string | null;
  format: 'xml' | 'csv';
  sha256: string;
  accepted: number;
  rejected: number;
  unmatched: Json<unknown[]>;
  imported_by: string;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export interface BureauTables {
  bureau_events: BureauEventTable;
  bureau_records: BureauRecordTable;
  bureau_grids: BureauGridTable;
  bureau_notices: BureauNoticeTable;
  bureau_lines: BureauLineTable;
  bureau_generations: BureauGenerationTable;
  bureau_submissions: BureauSubmissionTable;
  bureau_submission_chunks: BureauSubmissionChunkTable;
  bureau_feedback_imports: BureauFeedbackImportTable;
}

export type BureauDb = Kysely<BureauTables> | Transaction<BureauTables>;
export type BureauTx = Transaction<BureauTables>;
export type RecordRow = Selectable<BureauRecordTable>;
export type SubmissionRow = Selectable<BureauSubmissionTable>;
