-- Credit lines (modules/credit): the lines granted to customers, the reservations orders hold on
-- them, every change to a line as a history row, and one row per customer that serialises the
-- operations changing that person's exposure. See docs/credit.md.
-- Customer ids and risk application ids belong to other modules: plain ids, no foreign keys.

-- One row per customer that has ever had a line, created on demand (INSERT … ON CONFLICT DO
-- NOTHING) and locked FOR UPDATE by every operation on that person's lines, so that two grants or
-- two reservations of one person never decide on the same stale sum. `version` moves whenever the
-- exposure may grow (a grant, a limit adjustment): under REPEATABLE READ a transaction holding an
-- older snapshot then fails to lock the row (a serialization failure, retried) instead of deciding
-- on a sum that misses the growth. A shrinking exposure needs no such guard: a stale sum is higher.
CREATE TABLE credit_exposures (
  customer_id uuid PRIMARY KEY,
  version     bigint NOT NULL DEFAULT 0 CHECK (version >= 0),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- A credit line (额度). available = limit − used − reserved, never negative. `used` is principal
-- drawn and not restored; on a revolving line repaid principal comes back (used goes down), on a
-- non-revolving one it does not: it is counted in `repaid` so that what is still owed
-- (used − repaid) is known when the line no longer counts with its limit (expired, closed).
CREATE TABLE credit_lines (
  id              uuid PRIMARY KEY,
  customer_id     uuid NOT NULL REFERENCES credit_exposures (customer_id),
  -- The risk application whose approval granted it: granting twice for one application is one line.
  application_id  text NOT NULL UNIQUE CHECK (length(application_id) BETWEEN 1 AND 64),
  currency        char(3) NOT NULL CHECK (currency = 'CNY'),
  limit_minor     bigint NOT NULL CHECK (limit_minor BETWEEN 1 AND 999999999999),
  -- The limit as granted (adjustments change limit_minor only): a repeated grant is compared with it.
  granted_limit_minor bigint NOT NULL CHECK (granted_limit_minor BETWEEN 1 AND 999999999999),
  used_minor      bigint NOT NULL DEFAULT 0 CHECK (used_minor >= 0),
  reserved_minor  bigint NOT NULL DEFAULT 0 CHECK (reserved_minor >= 0),
  repaid_minor    bigint NOT NULL DEFAULT 0 CHECK (repaid_minor >= 0),
  revolving       boolean NOT NULL,
  product_codes   text[] NOT NULL CHECK (cardinality(product_codes) BETWEEN 1 AND 50),
  -- The last business date the line may be drawn on.
  expires_on      date NOT NULL,
  status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'frozen', 'closed', 'expired')),
  frozen_reason   text CHECK (length(frozen_reason) BETWEEN 1 AND 500),
  granted_on      date NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT credit_lines_available_not_negative CHECK (limit_minor - used_minor - reserved_minor >= 0),
  CONSTRAINT credit_lines_repaid_within_used CHECK (repaid_minor <= used_minor),
  CONSTRAINT credit_lines_repaid_only_non_revolving CHECK (NOT revolving OR repaid_minor = 0),
  CONSTRAINT credit_lines_frozen_has_reason CHECK ((status = 'frozen') = (frozen_reason IS NOT NULL)),
  -- Closing needs every reservation settled first (docs/credit.md, "Close").
  CONSTRAINT credit_lines_closed_holds_nothing CHECK (status <> 'closed' OR reserved_minor = 0),
  CHECK (expires_on >= granted_on)
);
CREATE INDEX credit_lines_customer ON credit_lines (customer_id);
-- What expireLines sweeps: lines still counting with their limit, by expiry.
CREATE INDEX credit_lines_expiring ON credit_lines (expires_on) WHERE status IN ('active', 'frozen');

-- An amount held on a line by an order being accepted, until the loan is disbursed (used) or the
-- order is cancelled (released). `source_ref` names the order's effect and makes reserving again
-- for it a no-op.
CREATE TABLE credit_reservations (
  id            uuid PRIMARY KEY,
  line_id       uuid NOT NULL REFERENCES credit_lines (id),
  customer_id   uuid NOT NULL,
  source_ref    text NOT NULL UNIQUE CHECK (length(source_ref) BETWEEN 1 AND 200),
  amount_minor  bigint NOT NULL CHECK (amount_minor BETWEEN 1 AND 999999999999),
  status        text NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'used', 'released')),
  business_date date NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  settled_at    timestamptz,
  CHECK ((status = 'held') = (settled_at IS NULL))
);
CREATE INDEX credit_reservations_line ON credit_reservations (line_id) WHERE status = 'held';

-- Every change to a line, written in the transaction of the change: the deltas, the balances
-- after, what caused it and who. Append-only.
CREATE TABLE credit_line_history (
  id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  line_id               uuid NOT NULL REFERENCES credit_lines (id),
  customer_id           uuid NOT NULL,
  kind                  text NOT NULL CHECK (kind IN (
                          'granted', 'reserved', 'reservation_used', 'reservation_released',
                          'restored', 'repaid', 'frozen', 'unfrozen', 'closed', 'expired',
                          'limit_adjusted')),
  limit_delta_minor     bigint NOT NULL,
  used_delta_minor      bigint NOT NULL,
  reserved_delta_minor  bigint NOT NULL,
  repaid_delta_minor    bigint NOT NULL,
  limit_after_minor     bigint NOT NULL,
  used_after_minor      bigint NOT NULL,
  reserved_after_minor  bigint NOT NULL,
  repaid_after_minor    bigint NOT NULL,
  available_after_minor bigint NOT NULL CHECK (available_after_minor >= 0),
  status_after          text NOT NULL CHECK (status_after IN ('active', 'frozen', 'closed', 'expired')),
  -- The application, reservation, repayment or approval request behind the change.
  source_ref            text CHECK (length(source_ref) BETWEEN 1 AND 200),
  -- Who: a staff user, or a system step (null when the step is named by source_ref alone).
  actor_kind            text CHECK (actor_kind IN ('staff', 'system')),
  actor_id              text CHECK (length(actor_id) BETWEEN 1 AND 100),
  reason                text CHECK (length(reason) BETWEEN 1 AND 500),
  business_date         date NOT NULL,
  at                    timestamptz NOT NULL DEFAULT now(),
  CHECK ((actor_kind IS NULL) = (actor_id IS NULL)),
  CHECK (available_after_minor = limit_after_minor - used_after_minor - reserved_after_minor)
);
CREATE INDEX credit_line_history_line ON credit_line_history (line_id, id);
-- A repayment restores (or is counted on) a line once: a repeat of its source_ref finds this row.
CREATE UNIQUE INDEX credit_line_history_one_restore_per_source
  ON credit_line_history (source_ref) WHERE kind IN ('restored', 'repaid');

CREATE FUNCTION credit_line_history_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'credit_line_history is append-only (% refused)', TG_OP USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER credit_line_history_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON credit_line_history
  FOR EACH STATEMENT EXECUTE FUNCTION credit_line_history_append_only();

DO $$
BEGIN
  ASSERT (SELECT count(*) FROM pg_constraint
          WHERE conrelid = 'credit_lines'::regclass AND conname = 'credit_lines_available_not_negative') = 1,
    'credit_lines guards available >= 0';
  ASSERT (SELECT count(*) FROM pg_trigger
          WHERE tgrelid = 'credit_line_history'::regclass AND NOT tgisinternal) = 1,
    'credit_line_history is guarded against UPDATE, DELETE and TRUNCATE';
END $$;
