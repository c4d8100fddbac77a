import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';
import type { DateString } from '../../platform/tables.ts';

// The ledger's tables (migrations/0002_ledger.sql and the later ledger migrations, 0006 on). Only modules/ledger/store.ts touches them.

export type AccountType = 'asset' | 'liability' | 'equity' | 'income' | 'expense';
export type Side = 'debit' | 'credit';
export type AccountStatus = 'open' | 'closed';

export interface LedgerAccountTable {
  id: ColumnType<number, never, never>;
  code: string;
  currency: string;
  name_zh: string;
  name_en: string;
  type: AccountType;
  normal_side: Side;
  parent_id: number | null;
  /** Has child accounts: takes no lines (kept by a trigger when a child is opened, 0008). */
  is_group: ColumnType<boolean, never, never>;
  status: ColumnType<AccountStatus, AccountStatus | undefined, AccountStatus>;
  created_at: ColumnType<Date, never, never>;
  closed_at: Date | null;
}

/** Written only by store.ts's set-based INSERT; never updated (a trigger refuses it). */
export interface LedgerEntryTable {
  id: Generated<bigint>;
  business_date: DateString;
  posted_at: ColumnType<Date, never, never>;
  event_type: string;
  source_ref: string | null;
  idempotency_key: string;
  fingerprint: string;
  description: string;
  currency: string;
  reversal_of: bigint | null;
  xid: ColumnType<string, never, never>;
}

export interface LedgerLineTable {
  entry_id: bigint;
  line_no: number;
  business_date: DateString;
  account_id: number;
  side: Side;
  amount_minor: bigint;
  currency: string;
  loan_id: string | null;
  customer_id: string | null;
  product_id: string | null;
  merchant_id: string | null;
  funder_id: string | null;
}

/** One row: the lock that lets one fold run at a time. */
export interface LedgerBalanceFoldTable {
  singleton: ColumnType<boolean, never, never>;
  folded_at: Date;
}

/** Totals over many lines are numeric(38,0) (0006_ledger_guards.sql): pg hands them over as decimal strings. */
type NumericMinor = string;

/** A statement's effect on one account and day, written by the lines trigger, until folded. */
export interface LedgerBalanceDeltaTable {
  account_id: number;
  business_date: DateString;
  debit_minor: NumericMinor;
  credit_minor: NumericMinor;
  lines: number;
}

export interface LedgerAccountBalanceTable {
  account_id: number;
  debit_minor: NumericMinor;
  credit_minor: NumericMinor;
}

export interface LedgerAccountDailyTable {
  account_id: number;
  business_date: DateString;
  debit_minor: NumericMinor;
  credit_minor: NumericMinor;
}

export interface LedgerProductPostingTable {
  product_id: string;
  basis: 'accrual' | 'cash';
  overrides: ColumnType<unknown, string, string>;
  updated_at: ColumnType<Date, never, Date>;
}

export interface LedgerTables {
  ledger_accounts: LedgerAccountTable;
  ledger_entries: LedgerEntryTable;
  ledger_lines: LedgerLineTable;
  ledger_balance_fold: LedgerBalanceFoldTable;
  ledger_balance_deltas: LedgerBalanceDeltaTable;
  ledger_account_balances: LedgerAccountBalanceTable;
  ledger_account_daily: LedgerAccountDailyTable;
  ledger_product_posting: LedgerProductPostingTable;
}

/** A connection typed with this context's tables only (its store's SQL). */
export type LedgerDb = Kysely<LedgerTables> | Transaction<LedgerTables>;
export type LedgerTx = Transaction<LedgerTables>;
