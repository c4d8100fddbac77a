-- Collections (modules/collections, docs/collections.md): cases opened from servicing's overdue
-- events, the strategies that route them, queues, agents and outsourced agencies, the contact
-- targets and the log of every contact attempt (refusals included), promises to pay and waiver
-- requests. Loans, customers and staff users are other modules' rows, linked by id only.

CREATE FUNCTION collections_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END $$;

-- Strategies as data, versioned: a new version is a draft until published; one published version
-- per code is in force (publishing another retires it).
CREATE TABLE collections_strategies (
  code         text NOT NULL CHECK (code ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
  version      integer NOT NULL CHECK (version >= 1),
  status       text NOT NULL CHECK (status IN ('draft', 'published', 'retired')),
  definition   jsonb NOT NULL,
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  published_by text,
  PRIMARY KEY (code, version),
  CHECK ((status = 'draft') = (published_at IS NULL))
);
CREATE UNIQUE INDEX collections_strategies_published ON collections_strategies (code) WHERE status = 'published';

CREATE TABLE collections_queues (
  code       text PRIMARY KEY CHECK (code ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
  name       text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  created_at timestamptz NOT NULL DEFAULT now()
);

-- In-house agents of a queue and how many open cases each may hold (their load is counted from
-- the cases themselves).
CREATE TABLE collections_queue_members (
  queue_code text NOT NULL REFERENCES collections_queues (code),
  agent_id   uuid NOT NULL,
  capacity   integer NOT NULL CHECK (capacity BETWEEN 0 AND 100000),
  active     boolean NOT NULL DEFAULT true,
  PRIMARY KEY (queue_code, agent_id)
);

-- Outsourced agencies. review_date is the last due-diligence review: a year after it, the agency
-- takes no new cases until reviewed again.
CREATE TABLE collections_agencies (
  id          uuid PRIMARY KEY,
  name        text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 100),
  queue_code  text NOT NULL REFERENCES collections_queues (code),
  status      text NOT NULL CHECK (status IN ('active', 'suspended')),
  review_date date NOT NULL,
  capacity    integer NOT NULL CHECK (capacity BETWEEN 0 AND 1000000),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Staff users who work for an agency: everything they read or write is scoped to its cases.
CREATE TABLE collections_agency_members (
  staff_user_id uuid PRIMARY KEY,
  agency_id     uuid NOT NULL REFERENCES collections_agencies (id),
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX collections_agency_members_agency ON collections_agency_members (agency_id);

CREATE TABLE collections_cases (
  id               uuid PRIMARY KEY,
  loan_id          uuid NOT NULL,
  loan_no          text NOT NULL,
  customer_id      uuid NOT NULL,
  product_code     text NOT NULL,
  bucket           text NOT NULL CHECK (bucket ~ '^M[1-7]$'),
  dpd              integer NOT NULL CHECK (dpd >= 0),
  overdue_minor    bigint NOT NULL CHECK (overdue_minor >= 0),
  state            text NOT NULL CHECK (state IN ('unassigned', 'assigned', 'in_progress', 'promised_to_pay',
                                                  'broken_promise', 'transferred_to_agency', 'resolved', 'written_off')),
  queue_code       text REFERENCES collections_queues (code),
  agent_id         uuid,
  agency_id        uuid REFERENCES collections_agencies (id),
  strategy_code    text,
  strategy_version integer,
  time_zone        text NOT NULL DEFAULT 'Asia/Shanghai',
  -- A contact window the debtor agreed to instead of 08:00–22:00 (minutes of the local day).
  consent_from     smallint CHECK (consent_from BETWEEN 0 AND 1439),
  consent_to       smallint CHECK (consent_to BETWEEN 0 AND 1439),
  consent_note     text,
  opened_on        date NOT NULL,
  closed_on        date,
  close_reason     text CHECK (close_reason IN ('current', 'paid_off', 'written_off')),
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now(),
  CHECK ((consent_from IS NULL) = (consent_to IS NULL)),
  CHECK ((state IN ('resolved', 'written_off')) = (closed_on IS NOT NULL))
);
-- One open case per loan.
CREATE UNIQUE INDEX collections_cases_open_loan ON collections_cases (loan_id)
  WHERE state NOT IN ('resolved', 'written_off');
CREATE INDEX collections_cases_queue ON collections_cases (queue_code, id) WHERE state NOT IN ('resolved', 'written_off');
CREATE INDEX collections_cases_agent ON collections_cases (agent_id) WHERE state NOT IN ('resolved', 'written_off');
CREATE INDEX collections_cases_agency ON collections_cases (agency_id, id);
CREATE INDEX collections_cases_customer ON collections_cases (customer_id);

CREATE TABLE collections_case_history (
  id         bigserial PRIMARY KEY,
  case_id    uuid NOT NULL REFERENCES collections_cases (id),
  from_state text,
  to_state   text NOT NULL,
  event      text NOT NULL,
  actor      text NOT NULL,
  reason     text,
  source_ref text,
  at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX collections_case_history_case ON collections_case_history (case_id, id);
CREATE TRIGGER collections_case_history_append_only BEFORE UPDATE OR DELETE ON collections_case_history
  FOR EACH ROW EXECUTE FUNCTION collections_append_only();

-- Whom a debtor's cases may call: their own numbers and their contact persons, per customer (so
-- "do not contact" outlives the case). The phone is a field ciphertext under its own data key, a
-- keyed blind index (the per-number limits) and its masked form.
CREATE TABLE collections_contact_targets (
  id             uuid PRIMARY KEY,
  customer_id    uuid NOT NULL,
  role           text NOT NULL CHECK (role IN ('debtor', 'contact_person')),
  relation       text NOT NULL CHECK (length(relation) BETWEEN 1 AND 40),
  phone_enc      text NOT NULL,
  phone_bidx     text NOT NULL,
  phone_masked   text NOT NULL,
  status         text NOT NULL CHECK (status IN ('valid', 'invalid')),
  do_not_contact boolean NOT NULL DEFAULT false,
  dnc_at         timestamptz,
  dnc_reason     text,
  source         text NOT NULL CHECK (source IN ('customers', 'agent')),
  created_by     text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  UNIQUE (customer_id, phone_bidx),
  CHECK (do_not_contact = (dnc_at IS NOT NULL))
);

-- "Do not contact" is permanent: once set it is never cleared, and the target is never deleted.
CREATE FUNCTION collections_dnc_permanent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'contact targets are never deleted' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.do_not_contact AND NOT NEW.do_not_contact THEN
    RAISE EXCEPTION 'do not contact is permanent (target %)', OLD.id USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER collections_contact_targets_dnc BEFORE UPDATE OR DELETE ON collections_contact_targets
  FOR EACH ROW EXECUTE FUNCTION collections_dnc_permanent();

-- Every attempt, refused ones with the rule that refused them. local_date is the debtor's local
-- day the per-day limits count in. request_key (caller and Idempotency-Key) makes a retry of one
-- request one row.
CREATE TABLE collections_contact_attempts (
  id            uuid PRIMARY KEY,
  case_id       uuid NOT NULL REFERENCES collections_cases (id),
  customer_id   uuid NOT NULL,
  target_id     uuid NOT NULL REFERENCES collections_contact_targets (id),
  target_role   text NOT NULL CHECK (target_role IN ('debtor', 'contact_person')),
  number_bidx   text NOT NULL,
  channel       text NOT NULL CHECK (channel IN ('sms', 'voice', 'ai_voice', 'visit')),
  outcome       text NOT NULL CHECK (outcome IN ('connected', 'unanswered', 'invalid_number', 'sent', 'refused')),
  refused_rule  text,
  refused_rules text[],
  agent_id      text NOT NULL,
  at            timestamptz NOT NULL,
  local_date    date NOT NULL,
  note          text,
  recording_ref text,
  request_key   text UNIQUE,
  CHECK ((outcome = 'refused') = (refused_rule IS NOT NULL))
);
CREATE INDEX collections_contact_attempts_customer_day ON collections_contact_attempts (customer_id, local_date);
CREATE INDEX collections_contact_attempts_case ON collections_contact_attempts (case_id, at);
CREATE TRIGGER collections_contact_attempts_append_only BEFORE UPDATE OR DELETE ON collections_contact_attempts
  FOR EACH ROW EXECUTE FUNCTION collections_append_only();

CREATE TABLE collections_promises (
  id            uuid PRIMARY KEY,
  case_id       uuid NOT NULL REFERENCES collections_cases (id),
  promised_date date NOT NULL,
  amount_minor  bigint NOT NULL CHECK (amount_minor > 0),
  paid_minor    bigint NOT NULL DEFAULT 0 CHECK (paid_minor >= 0),
  status        text NOT NULL CHECK (status IN ('open', 'kept', 'broken', 'cancelled')),
  agent_id      text NOT NULL,
  created_on    date NOT NULL,
  settled_on    date,
  created_at    timestamptz NOT NULL DEFAULT now(),
  CHECK ((status = 'open') = (settled_on IS NULL))
);
CREATE UNIQUE INDEX collections_promises_open ON collections_promises (case_id) WHERE status = 'open';
CREATE INDEX collections_promises_due ON collections_promises (promised_date) WHERE status = 'open';

CREATE TABLE collections_waivers (
  id                  uuid PRIMARY KEY,
  case_id             uuid NOT NULL REFERENCES collections_cases (id),
  loan_id             uuid NOT NULL,
  penalty_minor       bigint NOT NULL CHECK (penalty_minor >= 0),
  fee_minor           bigint NOT NULL CHECK (fee_minor >= 0),
  interest_minor      bigint NOT NULL CHECK (interest_minor >= 0),
  total_minor         bigint NOT NULL CHECK (total_minor > 0 AND total_minor = penalty_minor + fee_minor + interest_minor),
  tier                text NOT NULL,
  status              text NOT NULL CHECK (status IN ('requested', 'applied')),
  approval_request_id uuid NOT NULL UNIQUE,
  requested_by        text NOT NULL,
  reason              text NOT NULL,
  transaction_id      uuid,
  approved_by         text,
  created_at          timestamptz NOT NULL DEFAULT now(),
  applied_at          timestamptz,
  CHECK ((status = 'applied') = (transaction_id IS NOT NULL))
);
CREATE INDEX collections_waivers_case ON collections_waivers (case_id);

-- Events already applied (the consumers are idempotent by event id: a replayed delivery is a no-op).
CREATE TABLE collections_processed_events (
  event_id     uuid PRIMARY KEY,
  processed_at timestamptz NOT NULL DEFAULT now()
);
