import type { ColumnType, Kysely, Transaction } from 'kysely';
import type { DateString } from '../../platform/tables.ts';

// Tables owned by the risk module (migration 0015; the blacklist's are in blacklist/tables.ts).

export interface RiskPolicyVersionTable {
  id: string;
  policy_id: string;
  version: number;
  document: unknown;
  status: 'draft' | 'published' | 'retired';
  created_by: string;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
  published_at: Date | null;
  published_by: string | null;
  retired_at: Date | null;
}

export interface RiskAssignmentTable {
  singleton: ColumnType<boolean, boolean | undefined, never>;
  champion_id: string;
  challenger_id: string | null;
  challenger_share_bp: number;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface RiskApplicationTable {
  id: string;
  customer_id: string;
  device_id: string;
  status: 'in_review' | 'approved' | 'rejected';
  reasons: string[];
  line_id: string | null;
  limit_minor: bigint | null;
  price: ColumnType<{ kind: string; rate: string } | null, string | null | undefined, string | null>;
  products: ColumnType<string[], string[] | undefined, string[]>;
  business_date: DateString;
  created_at: ColumnType<Date, Date | undefined, never>;
  decided_at: Date | null;
}

export interface RiskSnapshotTable {
  application_id: string;
  features: string;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export interface RiskDecisionTable {
  id: string;
  application_id: string;
  policy_version_id: string;
  role: 'champion' | 'challenger';
  assigned: boolean;
  outcome: 'approve' | 'reject' | 'review';
  score: number;
  grade: string | null;
  credit_limit_minor: bigint | null;
  reasons: string[];
  result: string;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export interface RiskReviewTable {
  application_id: string;
  status: 'open' | 'claimed' | 'awaiting_approval' | 'decided';
  claimed_by: string | null;
  claimed_at: Date | null;
  decision: 'approve' | 'reject' | null;
  reason_code: string | null;
  note: string | null;
  limit_minor: bigint | null;
  approval_request_id: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  opened_at: ColumnType<Date, Date | undefined, never>;
  due_at: Date;
}

export interface RiskTables {
  risk_policy_versions: RiskPolicyVersionTable;
  risk_assignment: RiskAssignmentTable;
  risk_applications: RiskApplicationTable;
  risk_snapshots: RiskSnapshotTable;
  risk_decisions: RiskDecisionTable;
  risk_reviews: RiskReviewTable;
}

export type RiskDb = Kysely<RiskTables> | Transaction<RiskTables>;
export type RiskTx = Transaction<RiskTables>;
