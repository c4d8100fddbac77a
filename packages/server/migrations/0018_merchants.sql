-- Merchants (modules/merchants): the scenario partners whose installment orders become loans, each
-- with its unified social credit code, settlement account, discount rate and products, and every
-- change of its status as a history row. See docs/merchants.md.
-- Product codes belong to the products module and API keys to IAM (api_clients.owner_id is the
-- merchant id): plain values, no foreign keys.

CREATE TABLE merchants (
  id                  uuid PRIMARY KEY,
  -- The order of creation: lists are newest first and page by it (a uuid has no order).
  seq                 bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  name                text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  legal_name          text NOT NULL CHECK (length(legal_name) BETWEEN 1 AND 200),
  scenario            text NOT NULL CHECK (scenario IN (
                        'education', 'travel', 'home_renovation', 'ecommerce', 'medical_beauty',
                        'electronics_3c', 'other')),
  -- GB 32100-2015: one merchant per code. The check character is checked by the service (core's
  -- socialCreditCodeCheck); the table holds the form.
  social_credit_code  text NOT NULL
                        CHECK (social_credit_code ~ '^[0-9A-HJ-NP-RT-UW-Y]{2}[0-9]{6}[0-9A-HJ-NP-RT-UW-Y]{10}$'),
  status              text NOT NULL DEFAULT 'onboarding' CHECK (status IN ('onboarding', 'active', 'suspended')),
  -- The share of an order's principal kept from the merchant's payout (its fee or subsidy).
  discount_rate       numeric(7, 6) NOT NULL DEFAULT 0 CHECK (discount_rate BETWEEN 0 AND 0.3),
  product_codes       text[] NOT NULL DEFAULT '{}' CHECK (cardinality(product_codes) <= 50),
  -- The settlement account: name and number are field ciphertexts under one data key
  -- (platform/crypto/envelope.ts), the number also masked 6 + 4 for display; the bank in clear.
  settlement_account_name_enc  text,
  settlement_account_no_enc    text,
  settlement_account_no_masked text,
  settlement_bank_name         text CHECK (length(settlement_bank_name) BETWEEN 1 AND 60),
  -- Why the status is what it is (the reason of the last change); a staff note.
  status_reason       text CHECK (length(status_reason) BETWEEN 1 AND 500),
  status_changed_at   timestamptz,
  created_by          text NOT NULL CHECK (length(created_by) BETWEEN 1 AND 100),
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT merchants_social_credit_code_key UNIQUE (social_credit_code),
  CONSTRAINT merchants_settlement_account_whole CHECK (num_nulls(
    settlement_account_name_enc, settlement_account_no_enc, settlement_account_no_masked,
    settlement_bank_name) IN (0, 4)),
  -- An active or suspended merchant has been activated, which needs an account and a product; the
  -- service refuses to take either away afterwards, and this refuses it too.
  CONSTRAINT merchants_live_has_account_and_product CHECK (
    status = 'onboarding' OR (settlement_account_no_enc IS NOT NULL AND cardinality(product_codes) >= 1)),
  CONSTRAINT merchants_status_change_recorded CHECK ((status_changed_at IS NULL) = (status = 'onboarding'))
);
CREATE INDEX merchants_status ON merchants (status, seq);
CREATE INDEX merchants_scenario ON merchants (scenario, seq);

-- Every status change: who, why, from what to what. Append-only.
CREATE TABLE merchant_status_history (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  merchant_id  uuid NOT NULL REFERENCES merchants (id),
  from_status  text NOT NULL CHECK (from_status IN ('onboarding', 'active', 'suspended')),
  to_status    text NOT NULL CHECK (to_status IN ('active', 'suspended')),
  reason       text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  actor_kind   text NOT NULL CHECK (actor_kind IN ('staff', 'system')),
  actor_id     text NOT NULL CHECK (length(actor_id) BETWEEN 1 AND 100),
  business_date date NOT NULL,
  at           timestamptz NOT NULL DEFAULT now(),
  CHECK (from_status <> to_status)
);
CREATE INDEX merchant_status_history_merchant ON merchant_status_history (merchant_id, id);

CREATE FUNCTION merchant_status_history_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'merchant_status_history is append-only (% refused)', TG_OP USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER merchant_status_history_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON merchant_status_history
  FOR EACH STATEMENT EXECUTE FUNCTION merchant_status_history_append_only();

DO $$
BEGIN
  ASSERT (SELECT count(*) FROM pg_constraint
          WHERE conrelid = 'merchants'::regclass AND conname = 'merchants_social_credit_code_key'
            AND contype = 'u') = 1,
    'merchants has one row per unified social credit code';
  ASSERT (SELECT count(*) FROM pg_constraint
          WHERE conrelid = 'merchants'::regclass
            AND conname IN ('merchants_settlement_account_whole', 'merchants_live_has_account_and_product')) = 2,
    'merchants guards the settlement account and what activation needs';
  ASSERT (SELECT count(*) FROM pg_trigger
          WHERE tgrelid = 'merchant_status_history'::regclass AND NOT tgisinternal) = 1,
    'merchant_status_history is guarded against UPDATE, DELETE and TRUNCATE';
END $$;
