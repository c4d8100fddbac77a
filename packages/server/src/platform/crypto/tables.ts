import type { ColumnType } from 'kysely';

// Tables owned by platform/crypto (migration 0003). Modules hold data key ids, never key material.

export interface DataKeyTable {
  id: string;
  /** Which kind of record the key protects (customers, borrowers, api-clients, staff-totp). */
  purpose: string;
  master_key_id: string;
  /** The data key encrypted by the master key (AES-256-GCM: iv | ciphertext | tag). */
  wrapped_key: Buffer;
  created_at: ColumnType<Date, never, never>;
  rewrapped_at: Date | null;
}

export interface CryptoTables {
  data_keys: DataKeyTable;
}
