import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';
import type { DateString } from '../../platform/tables.ts';

// Tables owned by the merchants module (migration 0018). Encrypted columns end in `_enc` (field
// ciphertexts, platform/crypto/envelope.ts).

export const merchantScenarios = [
  'education',
  'travel',
  'home_renovation',
  'ecommerce',
  'medical_beauty',
  'electronics_3c',
  'other',
] as const;
export type MerchantScenario = (typeof merchantScenarios)[number];

export const merchantStatuses = ['onboarding', 'active', 'suspended'] as const;
export type MerchantStatus = (typeof merchantStatuses)[number];

export interface MerchantTable {
  id: string;
  seq: Generated<bigint>;
  name: string;
  legal_name: string;
  scenario: MerchantScenario;
  social_credit_code: string;
  status: Generated<MerchantStatus>;
  /** numeric(7,6): pg returns it as a string (`0.035000`). */
  discount_rate: string;
  product_codes: string[];
  settlement_account_name_enc: string | null;
  settlement_account_no_enc: string | null;
  settlement_account_no_masked: string | null;
  settlement_bank_name: string | null;
  status_reason: string | null;
  status_changed_at: Date | null;
  created_by: string;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: Generated<Date>;
}

export interface MerchantStatusHistoryTable {
  id: Generated<bigint>;
  merchant_id: string;
  from_status: MerchantStatus;
  to_status: Exclude<MerchantStatus, 'onboarding'>;
  reason: string;
  actor_kind: 'staff' | 'system';
  actor_id: string;
  business_date: DateString;
  at: ColumnType<Date, never, never>;
}

export interface MerchantTables {
  merchants: MerchantTable;
  merchant_status_history: MerchantStatusHistoryTable;
}

/** A connection typed with this context's tables only (its store's SQL). */
export type MerchantsDb = Kysely<MerchantTables> | Transaction<MerchantTables>;
export type MerchantsTx = Transaction<MerchantTables>;
