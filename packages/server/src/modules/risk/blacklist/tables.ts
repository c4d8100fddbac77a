import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';
import type { DateString } from '../../../platform/tables.ts';

// Tables owned by the risk module's blacklist (migration 0016). `value_enc` is a field ciphertext
// (platform/crypto/envelope.ts), `match_key` the keyed blind index of the value — or, for a device,
// the device id itself (not personal data).

export type BlacklistKind = 'id_number' | 'phone' | 'card' | 'device';

export type BlacklistStatus =
  | 'pending_add'
  | 'active'
  | 'pending_remove'
  | 'removed'
  | 'rejected'
  | 'expired';

export type BlacklistSource = 'manual' | 'import' | 'fraud_event';

export interface BlacklistEntryTable {
  id: Generated<bigint>;
  kind: BlacklistKind;
  match_key: string;
  value_enc: string | null;
  reason_code: string;
  note: string | null;
  source: BlacklistSource;
  import_id: string | null;
  expires_on: DateString | null;
  status: BlacklistStatus;
  proposed_by: string;
  add_approval_id: string;
  approved_by: string | null;
  approved_at: Date | null;
  active_from: DateString | null;
  removal_note: string | null;
  removal_requested_by: string | null;
  removal_requested_at: Date | null;
  removal_approval_id: string | null;
  removed_by: string | null;
  removed_at: Date | null;
  removed_on: DateString | null;
  closed_at: Date | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export interface BlacklistImportTable {
  id: string;
  entry_count: number;
  note: string | null;
  requested_by: string;
  approval_request_id: string;
  business_date: DateString;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export interface BlacklistTables {
  risk_blacklist_entries: BlacklistEntryTable;
  risk_blacklist_imports: BlacklistImportTable;
}

/** The names of the tables above, for the table-ownership check. */
export const blacklistTables = [
  'risk_blacklist_entries',
  'risk_blacklist_imports',
] as const satisfies readonly (keyof BlacklistTables)[];

export type BlacklistDb = Kysely<BlacklistTables> | Transaction<BlacklistTables>;
export type BlacklistTx = Transaction<BlacklistTables>;
