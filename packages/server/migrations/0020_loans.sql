-- Orders and loans (modules/loans): merchants' installment orders, the loans they become (and cash
-- drawdowns, which are loans without an order), each loan's schedule by version, its state
-- transitions, its contract, its disbursement attempts and its refunds. See docs/loans.md.
-- Merchant, customer, credit line, product version and payment order ids belong to other modules:
-- plain ids, no foreign keys.

-- A merchant's installment order (分期订单). The merchant's own order id is unique per merchant, so
-- a replayed create finds the first. The checkout token is never stored: it is an HMAC of the
-- order id under the platform's token key, so a replay can answer it again, and the table holds
-- only its SHA-256 to find the order by. The customer's phone, when the merchant gives it, is
-- encrypted and blind-indexed: only the borrower with that phone may accept.
CREATE TABLE loan_orders (
  id                  uuid PRIMARY KEY,
  merchant_id         uuid NOT NULL,
  merchant_order_id   text NOT NULL CHECK (length(merchant_order_id) BETWEEN 1 AND 64),
  product_code        text NOT NULL CHECK (length(product_code) BETWEEN 1 AND 40),
  amount_minor        bigint NOT NULL CHECK (amount_minor BETWEEN 1 AND 999999999999),
  currency            char(3) NOT NULL CHECK (currency = 'CNY'),
  items               jsonb NOT NULL CHECK (jsonb_typeof(items) = 'array'),
  -- The request's fingerprint: a replay with other content is refused, not merged.
  request_sha256      text NOT NULL CHECK (request_sha256 ~ '^[0-9a-f]{64}$'),
  customer_phone_enc  text,
  customer_phone_bidx text,
  customer_phone_masked text,
  return_url          text CHECK (length(return_url) <= 2048),
  token_sha256        text NOT NULL UNIQUE CHECK (token_sha256 ~ '^[0-9a-f]{64}$'),
  status              text NOT NULL CHECK (status IN ('open', 'accepted', 'cancelled', 'expired')),
  cancel_reason       text,
  loan_id             uuid,
  expires_at          timestamptz NOT NULL,
  business_date       date NOT NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  updated_at          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (merchant_id, merchant_order_id),
  CHECK ((customer_phone_enc IS NULL) = (customer_phone_bidx IS NULL)),
  CHECK ((status = 'accepted') <= (loan_id IS NOT NULL))
);
CREATE INDEX loan_orders_merchant ON loan_orders (merchant_id, created_at DESC);

