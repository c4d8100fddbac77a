import type { LoanState } from '@fenqi/core';
import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';
import type { DateString } from '../../platform/tables.ts';

// Tables owned by the loans module (migration 0020): orders, loans, their schedules by version,
// state changes and refunds.

export type OrderStatus = 'open' | 'accepted' | 'cancelled' | 'expired';
export type LoanKind = 'merchant_order' | 'cash_drawdown';
export type RefundKind = 'partial' | 'full' | 'cooling_off';

export type OrderItem = { name: string; quantity: number; unitPriceMinor: string };

export interface LoanOrderTable {
  id: string;
  merchant_id: string;
  merchant_order_id: string;
  product_code: string;
  amount_minor: bigint;
  currency: 'CNY';
  items: ColumnType<OrderItem[], string, never>;
  request_sha256: string;
  customer_phone_enc: string | null;
  customer_phone_bidx: string | null;
  customer_phone_masked: string | null;
  return_url: string | null;
  token_sha256: string;
  status: OrderStatus;
  cancel_reason: string | null;
  loan_id: string | null;
  expires_at: Date;
  business_date: DateString;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface LoanTable {
  id: string;
  loan_no: string;
  kind: LoanKind;
  customer_id: string;
  borrower_id: string;
  order_id: string | null;
  merchant_id: string | null;
  line_id: string;
  product_code: string;
  product_version_id: string;
  product_version: number;
  grade: string;
  state: LoanState;
  currency: 'CNY';
  principal_minor: bigint;
  outstanding_principal_minor: bigint;
  disbursed_minor: bigint;
  merchant_discount_minor: bigint;
  payout_minor: bigint;
  method: string;
  term_count: number;
  price_kind: 'annual_rate' | 'period_fee_rate';
  price_rate: string;
  apr_simple: string;
  apr_irr: string;
  /** Every input of the schedule, as stored by terms.ts (bigints and decimals as strings). */
  terms: ColumnType<Record<string, unknown>, string, string>;
  schedule_version: ColumnType<number, number | undefined, number>;
  start_date: DateString;
  maturity_date: DateString;
  cooling_off_days: number;
  payee_card_id: string | null;
  disbursement_channel: string;
  disbursement_attempts: ColumnType<number, number | undefined, number>;
  disbursement_order_no: string | null;
  disbursed_on: DateString | null;
  closed_on: DateString | null;
  close_reason: string | null;
  contract_no: string;
  contract_sha256: string;
  contract_pdf: Buffer;
  business_date: DateString;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface LoanInstallmentTable {
  loan_id: string;
  schedule_version: number;
  number: number;
  period_start: DateString;
  due_date: DateString;
  principal_minor: bigint;
  interest_minor: bigint;
  fee_minor: bigint;
  total_minor: bigint;
  balance_minor: bigint;
}

export interface LoanStateChangeTable {
  id: Generated<bigint>;
  loan_id: string;
  from_state: LoanState | null;
  to_state: LoanState;
  event: string;
  reason: string | null;
  source_ref: string | null;
  business_date: DateString;
  at: ColumnType<Date, never, never>;
}

export interface LoanRefundTable {
  id: string;
  loan_id: string;
  merchant_refund_id: string;
  amount_minor: bigint;
  kind: RefundKind;
  schedule_version: number;
  entry_id: bigint;
  business_date: DateString;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export interface LoanTables {
  loan_orders: LoanOrderTable;
  loans: LoanTable;
  loan_installments: LoanInstallmentTable;
  loan_state_changes: LoanStateChangeTable;
  loan_refunds: LoanRefundTable;
}

export type LoansDb = Kysely<LoanTables> | Transaction<LoanTables>;
export type LoansTx = Transaction<LoanTables>;
