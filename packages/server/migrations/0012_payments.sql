-- Payments (modules/payments): payment orders and every transition they go through, the callbacks
-- channels send (deduplicated by the channel's transaction id), card bindings and agreements,
-- imported statement files, and the exception queue operations work through. See docs/payments.md.
-- The ledger accounts it posts to besides the channel clearing accounts come in 0011.

-- A card agreement: the channel's durable token for debiting a bound card (协议号). The token is a
-- field ciphertext; a new binding of the same card voids the old agreement.
CREATE TABLE payment_card_agreements (
  id               uuid PRIMARY KEY,
  channel          text NOT NULL CHECK (channel ~ '^[a-z][a-z0-9_]{0,31}$'),
  customer_id      uuid NOT NULL,
  card_id          uuid NOT NULL,
  agreement_no_enc text NOT NULL CHECK (agreement_no_enc LIKE 'fq1.%'),
  status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'void')),
  created_at       timestamptz NOT NULL DEFAULT now(),
  voided_at        timestamptz,
  CHECK ((status = 'void') = (voided_at IS NOT NULL))
);
CREATE UNIQUE INDEX payment_card_agreements_one_active
  ON payment_card_agreements (channel, card_id) WHERE status = 'active';
CREATE INDEX payment_card_agreements_customer ON payment_card_agreements (customer_id);

-- A binding attempt: apply (four elements) → SMS code → confirm, under one order number.
CREATE TABLE payment_card_bindings (
  id             uuid PRIMARY KEY,
  order_no       text NOT NULL UNIQUE CHECK (order_no ~ '^FQ[0-9A-Z]{10,38}$'),
  channel        text NOT NULL CHECK (channel ~ '^[a-z][a-z0-9_]{0,31}$'),
  customer_id    uuid NOT NULL,
  card_id        uuid NOT NULL,
  status         text NOT NULL CHECK (status IN ('sms_sent', 'bound', 'rejected')),
  failure_code   text CHECK (length(failure_code) BETWEEN 1 AND 40),
  failed_element text CHECK (failed_element IN ('name', 'idNumber', 'cardNumber', 'phone', 'smsCode')),
  agreement_id   uuid REFERENCES payment_card_agreements (id),
  created_at     timestamptz NOT NULL DEFAULT now(),
  finished_at    timestamptz,
  CHECK ((status = 'bound') = (agreement_id IS NOT NULL)),
  CHECK ((status = 'rejected') = (failure_code IS NOT NULL))
);
CREATE INDEX payment_card_bindings_card ON payment_card_bindings (card_id);

-- A payment order. `order_no` is ours, globally unique, and the channel's idempotency key for the
-- request. `source_ref` names the business effect it pays (`loan:42/disbursement`): at most one
-- order per effect is alive; after a definite failure (or a bounce) a new order, under a new
-- number, may try again.
CREATE TABLE payment_orders (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_no          text NOT NULL UNIQUE CHECK (order_no ~ '^FQ[0-9A-Z]{10,38}$'),
  channel           text NOT NULL CHECK (channel ~ '^[a-z][a-z0-9_]{0,31}$'),
  kind              text NOT NULL CHECK (kind IN ('payout', 'collect', 'refund')),
  purpose           text NOT NULL CHECK (purpose ~ '^[a-z][a-z0-9_]{0,39}$'),
  state             text NOT NULL DEFAULT 'created'
                    CHECK (state IN ('created', 'submitted', 'processing', 'unknown', 'succeeded', 'failed', 'bounced')),
  amount_minor      bigint NOT NULL CHECK (amount_minor BETWEEN 1 AND 999999999999),
  currency          char(3) NOT NULL CHECK (currency = 'CNY'),
  source_ref        text NOT NULL CHECK (length(source_ref) BETWEEN 1 AND 200),
  -- Who the money concerns (plain ids of other modules; payments knows no loans).
  loan_id           text CHECK (length(loan_id) BETWEEN 1 AND 64),
  customer_id       uuid,
  merchant_id       text CHECK (length(merchant_id) BETWEEN 1 AND 64),
  -- The counterpart: a payout's account (name and number, field ciphertexts under data_key_id), a
  -- collection's card agreement, a refund's original collection.
  account_name_enc  text CHECK (account_name_enc LIKE 'fq1.%'),
  account_no_enc    text CHECK (account_no_enc LIKE 'fq1.%'),
  account_no_masked text CHECK (length(account_no_masked) BETWEEN 1 AND 40),
  agreement_id      uuid REFERENCES payment_card_agreements (id),
  original_order_id bigint REFERENCES payment_orders (id),
  -- What the channel told us.
  channel_txn_id    text CHECK (length(channel_txn_id) BETWEEN 1 AND 64),
  failure_code      text CHECK (length(failure_code) BETWEEN 1 AND 40),
  failure_message   text CHECK (length(failure_message) <= 500),
  finished_at       timestamptz,
  -- The journal entries of its effects (ledger ids; the ledger owns them).
  settled_entry_id  bigint,
  bounced_entry_id  bigint,
  business_date     date NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  -- The submit and query jobs' bookkeeping.
  submit_attempts   integer NOT NULL DEFAULT 0 CHECK (submit_attempts >= 0),
  query_attempts    integer NOT NULL DEFAULT 0 CHECK (query_attempts >= 0),
  next_action_at    timestamptz,
  escalated_at      timestamptz,
  CHECK ((kind = 'payout') = (account_no_enc IS NOT NULL AND account_name_enc IS NOT NULL)),
  CHECK ((kind = 'collect') = (agreement_id IS NOT NULL)),
  CHECK ((kind = 'refund') = (original_order_id IS NOT NULL)),
  CHECK (state <> 'bounced' OR kind = 'payout'),
  CHECK ((state IN ('succeeded', 'bounced')) = (settled_entry_id IS NOT NULL)),
  CHECK ((state = 'bounced') = (bounced_entry_id IS NOT NULL)),
  CHECK ((state = 'failed') = (failure_code IS NOT NULL))
);
CREATE UNIQUE INDEX payment_orders_one_live_per_source
  ON payment_orders (source_ref) WHERE state NOT IN ('failed', 'bounced');
