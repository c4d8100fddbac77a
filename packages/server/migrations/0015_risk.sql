-- The risk module's tables: credit policy versions and which of them decides, credit applications
-- with the feature snapshot each was decided on, every evaluation (champion and challenger), and the
-- manual review queue. See docs/risk.md.

-- A policy version: the JSON document (packages/core/src/risk) as written, and its life. Drafts
-- change; a published version never does (decisions pin it), and retiring it only stops new use.
CREATE TABLE risk_policy_versions (
  id            uuid PRIMARY KEY,
  policy_id     text NOT NULL,
  version       integer NOT NULL CHECK (version >= 1),
  document      jsonb NOT NULL,
  status        text NOT NULL CHECK (status IN ('draft', 'published', 'retired')),
  created_by    text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  published_at  timestamptz,
  published_by  text,
  retired_at    timestamptz,
  UNIQUE (policy_id, version),
  CHECK ((status = 'draft') = (published_at IS NULL))
);

-- What decides credit applications: one champion, and at most one challenger that gets a share of
-- the applications (basis points of a stable hash of the customer id). One row.
CREATE TABLE risk_assignment (
  singleton            boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  champion_id          uuid NOT NULL REFERENCES risk_policy_versions (id),
  challenger_id        uuid REFERENCES risk_policy_versions (id),
  challenger_share_bp  integer NOT NULL DEFAULT 0 CHECK (challenger_share_bp BETWEEN 0 AND 10000),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  CHECK (challenger_id IS NULL OR challenger_id <> champion_id),
  CHECK (challenger_id IS NOT NULL OR challenger_share_bp = 0)
);

-- A credit application and where it stands. `outcome` is final once status is decided.
CREATE TABLE risk_applications (
  id             uuid PRIMARY KEY,
  customer_id    uuid NOT NULL,
  device_id      text NOT NULL,
  status         text NOT NULL CHECK (status IN ('in_review', 'approved', 'rejected')),
  reasons        text[] NOT NULL DEFAULT '{}',
  line_id        uuid,
  limit_minor    bigint CHECK (limit_minor > 0),
  -- The grade's price and products the line was granted with (from the deciding policy's offer).
  price          jsonb,
  products       text[] NOT NULL DEFAULT '{}',
  business_date  date NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  decided_at     timestamptz,
  CHECK ((status = 'approved') = (line_id IS NOT NULL AND limit_minor IS NOT NULL))
);
CREATE INDEX risk_applications_customer ON risk_applications (customer_id, created_at);
CREATE INDEX risk_applications_device ON risk_applications (device_id);
CREATE INDEX risk_applications_date ON risk_applications (business_date);

-- The features the application was decided on, exactly as evaluated (canonical JSON text), so a
-- replay or a backtest reads the same bytes.
CREATE TABLE risk_snapshots (
  application_id  uuid PRIMARY KEY REFERENCES risk_applications (id),
  features        text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- Every evaluation: the assigned one decides; the other (champion or challenger) is kept to compare.
CREATE TABLE risk_decisions (
  id                 uuid PRIMARY KEY,
  application_id     uuid NOT NULL REFERENCES risk_applications (id),
  policy_version_id  uuid NOT NULL REFERENCES risk_policy_versions (id),
  role               text NOT NULL CHECK (role IN ('champion', 'challenger')),
  assigned           boolean NOT NULL,
  outcome            text NOT NULL CHECK (outcome IN ('approve', 'reject', 'review')),
  score              integer NOT NULL,
  grade              text,
  credit_limit_minor bigint,
  reasons            text[] NOT NULL,
  result             text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  UNIQUE (application_id, role)
);
CREATE UNIQUE INDEX risk_decisions_one_assigned ON risk_decisions (application_id) WHERE assigned;

-- The manual review queue: an application a rule sent to review, claimed by an analyst and decided
-- with a reason code. An approval above the configured limit waits for a second person.
CREATE TABLE risk_reviews (
  application_id      uuid PRIMARY KEY REFERENCES risk_applications (id),
  status              text NOT NULL CHECK (status IN ('open', 'claimed', 'awaiting_approval', 'decided')),
  claimed_by          text,
  claimed_at          timestamptz,
  decision            text CHECK (decision IN ('approve', 'reject')),
  reason_code         text,
  note                text,
  limit_minor         bigint CHECK (limit_minor > 0),
  approval_request_id uuid,
  decided_by          text,
  decided_at          timestamptz,
  opened_at           timestamptz NOT NULL DEFAULT now(),
  due_at              timestamptz NOT NULL,
  CHECK ((status IN ('open')) = (claimed_by IS NULL)),
  CHECK ((status = 'decided') = (decided_at IS NOT NULL))
);
CREATE INDEX risk_reviews_queue ON risk_reviews (opened_at) WHERE status <> 'decided';

DO $$
BEGIN
  ASSERT (SELECT indisunique FROM pg_index WHERE indexrelid = 'risk_decisions_one_assigned'::regclass),
    'one assigned decision per application';
  ASSERT (SELECT count(*) FROM pg_constraint WHERE conrelid = 'risk_assignment'::regclass AND contype = 'c') >= 4,
    'the assignment row is checked (singleton, share, challenger ≠ champion, no share without challenger)';
  ASSERT NOT EXISTS (SELECT 1 FROM risk_assignment), 'no policy decides before one is published';
END $$;
