import type { ColumnType, Generated, Kysely, Selectable, Transaction } from 'kysely';
import type { DateString } from '../../platform/tables.ts';

// Tables owned by the servicing module (migration 0022_servicing.sql). numeric columns arrive as
// strings (exact); bigint columns as bigint.

export type AccountStatus = 'active' | 'overdue' | 'paid_off' | 'written_off';
export type InstallmentStatus = 'future' | 'due' | 'paid';
export const transactionKinds = [
  'repayment',
  'auto_debit',
  'offline',
  'payoff',
  'prepayment',
  'overpayment_refund',
  'reversal',
  'credit_applied',
  'waiver',
] as const;
export type TransactionKind = (typeof transactionKinds)[number];

export interface ServicingAccountTable {
  loan_id: string;
  loan_no: string;
  customer_id: string;
  line_id: string;
  product_code: string;
  product_version_id: string;
  method: string;
  currency: 'CNY';
  posting_basis: 'accrual' | 'cash';
  rounding: string;
  day_count: string;
  penalty_rate_num: string;
  penalty_rate_den: string;
  basis_days: number;
  grace_days: number;
  write_off_dpd: number;
  revolving: boolean;
  funder_id: string | null;
  status: AccountStatus;
  schedule_version: number;
  closed_through: DateString;
  cur_number: number | null;
  cur_period_start: DateString | null;
  cur_due_date: DateString | null;
  cur_interest: bigint | null;
  acc_num: string | null;
  acc_den: string | null;
  acc_days: number | null;
  oldest_unpaid_due: DateString | null;
  dpd: ColumnType<number, number | undefined, number>;
  bucket: ColumnType<string, string | undefined, string>;
  non_accrual_since: DateString | null;
  principal_outstanding: bigint;
  credit_balance: ColumnType<bigint, bigint | undefined, bigint>;
  opened_on: DateString;
  closed_on: DateString | null;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface ServicingFunderShareTable {
  loan_id: string;
  ordinal: number;
  funder_id: string;
  share_bp: number;
}

export interface ServicingInstallmentTable {
  loan_id: string;
  number: number;
  period_start: DateString;
  due_date: DateString;
  principal_due: bigint;
  interest_due: bigint;
  fee_due: bigint;
  opening_balance: bigint;
  acc_num: string;
  acc_den: string;
  acc_days: number;
  principal_paid: ColumnType<bigint, bigint | undefined, bigint>;
  interest_paid: ColumnType<bigint, bigint | undefined, bigint>;
  fee_paid: ColumnType<bigint, bigint | undefined, bigint>;
  interest_waived: ColumnType<bigint, bigint | undefined, bigint>;
  fee_waived: ColumnType<bigint, bigint | undefined, bigint>;
  penalty_waived: ColumnType<bigint, bigint | undefined, bigint>;
  penalty_accrued: ColumnType<bigint, bigint | undefined, bigint>;
  penalty_paid: ColumnType<bigint, bigint | undefined, bigint>;
  penalty_from: DateString | null;
  penalty_base: ColumnType<bigint, bigint | undefined, bigint>;
  penalty_days: ColumnType<number, number | undefined, number>;
  fee_charged: ColumnType<boolean, boolean | undefined, boolean>;
  status: InstallmentStatus;
  settled_on: DateString | null;
}

export interface ServicingTransactionTable {
  id: string;
  loan_id: string;
  customer_id: string;
  kind: TransactionKind;
  source_ref: string;
  amount_minor: bigint;
  principal_minor: ColumnType<bigint, bigint | undefined, never>;
  interest_minor: ColumnType<bigint, bigint | undefined, never>;
  fee_minor: ColumnType<bigint, bigint | undefined, never>;
  penalty_minor: ColumnType<bigint, bigint | undefined, never>;
  prepayment_fee_minor: ColumnType<bigint, bigint | undefined, never>;
  overpayment_minor: ColumnType<bigint, bigint | undefined, never>;
  allocation: ColumnType<AllocationJson[], string | undefined, never>;
  penalty_segments: ColumnType<PenaltySegmentJson[], string | undefined, never>;
  channel: string | null;
  entry_id: bigint | null;
  reverses: string | null;
  reversed_by: ColumnType<string | null, string | null | undefined, string | null>;
  reason: string | null;
  business_date: DateString;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export type AllocationJson = { number: number; component: string; amountMinor: string };
/** An installment's penalty segment before a payment restarted it (accruedBefore: before `from`). */
export type PenaltySegmentJson = {
  number: number;
  from: string;
  base: string;
  days: number;
  accruedBefore: string;
};

export interface ServicingDelinquencyHistoryTable {
  id: Generated<bigint>;
  loan_id: string;
  business_date: DateString;
  dpd: number;
  bucket_from: string;
  bucket_to: string;
  cause: 'close_of_business' | 'repayment' | 'reversal' | 'waiver';
  at: ColumnType<Date, never, never>;
}

export interface ServicingDayCloseTable {
  business_date: DateString;
  started_at: ColumnType<Date, never, never>;
}

export interface ServicingTables {
  servicing_accounts: ServicingAccountTable;
  servicing_funder_shares: ServicingFunderShareTable;
  servicing_installments: ServicingInstallmentTable;
  servicing_transactions: ServicingTransactionTable;
  servicing_delinquency_history: ServicingDelinquencyHistoryTable;
  servicing_day_close: ServicingDayCloseTable;
}

export type ServicingDb = Kysely<ServicingTables> | Transaction<ServicingTables>;
export type ServicingTx = Transaction<ServicingTables>;

export type AccountRow = Selectable<ServicingAccountTable>;
export type InstallmentRow = Selectable<ServicingInstallmentTable>;
export type TransactionRow = Selectable<ServicingTransactionTable>;
export type HistoryRow = Selectable<ServicingDelinquencyHistoryTable>;
