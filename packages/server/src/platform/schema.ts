import type { ColumnType, Generated } from 'kysely';
import type { CustomerTables } from '../modules/customers/tables.ts';
import type { IamTables } from '../modules/iam/tables.ts';
import type { LedgerTables } from '../modules/ledger/tables.ts';
import type { CryptoTables } from './crypto/tables.ts';

// The tables the platform itself owns. Each module declares its own tables beside its store.ts
// and adds them to `Database` below, so one typed Kysely instance serves the whole monolith while
// every table still has exactly one owning module.

/** A YYYY-MM-DD business date (PostgreSQL `date`, parsed as a string, never a Date). */
export type DateString = string;

export interface BusinessDateTable {
  singleton: ColumnType<boolean, never, never>;
  business_date: DateString;
  updated_at: ColumnType<Date, never, Date>;
}

export interface BusinessDateHistoryTable {
  business_date: DateString;
  closed_at: ColumnType<Date, never, never>;
}

export interface IdempotencyKeyTable {
  caller: string;
  key: string;
  method: string;
  path: string;
  fingerprint: string;
  claim_token: string;
  state: 'in_progress' | 'completed';
  response_status: number | null;
  response_body: string | null;
  response_content_type: string | null;
  locked_until: Date | null;
  created_at: ColumnType<Date, Date | undefined, Date>;
  completed_at: Date | null;
  expires_at: Date;
}

export interface SchemaMigrationTable {
  version: number;
  name: string;
  checksum: string;
  applied_at: Generated<Date>;
}

export interface Database extends LedgerTables, CryptoTables, IamTables, CustomerTables {
  business_date: BusinessDateTable;
  business_date_history: BusinessDateHistoryTable;
  idempotency_keys: IdempotencyKeyTable;
  schema_migrations: SchemaMigrationTable;
}