CREATE INDEX payment_orders_due
  ON payment_orders (next_action_at) WHERE state IN ('created', 'submitted', 'processing', 'unknown');
CREATE INDEX payment_orders_unescalated ON payment_orders (created_at)
  WHERE state IN ('created', 'submitted', 'processing', 'unknown') AND escalated_at IS NULL;
CREATE INDEX payment_orders_finished ON payment_orders (channel, finished_at) WHERE state IN ('succeeded', 'bounced');

-- Every state change of every order, with what caused it.
CREATE TABLE payment_order_transitions (
  order_id       bigint NOT NULL REFERENCES payment_orders (id),
  seq            integer NOT NULL CHECK (seq >= 1),
  from_state     text NOT NULL,
  to_state       text NOT NULL,
  source         text NOT NULL CHECK (source IN ('submit', 'callback', 'query', 'statement', 'operator')),
  channel_status text CHECK (length(channel_status) <= 40),
  code           text CHECK (length(code) <= 40),
  at             timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (order_id, seq)
);

-- Callbacks as received. One row per (channel, transaction id, status): a repeat of the same
-- notice finds its row and has no second effect; a later status of the same transaction (a bounce)
-- is a new notice. The insert and the effect commit together.
CREATE TABLE payment_callbacks (
  channel     text NOT NULL,
  txn_id      text NOT NULL CHECK (length(txn_id) BETWEEN 1 AND 64),
  status      text NOT NULL CHECK (length(status) BETWEEN 1 AND 20),
  order_no    text NOT NULL CHECK (length(order_no) <= 64),
  amount_minor bigint NOT NULL,
  outcome     text NOT NULL CHECK (outcome IN ('applied', 'stale', 'conflict', 'amount_mismatch', 'unknown_order')),
  received_at timestamptz NOT NULL DEFAULT now(),
  repeats     integer NOT NULL DEFAULT 0 CHECK (repeats >= 0),
  PRIMARY KEY (channel, txn_id, status)
);

-- Nonces of signed callbacks seen within the signature window: a replayed callback is refused.
CREATE TABLE payment_callback_nonces (
  channel text NOT NULL,
  nonce   text NOT NULL,
  seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel, nonce)
);

