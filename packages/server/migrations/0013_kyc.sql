-- Onboarding and KYC (modules/customers, docs/kyc.md): the KYC level of each customer and when it
-- was reached, the real-name checks that raised it, the simulated real-name provider's rules, the
-- agreement catalogue and the borrowers' consents, and the card agreements payments told us about.
-- Every table here belongs to the customers module.

-- ---- KYC levels ----

-- phone_verified (the phone the borrower signed in with, OTP-verified) → real_name (name and ID
-- number confirmed by the identity register) → card_bound (a card agreement is active). The level
-- is derived from the times, so it can never disagree with them. Profiles made before this
-- migration were never checked against the register: they start at phone_verified.
ALTER TABLE customers
  ADD COLUMN phone_verified_at timestamptz,
  ADD COLUMN real_name_at      timestamptz,
  ADD COLUMN card_bound_at     timestamptz;
UPDATE customers SET phone_verified_at = created_at;
ALTER TABLE customers
  ALTER COLUMN phone_verified_at SET NOT NULL,
  ALTER COLUMN phone_verified_at SET DEFAULT now(),
  ADD COLUMN kyc_level text NOT NULL GENERATED ALWAYS AS (
    CASE WHEN real_name_at IS NULL THEN 'phone_verified'
         WHEN card_bound_at IS NULL THEN 'real_name'
         ELSE 'card_bound' END) STORED,
  ADD CONSTRAINT customers_kyc_times_in_order CHECK (real_name_at >= phone_verified_at);

