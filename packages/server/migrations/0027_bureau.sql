-- Credit-bureau reporting (modules/bureau, docs/bureau.md): PBOC second-generation personal credit
-- records. What happened to a loan is queued as a report event (T+1: the generation of date D
-- reports the events of D-1, and every open loan's month end when D-1 was one); each generated
-- record keeps its segments WITHOUT the borrower's identity (name and ID number are read from
-- customers only when a file is written), its validation, its status and how long it is kept.

CREATE TABLE bureau_events (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The outbox event it came from: a redelivery is recorded once.
  event_id      uuid NOT NULL UNIQUE,
  loan_id       uuid NOT NULL,
  kind          text NOT NULL CHECK (kind IN ('disbursed', 'overdue_repaid', 'prepayment', 'paid_off', 'waiver',
                                              'written_off')),
  business_date date NOT NULL,
  -- What the record needs of it (amounts as strings of fen, early, close date, …).
  facts         jsonb NOT NULL DEFAULT '{}',
  -- The record that reported it (special transactions ride on the loan's next record).
  record_id     uuid,
  generated_on  date
);
CREATE INDEX bureau_events_pending ON bureau_events (business_date, loan_id) WHERE record_id IS NULL;
CREATE INDEX bureau_events_loan ON bureau_events (loan_id, business_date);

CREATE TABLE bureau_records (
  id                  uuid PRIMARY KEY,
  info_type           text NOT NULL CHECK (info_type IN ('210', '220')),
  loan_id             uuid,
  line_id             uuid,
  customer_id         uuid NOT NULL,
  -- 账户标识码 (210) or 授信协议标识码 (220).
  acct_code           text NOT NULL,
  rpt_date            date NOT NULL,
  rpt_date_code       text NOT NULL CHECK (rpt_date_code IN ('10', '20', '30', '32', '40')),
  -- The record's segments, keyed by element name; never Name, IDType or IDNum.
  segments            jsonb NOT NULL,
  -- What the record was built from, to build it again for a correction.
  facts               jsonb NOT NULL,
  rpy_status          text,
  negative            boolean NOT NULL DEFAULT false,
  status              text NOT NULL CHECK (status IN ('pending', 'held_for_notice', 'submitted', 'accepted', 'rejected',
                                                      'superseded')),
  validation_errors   jsonb NOT NULL DEFAULT '[]',
  -- The negative-information notice (征信业管理条例 art. 15) this record waited for, once delivered.
  notice_key          text,
  notice_delivery     jsonb,
  submission_id       uuid,
  feedback_code       text,
  feedback_reason     text,
  supersedes          uuid REFERENCES bureau_records (id),
  superseded_by       uuid REFERENCES bureau_records (id),
  -- Negative information is kept 5 years from the end of the behaviour (art. 16): set when it ends.
  retain_until        date,
  generated_on        date NOT NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  CHECK ((info_type = '210') = (loan_id IS NOT NULL)),
  CHECK (jsonb_typeof(segments) = 'object'),
  CHECK (NOT (segments::text ~ '"(Name|IDNum|IDType)"'))
);
-- One live record per account, report date and code: a generation run again writes nothing new.
CREATE UNIQUE INDEX bureau_records_live ON bureau_records (info_type, acct_code, rpt_date, rpt_date_code)
  WHERE status <> 'superseded';
CREATE INDEX bureau_records_loan ON bureau_records (loan_id, rpt_date) WHERE loan_id IS NOT NULL;
CREATE INDEX bureau_records_status ON bureau_records (status, rpt_date);
-- A file reads the pending records of a range in its order (date, code rank, id), a page at a time.
CREATE INDEX bureau_records_file_order ON bureau_records
  (rpt_date, (CASE rpt_date_code WHEN '10' THEN 0 WHEN '40' THEN 1 WHEN '30' THEN 2 ELSE 3 END), id)
  WHERE status = 'pending';
CREATE INDEX bureau_records_submission ON bureau_records (submission_id) WHERE submission_id IS NOT NULL;
CREATE INDEX bureau_records_retention ON bureau_records (retain_until) WHERE retain_until IS NOT NULL;
CREATE INDEX bureau_records_unended ON bureau_records (loan_id) WHERE negative AND retain_until IS NULL;

-- A loan's repayment statuses, one character a month from its opening month (the 60-month grid),
-- and its five-level class with the date it last changed (五级分类认定日期).
CREATE TABLE bureau_grids (
  loan_id         uuid PRIMARY KEY,
  open_month      text NOT NULL CHECK (open_month ~ '^\d{4}-\d{2}$'),
  statuses        text NOT NULL DEFAULT '',
  five_cate       text NOT NULL DEFAULT '1',
  five_cate_date  date NOT NULL,
  updated_on      date NOT NULL
);

-- The negative-information notice of a loan: sent before its first record with status 1–7.
CREATE TABLE bureau_notices (
  loan_id          uuid PRIMARY KEY,
  notice_key       text NOT NULL UNIQUE,
  notification_id  text NOT NULL,
  delivered_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bureau_notices_waiting ON bureau_notices (loan_id) WHERE delivered_at IS NULL;

-- A 220 record is made once per line (its first R4 draw); this remembers which lines have one.
CREATE TABLE bureau_lines (
  line_id      uuid PRIMARY KEY,
  record_id    uuid NOT NULL REFERENCES bureau_records (id)
);

CREATE TABLE bureau_generations (
  business_date  date PRIMARY KEY,
  reported_date  date NOT NULL,
  month_end      boolean NOT NULL,
  records        integer NOT NULL,
  held           integer NOT NULL,
  invalid        integer NOT NULL,
  started_at     timestamptz NOT NULL,
  finished_at    timestamptz NOT NULL
);

CREATE TABLE bureau_submissions (
  id             uuid PRIMARY KEY,
  range_from     date NOT NULL,
  range_to       date NOT NULL CHECK (range_to >= range_from),
  digest         text NOT NULL CHECK (digest ~ '^[0-9a-f]{64}$'),
  bytes          bigint NOT NULL,
  records        integer NOT NULL,
  -- Records of the range held back by pre-submit validation: [{recordId, failures}].
  excluded       jsonb NOT NULL DEFAULT '[]',
  -- A correction's resubmission names the record it corrects.
  corrects       uuid,
  created_by     text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);

-- The file, in chunks (a month end of a million loans is larger than one text value may be).
CREATE TABLE bureau_submission_chunks (
  submission_id  uuid NOT NULL REFERENCES bureau_submissions (id),
  n              integer NOT NULL,
  xml            text NOT NULL,
  PRIMARY KEY (submission_id, n)
);

CREATE TABLE bureau_feedback_imports (
  id             uuid PRIMARY KEY,
  submission_id  uuid REFERENCES bureau_submissions (id),
  format         text NOT NULL CHECK (format IN ('xml', 'csv')),
  -- SHA-256 of the imported text: the same file imported twice changes nothing the second time.
  sha256         text NOT NULL UNIQUE,
  accepted       integer NOT NULL,
  rejected       integer NOT NULL,
  unmatched      jsonb NOT NULL DEFAULT '[]',
  imported_by    text NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now()
);
