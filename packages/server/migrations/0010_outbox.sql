-- The transactional outbox (platform): events are written in the business transaction that caused
-- them, with one delivery row per consumer in the same statement, and a worker delivers them —
-- to module consumers (in a transaction of their own, exactly once), to merchants' and funders'
-- webhook endpoints (signed, retried with back-off, every attempt logged) and, when configured, to
-- NATS JetStream. See docs/events.md.

CREATE TABLE outbox_events (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id      uuid NOT NULL UNIQUE,
  type          text NOT NULL CHECK (type ~ '^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$'),
  subject_type  text CHECK (length(subject_type) BETWEEN 1 AND 60),
  subject_id    text CHECK (length(subject_id) BETWEEN 1 AND 100),
  -- The partner the event concerns, if any: only its webhook endpoints receive it.
  owner_kind    text CHECK (owner_kind IN ('merchant', 'funder')),
  owner_id      text CHECK (length(owner_id) BETWEEN 1 AND 64),
  payload       jsonb NOT NULL,
  occurred_at   timestamptz NOT NULL DEFAULT now(),
  business_date date NOT NULL,
  CHECK ((owner_kind IS NULL) = (owner_id IS NULL))
);
CREATE INDEX outbox_events_occurred_at ON outbox_events USING brin (occurred_at);

-- Which internal consumers (module:<name>) and sinks (nats) take which event types; `*` is every
-- type. Kept in step with the composed modules when the worker starts.
CREATE TABLE outbox_subscriptions (
  consumer   text NOT NULL CHECK (consumer ~ '^(module:[a-z][a-z0-9.-]*|nats)$'),
  event_type text NOT NULL CHECK (event_type = '*' OR event_type ~ '^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$'),
  PRIMARY KEY (consumer, event_type)
);

-- A partner's webhook endpoint: the URL, the signing secret (a field ciphertext), the event types.
CREATE TABLE webhook_endpoints (
  id          uuid PRIMARY KEY,
  owner_kind  text NOT NULL CHECK (owner_kind IN ('merchant', 'funder')),
  owner_id    text NOT NULL CHECK (length(owner_id) BETWEEN 1 AND 64),
  url         text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 500),
  secret_enc  text NOT NULL CHECK (secret_enc LIKE 'fq1.%'),
  event_types text[] NOT NULL CHECK (cardinality(event_types) BETWEEN 1 AND 50),
  status      text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  disabled_at timestamptz
);
CREATE INDEX webhook_endpoints_owner ON webhook_endpoints (owner_kind, owner_id) WHERE status = 'active';

-- One row per event and consumer (`module:<name>`, `webhook:<endpoint id>`, `nats`).
CREATE TABLE outbox_deliveries (
  event_row       bigint NOT NULL REFERENCES outbox_events (id),
  consumer        text NOT NULL,
  state           text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'dead')),
  attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_attempt_at timestamptz,
  last_error      text,
  delivered_at    timestamptz,
  PRIMARY KEY (event_row, consumer),
  CHECK ((state = 'delivered') = (delivered_at IS NOT NULL))
);
CREATE INDEX outbox_deliveries_due ON outbox_deliveries (next_attempt_at) WHERE state = 'pending';

-- The delivery log of webhooks: every attempt, its answer and how long it took.
CREATE TABLE webhook_attempts (
  event_row    bigint NOT NULL,
  consumer     text NOT NULL,
  attempt      integer NOT NULL CHECK (attempt >= 1),
  attempted_at timestamptz NOT NULL DEFAULT now(),
  status       integer,
  error        text CHECK (length(error) <= 500),
  duration_ms  integer NOT NULL CHECK (duration_ms >= 0),
  PRIMARY KEY (event_row, consumer, attempt),
  FOREIGN KEY (event_row, consumer) REFERENCES outbox_deliveries (event_row, consumer)
);

DO $$
BEGIN
  ASSERT (SELECT count(*) FROM pg_indexes WHERE tablename = 'outbox_deliveries') = 2,
    'outbox_deliveries: the primary key and the partial index of due deliveries';
END $$;