-- The register's answer that made a customer real_name. Only matches are kept: a registration the
-- register refuses is answered 422 and, like every rejected request, writes nothing (its log line
-- says what happened, without the name or ID number). No personal data: the provider's reference
-- is what an operator quotes to the provider.
CREATE TABLE customer_real_name_checks (
  id           uuid PRIMARY KEY,
  customer_id  uuid NOT NULL REFERENCES customers (id),
  adapter      text NOT NULL CHECK (adapter ~ '^[a-z][a-z0-9_]{0,31}$'),
  outcome      text NOT NULL CHECK (outcome = 'match'),
  provider_ref text NOT NULL CHECK (length(provider_ref) BETWEEN 1 AND 100),
  checked_at   timestamptz NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX customer_real_name_checks_customer ON customer_real_name_checks (customer_id);

-- The simulated real-name provider's rules (REAL_NAME_ADAPTER=simulated only), first match wins.
-- A rule matches when every field it gives matches; a rule with neither matches everyone.
CREATE TABLE customer_real_name_sim_rules (
  position               integer PRIMARY KEY CHECK (position BETWEEN 1 AND 100),
  name_contains          text CHECK (length(name_contains) BETWEEN 1 AND 50),
  id_number_suffix       text CHECK (id_number_suffix ~ '^[0-9X]{1,18}$'),
  outcome                text NOT NULL CHECK (outcome IN ('match', 'mismatch', 'not_found', 'unavailable'))
);
-- The defaults docs/kyc.md documents: names no real person has, one per refusal.
INSERT INTO customer_real_name_sim_rules (position, name_contains, outcome) VALUES
  (1, '查无', 'not_found'),
  (2, '不一致', 'mismatch'),
  (3, '维护中', 'unavailable');

-- ---- Cards bound through payments ----

-- What payments.card-bound (and, once payments publishes it, payments.card-unbound) said about
-- each card agreement: the customer is card_bound while one of theirs is not void. An agreement
-- first heard of as replaced or void has no bound_at.
CREATE TABLE customer_card_agreements (
  agreement_id uuid PRIMARY KEY,
  customer_id  uuid NOT NULL REFERENCES customers (id),
  card_id      uuid NOT NULL REFERENCES bank_cards (id),
  channel      text NOT NULL CHECK (channel ~ '^[a-z][a-z0-9_]{0,31}$'),
  bound_at     timestamptz,
  voided_at    timestamptz
);
CREATE INDEX customer_card_agreements_active ON customer_card_agreements (customer_id) WHERE voided_at IS NULL;

-- Events this module has applied, by event id: a replayed delivery changes nothing.
CREATE TABLE customer_consumed_events (
  event_id    uuid PRIMARY KEY,
  type        text NOT NULL,
  consumed_at timestamptz NOT NULL DEFAULT now()
);

-- Agreements published before this migration were delivered to no customers consumer (it did not
-- exist), so the one-time seed of the projection reads payments' table here, in SQL a reviewer
-- sees once; from now on only the events feed it.
INSERT INTO customer_card_agreements (agreement_id, customer_id, card_id, channel, bound_at, voided_at)
SELECT a.id, a.customer_id, a.card_id, a.channel, a.created_at, a.voided_at
FROM payment_card_agreements a JOIN customers c ON c.id = a.customer_id;
UPDATE customers c SET card_bound_at = b.since
FROM (SELECT customer_id, min(bound_at) AS since FROM customer_card_agreements
      WHERE voided_at IS NULL GROUP BY customer_id) b
WHERE b.customer_id = c.id;

-- ---- Agreements and consents ----

-- The catalogue of agreements a borrower accepts, each version with its titles and validity. The
-- current version of an agreement is its highest; a new text is published by a migration that
-- adds a version (it is part of a release, reviewed like code). validity_days NULL: valid until a
-- newer version is published.
CREATE TABLE customer_agreement_versions (
  code          text NOT NULL CHECK (code ~ '^[a-z][a-z0-9_]{0,39}$'),
  version       integer NOT NULL CHECK (version BETWEEN 1 AND 9999),
  title_zh      text NOT NULL CHECK (length(title_zh) BETWEEN 1 AND 100),
  title_en      text NOT NULL CHECK (length(title_en) BETWEEN 1 AND 200),
  validity_days integer CHECK (validity_days BETWEEN 1 AND 3650),
  published_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (code, version)
);
INSERT INTO customer_agreement_versions (code, version, title_zh, title_en, validity_days) VALUES
  ('credit_bureau_query', 1, '征信查询授权书', 'Credit bureau query authorization', 365),
  ('privacy_policy', 1, '隐私政策', 'Privacy policy', NULL),
  ('loan_contract', 1, '借款合同', 'Loan contract', NULL),
  ('card_debit_authorization', 1, '代扣授权书', 'Card debit authorization', NULL);

-- A borrower's acceptance of one agreement version: the evidence, so it is never changed or
-- removed (a renewal is a new row). Keyed by the IAM borrower, not the customer profile, because
-- the privacy policy is accepted before the borrower gives their name and ID number. accepted_on
-- is the business date; expires_on the first business date it no longer counts.
CREATE TABLE customer_consents (
  id          uuid PRIMARY KEY,
  borrower_id uuid NOT NULL,
  code        text NOT NULL,
  version     integer NOT NULL,
  accepted_at timestamptz NOT NULL DEFAULT now(),
  accepted_on date NOT NULL,
  expires_on  date CHECK (expires_on > accepted_on),
  ip          text CHECK (length(ip) BETWEEN 1 AND 64),
  user_agent  text CHECK (length(user_agent) BETWEEN 1 AND 300),
  device_id   text NOT NULL CHECK (device_id ~ '^[A-Za-z0-9._:-]{1,128}$'),
  FOREIGN KEY (code, version) REFERENCES customer_agreement_versions (code, version)
);
CREATE INDEX customer_consents_borrower ON customer_consents (borrower_id, code, accepted_at DESC);

CREATE FUNCTION customer_consents_immutable() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'customers: % on customer_consents is not allowed; a consent is evidence', TG_OP
    USING ERRCODE = 'restrict_violation', HINT = 'record a new acceptance instead';
END $$;

CREATE TRIGGER customer_consents_immutable
  BEFORE UPDATE OR DELETE OR TRUNCATE ON customer_consents
  FOR EACH STATEMENT EXECUTE FUNCTION customer_consents_immutable();

-- ---- Postconditions ----
DO $$
BEGIN
  ASSERT (SELECT count(DISTINCT code) FROM customer_agreement_versions) = 4, 'four agreements in the catalogue';
  ASSERT (SELECT count(*) FROM customer_real_name_sim_rules) = 3, 'three default simulator rules';
  ASSERT NOT EXISTS (SELECT 1 FROM customers WHERE kyc_level <> 'phone_verified' AND real_name_at IS NULL),
    'no customer is past phone_verified without a real-name check';
  ASSERT NOT EXISTS (
    SELECT 1 FROM customers c
    WHERE (c.card_bound_at IS NOT NULL) <> EXISTS (
      SELECT 1 FROM customer_card_agreements a WHERE a.customer_id = c.id AND a.voided_at IS NULL)),
    'card_bound_at is set exactly for customers with an active agreement';
END $$;

-- The phone the bank holds for the card (银行预留手机号), the fourth element a channel verifies a card
-- by; encrypted like the card number. Null: the borrower said it is the phone they sign in with.
ALTER TABLE bank_cards ADD COLUMN reserved_phone_enc text;
