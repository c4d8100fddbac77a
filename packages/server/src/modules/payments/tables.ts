import type { PaymentOrderKind, PaymentOrderState } from '@fenqi/core';
import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';
import type { DateString } from '../../platform/tables.ts';

// Tables owned by the payments module (migration 0012_payments.sql). Encrypted columns end in
// `_enc` (field ciphertexts). Ids of other modules (loans, customers, ledger entries) are plain.

type Created = ColumnType<Date, Date | undefined, never>;

export interface PaymentCardAgreementTable {
  id: string;
  channel: string;
  customer_id: string;
  card_id: string;
  agreement_no_enc: string;
  status: 'active' | 'void';
  created_at: Created;
  voided_at: Date | null;
}

export type BindingElement = 'name' | 'idNumber' | 'cardNumber' | 'phone' | 'smsCode';

export interface PaymentCardBindingTable {
  id: string;
  order_no: string;
  channel: string;
  customer_id: string;
  card_id: string;
  status: 'sms_sent' | 'bound' | 'rejected';
  failure_code: string | null;
  failed_element: BindingElement | null;
  agreement_id: string | null;
  created_at: Created;
  finished_at: Date | null;
}

export interface PaymentOrderTable {
  id: Generated<bigint>;
  order_no: string;
  channel: string;
  kind: PaymentOrderKind;
  purpose: string;
  state: PaymentOrderState;
  amount_minor: bigint;
  currency: string;
  source_ref: string;
  loan_id: string | null;
  customer_id: string | null;
  merchant_id: string | null;
  account_name_enc: string | null;
  account_no_enc: string | null;
  account_no_masked: string | null;
  agreement_id: string | null;
  original_order_id: bigint | null;
  channel_txn_id: string | null;
  failure_code: string | null;
  failure_message: string | null;
  finished_at: Date | null;
  settled_entry_id: bigint | null;
  bounced_entry_id: bigint | null;
  business_date: DateString;
  created_at: Created;
  updated_at: Generated<Date>;
  submit_attempts: Generated<number>;
  query_attempts: Generated<number>;
  next_action_at: Date | null;
  escalated_at: Date | null;
}

export interface PaymentOrderTransitionTable {
  order_id: bigint;
  seq: number;
  from_state: PaymentOrderState;
  to_state: PaymentOrderState;
  source: 'submit' | 'callback' | 'query' | 'statement' | 'operator';
  channel_status: string | null;
  code: string | null;
  at: Created;
}

export type CallbackOutcome = 'applied' | 'stale' | 'conflict' | 'amount_mismatch' | 'unknown_order';

export interface PaymentCallbackTable {
  channel: string;
  txn_id: string;
  status: string;
  order_no: string;
  amount_minor: bigint;
  outcome: CallbackOutcome;
  received_at: Created;
  repeats: Generated<number>;
}

export interface PaymentCallbackNonceTable {
  channel: string;
  nonce: string;
  seen_at: Created;
}

export interface PaymentStatementTable {
  id: Generated<bigint>;
  channel: string;
  statement_date: DateString;
  digest: string;
  /** The file as received, gzipped. */
  file_gzip: Buffer;
  row_count: number;
  gross_minor: string;
  fee_minor: string;
  refund_minor: string;
  net_minor: string;
  matched: Generated<number>;
  resolved: Generated<number>;
  differences: Generated<number>;
  ledger_expected_minor: string | null;
  ledger_posted_minor: string | null;
  fee_entry_id: bigint | null;
  imported_at: Created;
  business_date: DateString;
}

export interface PaymentStatementRowTable {
  statement_id: bigint;
  line_no: number;
  txn_id: string;
  order_no: string;
  kind: PaymentOrderKind;
  status: 'succeeded' | 'failed' | 'bounced';
  amount_minor: bigint;
  fee_minor: bigint;
  finished_at: Date;
}

export const exceptionKinds = [
  'channel_only',
  'ours_only',
  'amount_mismatch',
  'status_mismatch',
  'bounced_payout',
  'notice_amount_mismatch',
  'notice_conflict',
  'unknown_order',
  'unresolved_order',
  'ledger_mismatch',
] as const;
export type ExceptionKind = (typeof exceptionKinds)[number];

export interface PaymentExceptionTable {
  id: Generated<bigint>;
  kind: ExceptionKind;
  dedupe_key: string;
  channel: string;
  order_id: bigint | null;
  order_no: string | null;
  statement_id: bigint | null;
  our_amount_minor: bigint | null;
  channel_amount_minor: bigint | null;
  our_state: string | null;
  channel_status: string | null;
  detail: string;
  status: Generated<'open' | 'resolved'>;
  resolution: 'no_action' | 'ledger_adjustment' | null;
  resolution_note: string | null;
  adjustment_entry_id: bigint | null;
  resolved_by: string | null;
  raised_at: Created;
  resolved_at: Date | null;
  business_date: DateString;
}

export interface PaymentTables {
  payment_card_agreements: PaymentCardAgreementTable;
  payment_card_bindings: PaymentCardBindingTable;
  payment_orders: PaymentOrderTable;
  payment_order_transitions: PaymentOrderTransitionTable;
  payment_callbacks: PaymentCallbackTable;
  payment_callback_nonces: PaymentCallbackNonceTable;
  payment_statements: PaymentStatementTable;
  payment_statement_rows: PaymentStatementRowTable;
  payment_exceptions: PaymentExceptionTable;
}

/** A connection typed with this context's tables only (its store's SQL). */
export type PaymentsDb = Kysely<PaymentTables> | Transaction<PaymentTables>;
export type PaymentsTx = Transaction<PaymentTables>;
