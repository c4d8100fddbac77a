-- Close of business (modules/cob, docs/cob.md): one run per business date, split into partitions
-- by loan-id range. A worker claims a partition with FOR UPDATE SKIP LOCKED and holds that row
-- lock while it closes the partition's loans, so the loans' changes, their journal lines and the
-- partition's `done` commit together — a worker killed half-way leaves the partition pending, and
-- the next claim starts it again from nothing.

CREATE TABLE cob_runs (
  business_date date PRIMARY KEY,
  status        text NOT NULL CHECK (status IN ('running', 'done')),
  partitions    integer NOT NULL CHECK (partitions >= 1),
  loans         bigint NOT NULL CHECK (loans >= 0),
  started_by    text NOT NULL,
  started_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  -- What the run did, added up from its partitions when it finishes (docs/cob.md lists the keys).
  summary       jsonb,
  CHECK ((status = 'done') = (finished_at IS NOT NULL))
);

CREATE TABLE cob_partitions (
  business_date date NOT NULL REFERENCES cob_runs (business_date),
  number        integer NOT NULL CHECK (number >= 1),
  -- [loan_from, loan_to): loan_to NULL is the end of the id space.
  loan_from     uuid NOT NULL,
  loan_to       uuid,
  loans         integer NOT NULL CHECK (loans >= 0),
  status        text NOT NULL CHECK (status IN ('pending', 'done')),
  worker        text,
  finished_at   timestamptz,
  -- The partition's counts and amounts (the day-close's DayCloseTotals, amounts as strings).
  totals        jsonb,
  PRIMARY KEY (business_date, number),
  CHECK ((status = 'done') = (finished_at IS NOT NULL))
);
CREATE INDEX cob_partitions_pending ON cob_partitions (business_date, number) WHERE status = 'pending';
