-- Customers (borrower-owned profile) and their bank cards. C2 fields (JR/T 0171-2020) are field
-- ciphertexts under a per-record data key (platform/crypto); exact lookup goes through keyed
-- blind indexes. No plaintext ID number, phone or card number is ever stored.

CREATE TABLE customers (
  id             uuid PRIMARY KEY,
  -- The IAM borrower account that owns this profile (an id, not a foreign key: another module).
  borrower_id    uuid NOT NULL UNIQUE,
  name_enc       text NOT NULL CHECK (name_enc LIKE 'fq1.%'),
  id_number_enc  text NOT NULL CHECK (id_number_enc LIKE 'fq1.%'),
  id_number_bidx text NOT NULL UNIQUE,
  phone_enc      text NOT NULL CHECK (phone_enc LIKE 'fq1.%'),
  phone_bidx     text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customers_phone_bidx ON customers (phone_bidx);

CREATE TABLE bank_cards (
  id               uuid PRIMARY KEY,
  customer_id      uuid NOT NULL REFERENCES customers (id),
  card_number_enc  text NOT NULL CHECK (card_number_enc LIKE 'fq1.%'),
  card_number_bidx text NOT NULL,
  bank_name        text CHECK (length(bank_name) BETWEEN 1 AND 60),
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (customer_id, card_number_bidx)
);
CREATE INDEX bank_cards_card_number_bidx ON bank_cards (card_number_bidx);
