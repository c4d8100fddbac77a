import type { ColumnType, Generated } from 'kysely';
import type { CryptoTables } from './crypto/tables.ts';
import type { OutboxTables } from './outbox/tables.ts';

// The tables the platform itself owns (migrations 0001 and 0003's data_keys). Each module declares
// its own tables beside its store in `tables.ts`; the whole schema is composed only where the
// modules are (modules/database.ts), so the platform never depends on a module.

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

export interface PlatformTables extends CryptoTables, OutboxTables {
  business_date: BusinessDateTable;
  business_date_history: BusinessDateHistoryTable;
  idempotency_keys: IdempotencyKeyTable;
  schema_migrations: SchemaMigrationTable;
}
