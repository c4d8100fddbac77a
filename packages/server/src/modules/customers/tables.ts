import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';

// Tables owned by the customers module (migration 0005). Encrypted columns end in `_enc`
// (field ciphertexts, platform/crypto/envelope.ts); blind indexes end in `_bidx`.

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
}

export interface BankCardTable {
  id: string;
  customer_id: string;
  card_number_enc: string;
  card_number_bidx: string;
  bank_name: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
}

export interface CustomerTables {
  customers: CustomerTable;
  bank_cards: BankCardTable;
}

/** A connection typed with this context's tables only (its store's SQL). */
export type CustomersDb = Kysely<CustomerTables> | Transaction<CustomerTables>;
export type CustomersTx = Transaction<CustomerTables>;
