import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';
import type { DateString } from '../../platform/tables.ts';

// Tables owned by the customers module (migrations 0005 and 0013). Encrypted columns end in `_enc`
// (field ciphertexts, platform/crypto/envelope.ts); blind indexes end in `_bidx`.

export const kycLevels = ['phone_verified', 'real_name', 'card_bound'] as const;
export type KycLevel = (typeof kycLevels)[number];

export const realNameOutcomes = ['match', 'mismatch', 'not_found', 'unavailable'] as const;
export type RealNameOutcome = (typeof realNameOutcomes)[number];

export interface CustomerTable {
  id: string;
  borrower_id: string;
  name_enc: string;
  id_number_enc: string;
  id_number_bidx: string;
  phone_enc: string;
  phone_bidx: string;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: Generated<Date>;
  phone_verified_at: Generated<Date>;
  real_name_at: Date | null;
  card_bound_at: Date | null;
  /** Derived by the database from the three times (a generated column). */
  kyc_level: ColumnType<KycLevel, never, never>;
}

export interface BankCardTable {
  id: string;
  customer_id: string;
  card_number_enc: string;
  card_number_bidx: string;
  bank_name: string | null;
  /** The bank-reserved phone, when it is not the sign-in phone. */
  reserved_phone_enc: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export interface RealNameCheckTable {
  id: string;
  customer_id: string;
  adapter: string;
  outcome: 'match';
  provider_ref: string;
  checked_at: Date;
  recorded_at: ColumnType<Date, never, never>;
}

export interface RealNameSimRuleTable {
  position: number;
  name_contains: string | null;
  id_number_suffix: string | null;
  outcome: RealNameOutcome;
}

export interface CardAgreementProjectionTable {
  agreement_id: string;
  customer_id: string;
  card_id: string;
  channel: string;
  bound_at: Date | null;
  voided_at: Date | null;
}

export interface ConsumedEventTable {
  event_id: string;
  type: string;
  consumed_at: ColumnType<Date, never, never>;
}

export interface AgreementVersionTable {
  code: string;
  version: number;
  title_zh: string;
  title_en: string;
  validity_days: number | null;
  published_at: ColumnType<Date, Date | undefined, never>;
}

export interface ConsentTable {
  id: string;
  borrower_id: string;
  code: string;
  version: number;
  accepted_at: ColumnType<Date, never, never>;
  accepted_on: DateString;
  expires_on: DateString | null;
  ip: string | null;
  user_agent: string | null;
  device_id: string;
}

export interface CustomerTables {
  customers: CustomerTable;
  bank_cards: BankCardTable;
  customer_real_name_checks: RealNameCheckTable;
  customer_real_name_sim_rules: RealNameSimRuleTable;
  customer_card_agreements: CardAgreementProjectionTable;
  customer_consumed_events: ConsumedEventTable;
  customer_agreement_versions: AgreementVersionTable;
  customer_consents: ConsentTable;
}

/** A connection typed with this context's tables only (its store's SQL). */
export type CustomersDb = Kysely<CustomerTables> | Transaction<CustomerTables>;
export type CustomersTx = Transaction<CustomerTables>;