-- A loan (借据). It pins the product version it was made under and keeps the terms it was priced
-- with (`terms`, every input core's schedule needs), so a later product version changes nothing
-- for it. principal = what the borrower owes; disbursed = what was paid out for them (principal
-- less a deducted up-front fee); payout = what the payee receives (disbursed less the merchant
-- discount). At most one loan per order.
CREATE TABLE loans (
  id                     uuid PRIMARY KEY,
  loan_no                text NOT NULL UNIQUE CHECK (loan_no ~ '^L[0-9]{8}[0-9A-Z]{10}$'),
  kind                   text NOT NULL CHECK (kind IN ('merchant_order', 'cash_drawdown')),
  customer_id            uuid NOT NULL,
  borrower_id            uuid NOT NULL,
  order_id               uuid UNIQUE REFERENCES loan_orders (id),
  merchant_id            uuid,
  line_id                uuid NOT NULL,
  product_code           text NOT NULL,
  product_version_id     text NOT NULL,
  product_version        integer NOT NULL CHECK (product_version >= 1),
  grade                  text NOT NULL,
  state                  text NOT NULL CHECK (state IN ('pending_disbursement', 'active', 'overdue',
                                                        'paid_off', 'written_off', 'cancelled')),
  currency               char(3) NOT NULL CHECK (currency = 'CNY'),
  principal_minor        bigint NOT NULL CHECK (principal_minor BETWEEN 1 AND 999999999999),
  outstanding_principal_minor bigint NOT NULL CHECK (outstanding_principal_minor BETWEEN 0 AND principal_minor),
  disbursed_minor        bigint NOT NULL CHECK (disbursed_minor BETWEEN 1 AND principal_minor),
  merchant_discount_minor bigint NOT NULL CHECK (merchant_discount_minor >= 0),
  payout_minor           bigint NOT NULL CHECK (payout_minor = disbursed_minor - merchant_discount_minor AND payout_minor > 0),
  method                 text NOT NULL,
  term_count             integer NOT NULL CHECK (term_count BETWEEN 1 AND 600),
  price_kind             text NOT NULL CHECK (price_kind IN ('annual_rate', 'period_fee_rate')),
  price_rate             text NOT NULL,
  apr_simple             text NOT NULL,
  apr_irr                text NOT NULL,
  terms                  jsonb NOT NULL,
  schedule_version       integer NOT NULL DEFAULT 1 CHECK (schedule_version >= 1),
  start_date             date NOT NULL,
  maturity_date          date NOT NULL CHECK (maturity_date > start_date),
  cooling_off_days       integer NOT NULL CHECK (cooling_off_days BETWEEN 0 AND 30),
  -- Where the payout goes: the merchant's settlement account, or the borrower's bound card.
  payee_card_id          uuid,
  disbursement_channel   text NOT NULL,
  disbursement_attempts  integer NOT NULL DEFAULT 0 CHECK (disbursement_attempts >= 0),
  disbursement_order_no  text,
  disbursed_on           date,
  closed_on              date,
  close_reason           text,
  contract_no            text NOT NULL UNIQUE,
  contract_sha256        text NOT NULL CHECK (contract_sha256 ~ '^[0-9a-f]{64}$'),
  contract_pdf           bytea NOT NULL,
  business_date          date NOT NULL,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now(),
  CHECK ((kind = 'merchant_order') = (order_id IS NOT NULL AND merchant_id IS NOT NULL)),
  CHECK ((kind = 'cash_drawdown') = (payee_card_id IS NOT NULL)),
  CHECK ((state IN ('pending_disbursement', 'cancelled')) OR disbursed_on IS NOT NULL)
);
-- The PDF is compressed already: keep it out of line, uncompressed.
ALTER TABLE loans ALTER COLUMN contract_pdf SET STORAGE EXTERNAL;
CREATE INDEX loans_customer ON loans (customer_id, created_at DESC);
CREATE INDEX loans_merchant ON loans (merchant_id, created_at DESC) WHERE merchant_id IS NOT NULL;
CREATE INDEX loans_state ON loans (state, id);

-- The installments of every schedule a loan has had: version 1 at origination, a new version on
-- each refund that recomputes it. Older versions are kept as they were (what the borrower was
-- shown then); loans.schedule_version names the current one.
CREATE TABLE loan_installments (
  loan_id          uuid NOT NULL REFERENCES loans (id),
  schedule_version integer NOT NULL CHECK (schedule_version >= 1),
  number           integer NOT NULL CHECK (number BETWEEN 1 AND 600),
  period_start     date NOT NULL,
  due_date         date NOT NULL CHECK (due_date > period_start),
  principal_minor  bigint NOT NULL CHECK (principal_minor >= 0),
  interest_minor   bigint NOT NULL CHECK (interest_minor >= 0),
  fee_minor        bigint NOT NULL CHECK (fee_minor >= 0),
  total_minor      bigint NOT NULL CHECK (total_minor = principal_minor + interest_minor + fee_minor),
  balance_minor    bigint NOT NULL CHECK (balance_minor >= 0),
  PRIMARY KEY (loan_id, schedule_version, number)
);

-- Every state change of a loan, with what caused it: the loan's history, append-only.
CREATE TABLE loan_state_changes (
  id            bigserial PRIMARY KEY,
  loan_id       uuid NOT NULL REFERENCES loans (id),
  from_state    text,
  to_state      text NOT NULL,
  event         text NOT NULL,
  reason        text,
  source_ref    text,
  business_date date NOT NULL,
  at            timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX loan_state_changes_loan ON loan_state_changes (loan_id, id);

-- A merchant's refund (退货) of part or all of an order after disbursement. The merchant's refund
-- id is unique per loan: a replay finds the first.
CREATE TABLE loan_refunds (
  id                 uuid PRIMARY KEY,
  loan_id            uuid NOT NULL REFERENCES loans (id),
  merchant_refund_id text NOT NULL CHECK (length(merchant_refund_id) BETWEEN 1 AND 64),
  amount_minor       bigint NOT NULL CHECK (amount_minor BETWEEN 1 AND 999999999999),
  kind               text NOT NULL CHECK (kind IN ('partial', 'full', 'cooling_off')),
  schedule_version   integer NOT NULL,
  entry_id           bigint NOT NULL,
  business_date      date NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (loan_id, merchant_refund_id)
);

CREATE FUNCTION loan_history_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER loan_state_changes_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON loan_state_changes
  FOR EACH STATEMENT EXECUTE FUNCTION loan_history_append_only();
CREATE TRIGGER loan_installments_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON loan_installments
  FOR EACH STATEMENT EXECUTE FUNCTION loan_history_append_only();
CREATE TRIGGER loan_refunds_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON loan_refunds
  FOR EACH STATEMENT EXECUTE FUNCTION loan_history_append_only();

DO $$
BEGIN
  ASSERT (SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'loan_%_append_only' AND NOT tgisinternal) = 3,
    'loan history tables are guarded against UPDATE, DELETE and TRUNCATE';
  ASSERT (SELECT attstorage FROM pg_attribute
          WHERE attrelid = 'loans'::regclass AND attname = 'contract_pdf') = 'e',
    'contract PDFs are stored out of line, uncompressed';
END $$;
