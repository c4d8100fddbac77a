import type { ColumnType, Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { DateString } from '../../platform/tables.ts';

// Tables owned by the collections module (migration 0026_collections.sql).

type Created = ColumnType<Date, Date | undefined, never>;

export interface CollectionsStrategyTable {
  code: string;
  version: number;
  status: 'draft' | 'published' | 'retired';
  definition: ColumnType<unknown, string, string>;
  created_by: string;
  created_at: Created;
  published_at: Date | null;
  published_by: string | null;
}

export interface CollectionsQueueTable {
  code: string;
  name: string;
  created_at: Created;
}

export interface CollectionsQueueMemberTable {
  queue_code: string;
  agent_id: string;
  capacity: number;
  active: ColumnType<boolean, boolean | undefined, boolean>;
}

export interface CollectionsAgencyTable {
  id: string;
  name: string;
  queue_code: string;
  status: 'active' | 'suspended';
  review_date: DateString;
  capacity: number;
  created_at: Created;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface CollectionsAgencyMemberTable {
  staff_user_id: string;
  agency_id: string;
  created_at: Created;
}

export interface CollectionsCaseTable {
  id: string;
  loan_id: string;
  loan_no: string;
  customer_id: string;
  product_code: string;
  bucket: string;
  dpd: number;
  overdue_minor: bigint;
  state: string;
  queue_code: string | null;
  agent_id: string | null;
  agency_id: string | null;
  strategy_code: string | null;
  strategy_version: number | null;
  time_zone: ColumnType<string, string | undefined, string>;
  consent_from: number | null;
  consent_to: number | null;
  consent_note: string | null;
  opened_on: DateString;
  closed_on: DateString | null;
  close_reason: 'current' | 'paid_off' | 'written_off' | null;
  created_at: Created;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface CollectionsCaseHistoryTable {
  id: Generated<bigint>;
  case_id: string;
  from_state: string | null;
  to_state: string;
  event: string;
  actor: string;
  reason: string | null;
  source_ref: string | null;
  at: Created;
}

export interface CollectionsContactTargetTable {
  id: string;
  customer_id: string;
  role: 'debtor' | 'contact_person';
  relation: string;
  phone_enc: string;
  phone_bidx: string;
  phone_masked: string;
  status: 'valid' | 'invalid';
  do_not_contact: ColumnType<boolean, boolean | undefined, boolean>;
  dnc_at: Date | null;
  dnc_reason: string | null;
  source: 'customers' | 'agent';
  created_by: string;
  created_at: Created;
}

export interface CollectionsContactAttemptTable {
  id: string;
  case_id: string;
  customer_id: string;
  target_id: string;
  target_role: 'debtor' | 'contact_person';
  number_bidx: string;
  channel: 'sms' | 'voice' | 'ai_voice' | 'visit';
  outcome: 'connected' | 'unanswered' | 'invalid_number' | 'sent' | 'refused';
  refused_rule: string | null;
  refused_rules: string[] | null;
  agent_id: string;
  at: Date;
  local_date: DateString;
  note: string | null;
  recording_ref: string | null;
  request_key: string | null;
}

export interface CollectionsPromiseTable {
  id: string;
  case_id: string;
  promised_date: DateString;
  amount_minor: bigint;
  paid_minor: ColumnType<bigint, bigint | undefined, bigint>;
  status: 'open' | 'kept' | 'broken' | 'cancelled';
  agent_id: string;
  created_on: DateString;
  settled_on: DateString | null;
  created_at: Created;
}

export interface CollectionsWaiverTable {
  id: string;
  case_id: string;
  loan_id: string;
  penalty_minor: bigint;
  fee_minor: bigint;
  interest_minor: bigint;
  total_minor: bigint;
  tier: string;
  status: 'requested' | 'applied';
  approval_request_id: string;
  requested_by: string;
  reason: string;
  transaction_id: string | null;
  approved_by: string | null;
  created_at: Created;
  applied_at: Date | null;
}

export interface CollectionsProcessedEventTable {
  event_id: string;
  processed_at: Created;
}

export interface CollectionsTables {
  collections_strategies: CollectionsStrategyTable;
  collections_queues: CollectionsQueueTable;
  collections_queue_members: CollectionsQueueMemberTable;
  collections_agencies: CollectionsAgencyTable;
  collections_agency_members: CollectionsAgencyMemberTable;
  collections_cases: CollectionsCaseTable;
  collections_case_history: CollectionsCaseHistoryTable;
  collections_contact_targets: CollectionsContactTargetTable;
  collections_contact_attempts: CollectionsContactAttemptTable;
  collections_promises: CollectionsPromiseTable;
  collections_waivers: CollectionsWaiverTable;
  collections_processed_events: CollectionsProcessedEventTable;
}

export type CollectionsDb = Kysely<CollectionsTables> | Transaction<CollectionsTables>;
export type CollectionsTx = Transaction<CollectionsTables>;

export type CaseRow = Selectable<CollectionsCaseTable>;
export type TargetRow = Selectable<CollectionsContactTargetTable>;
export type AttemptRow = Selectable<CollectionsContactAttemptTable>;
export type PromiseRow = Selectable<CollectionsPromiseTable>;
export type WaiverRow = Selectable<CollectionsWaiverTable>;
export type AgencyRow = Selectable<CollectionsAgencyTable>;
export type StrategyRow = Selectable<CollectionsStrategyTable>;