-- A channel's statement file for one settlement date, as imported, kept whole and gzipped in
-- `file_gzip` (the SHA-256 of its text is `digest`: the archive proves itself). A re-import of the
-- same file is recognised and changes nothing.
CREATE TABLE payment_statements (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  channel        text NOT NULL,
  statement_date date NOT NULL,
  digest         text NOT NULL CHECK (digest ~ '^[0-9a-f]{64}$'),
  file_gzip      bytea NOT NULL,
  row_count      integer NOT NULL CHECK (row_count >= 0),
  gross_minor    numeric(20) NOT NULL,
  fee_minor      numeric(20) NOT NULL,
  refund_minor   numeric(20) NOT NULL,
  net_minor      numeric(20) NOT NULL,
  matched        integer NOT NULL DEFAULT 0,
  resolved       integer NOT NULL DEFAULT 0,
  differences    integer NOT NULL DEFAULT 0,
  ledger_expected_minor numeric(20),
  ledger_posted_minor   numeric(20),
  fee_entry_id   bigint,
  imported_at    timestamptz NOT NULL DEFAULT now(),
  business_date  date NOT NULL,
  UNIQUE (channel, statement_date)
);

-- The file arrives gzip-compressed by Fenqi (in a worker thread, while the rows are matched), so
-- PostgreSQL stores it as it is instead of compressing ~90 MB a second time.
ALTER TABLE payment_statements ALTER COLUMN file_gzip SET STORAGE EXTERNAL;

-- The rows of a statement that did not simply match: differences and the orders the statement
-- settled. Matched rows are in the archived file; copying a million of them into an indexed table
-- each day would cost more than the matching itself.
CREATE TABLE payment_statement_rows (
  statement_id bigint NOT NULL REFERENCES payment_statements (id),
  line_no      integer NOT NULL CHECK (line_no >= 1),
  txn_id       text NOT NULL CHECK (length(txn_id) BETWEEN 1 AND 64),
  order_no     text NOT NULL CHECK (length(order_no) BETWEEN 1 AND 64),
  kind         text NOT NULL CHECK (kind IN ('payout', 'collect', 'refund')),
  status       text NOT NULL CHECK (status IN ('succeeded', 'failed', 'bounced')),
  amount_minor bigint NOT NULL CHECK (amount_minor BETWEEN 0 AND 999999999999),
  fee_minor    bigint NOT NULL CHECK (fee_minor BETWEEN 0 AND 999999999999),
  finished_at  timestamptz NOT NULL,
  PRIMARY KEY (statement_id, line_no)
);

-- What operations must look at: reconciliation differences, callbacks that contradict the order,
-- orders whose outcome stays unclear too long. `dedupe_key` makes raising the same problem twice
-- a no-op. A resolution that moves money goes through maker-checker (a ledger adjustment).
CREATE TABLE payment_exceptions (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind           text NOT NULL CHECK (kind IN (
                   'channel_only', 'ours_only', 'amount_mismatch', 'status_mismatch', 'bounced_payout',
                   'notice_amount_mismatch', 'notice_conflict', 'unknown_order', 'unresolved_order',
                   'ledger_mismatch')),
  dedupe_key     text NOT NULL UNIQUE CHECK (length(dedupe_key) BETWEEN 1 AND 200),
  channel        text NOT NULL,
  order_id       bigint REFERENCES payment_orders (id),
  order_no       text CHECK (length(order_no) <= 64),
  statement_id   bigint REFERENCES payment_statements (id),
  our_amount_minor     bigint,
  channel_amount_minor bigint,
  our_state      text,
  channel_status text,
  detail         text NOT NULL CHECK (length(detail) BETWEEN 1 AND 500),
  status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
  resolution     text CHECK (resolution IN ('no_action', 'ledger_adjustment')),
  resolution_note text CHECK (length(resolution_note) BETWEEN 1 AND 500),
  adjustment_entry_id bigint,
  resolved_by    uuid,
  raised_at      timestamptz NOT NULL DEFAULT now(),
  resolved_at    timestamptz,
  business_date  date NOT NULL,
  CHECK ((status = 'resolved') = (resolved_at IS NOT NULL AND resolution IS NOT NULL)),
  CHECK ((resolution = 'ledger_adjustment') = (adjustment_entry_id IS NOT NULL))
);
CREATE INDEX payment_exceptions_open ON payment_exceptions (raised_at) WHERE status = 'open';

DO $$
BEGIN
  ASSERT (SELECT attstorage FROM pg_attribute
          WHERE attrelid = 'payment_statements'::regclass AND attname = 'file_gzip') = 'e',
    'statement files are stored as they arrive (already gzipped), not compressed again';
  ASSERT (SELECT count(*) FROM pg_constraint
          WHERE conrelid = 'payment_orders'::regclass AND contype = 'u') >= 1,
    'payment order numbers are unique';
  ASSERT (SELECT indisunique FROM pg_index WHERE indexrelid = 'payment_orders_one_live_per_source'::regclass),
    'one live payment order per source';
END $$;
