-- Servicing (modules/servicing, docs/servicing.md): every disbursed loan's servicing account, its
-- installments with what was paid toward each, its repayments and reversals, and its delinquency
-- history. Loan, customer, line, product version and payment order ids belong to other modules:
-- plain ids, no foreign keys.
--
-- Close of business (modules/cob) closes each account for a business date with set-based SQL
-- (servicing/day-close.ts): one UPDATE of the accounts of a partition and a few statements over
-- the small subsets that fall due or overdue. Everything the daily accrual needs is therefore on
-- the account row itself (the current period's accrual formula, core accrualFormula), so the
-- million-loan UPDATE joins nothing.

CREATE TABLE servicing_accounts (
  loan_id              uuid PRIMARY KEY,
  loan_no              text NOT NULL,
  customer_id          uuid NOT NULL,
  line_id              uuid NOT NULL,
  product_code         text NOT NULL,
  product_version_id   text NOT NULL,
  method               text NOT NULL,
  currency             char(3) NOT NULL CHECK (currency = 'CNY'),
  posting_basis        text NOT NULL CHECK (posting_basis IN ('accrual', 'cash')),
  rounding             text NOT NULL CHECK (rounding IN ('half_up', 'half_even', 'down', 'up')),
  day_count            text NOT NULL CHECK (day_count IN ('ACT_360', 'ACT_365', '30_360')),
  -- Penalty: annual rate as an exact fraction, on overdue principal, without compounding.
  penalty_rate_num     numeric NOT NULL CHECK (penalty_rate_num >= 0),
  penalty_rate_den     numeric NOT NULL CHECK (penalty_rate_den > 0),
  basis_days           integer NOT NULL CHECK (basis_days IN (360, 365)),
  grace_days           integer NOT NULL CHECK (grace_days BETWEEN 0 AND 30),
  write_off_dpd        integer NOT NULL CHECK (write_off_dpd BETWEEN 31 AND 1000),
  revolving            boolean NOT NULL,
  -- The funder of the whole loan, or NULL when it is shared (servicing_funder_shares).
  funder_id            text,
  status               text NOT NULL CHECK (status IN ('active', 'overdue', 'paid_off', 'written_off')),
  schedule_version     integer NOT NULL CHECK (schedule_version >= 1),
  -- The last business date close of business applied to this loan: a day is applied once.
  closed_through       date NOT NULL,
  -- The current period (the installment whose period holds the next day to accrue), or NULL
  -- after the last due date: accrued interest to a date = fenqi_accrued_interest(acc_num,
  -- acc_den, acc_days, cur_interest, fenqi_accrual_days(cur_period_start, date, day_count), rounding).
  cur_number           integer,
  cur_period_start     date,
  cur_due_date         date,
  cur_interest         bigint,
  acc_num              numeric,
  acc_den              numeric,
  acc_days             integer,
  -- Delinquency: the oldest due date with anything unpaid, days past it, and the bucket.
  oldest_unpaid_due    date,
  dpd                  integer NOT NULL DEFAULT 0 CHECK (dpd >= 0),
  bucket               text NOT NULL DEFAULT 'M0' CHECK (bucket ~ '^M[0-7]$'),
  -- From 90 DPD no income is recognised: accrued unpaid interest and penalty are off balance.
  non_accrual_since    date,
  -- Balances in servicing's own terms (the ledger's per-loan balances must equal them).
  principal_outstanding bigint NOT NULL CHECK (principal_outstanding >= 0),
  credit_balance       bigint NOT NULL DEFAULT 0 CHECK (credit_balance >= 0),
  opened_on            date NOT NULL,
  closed_on            date,
  updated_at           timestamptz NOT NULL DEFAULT now(),
  CHECK ((cur_number IS NULL) = (cur_period_start IS NULL)),
  CHECK ((status IN ('paid_off', 'written_off')) = (closed_on IS NOT NULL))
);
-- Close of business rewrites every open row once a day. No index holds a column it changes
-- (closed_through, the current period, the delinquency figures), and each page keeps room for
-- the new version, so the daily UPDATE is a heap-only (HOT) update: no index entry is written.
ALTER TABLE servicing_accounts SET (fillfactor = 70);
-- Close of business walks the open accounts of a loan-id range.
CREATE INDEX servicing_accounts_open ON servicing_accounts (loan_id) WHERE status IN ('active', 'overdue');
CREATE INDEX servicing_accounts_customer ON servicing_accounts (customer_id);

-- A shared loan's funders, in allocation order (the order splitByShares gives leftover fen by).
CREATE TABLE servicing_funder_shares (
  loan_id   uuid NOT NULL REFERENCES servicing_accounts (loan_id),
  ordinal   integer NOT NULL CHECK (ordinal >= 1),
  funder_id text NOT NULL,
  share_bp  integer NOT NULL CHECK (share_bp BETWEEN 1 AND 10000),
  PRIMARY KEY (loan_id, ordinal)
);

-- The current schedule's installments with what was charged and paid toward each. A new schedule
-- version (a prepayment, a refund) replaces the installments not yet settled.
CREATE TABLE servicing_installments (
  loan_id          uuid NOT NULL REFERENCES servicing_accounts (loan_id),
  number           integer NOT NULL CHECK (number BETWEEN 1 AND 600),
  period_start     date NOT NULL,
  due_date         date NOT NULL CHECK (due_date > period_start),
  principal_due    bigint NOT NULL CHECK (principal_due >= 0),
  interest_due     bigint NOT NULL CHECK (interest_due >= 0),
  fee_due          bigint NOT NULL CHECK (fee_due >= 0),
  -- The opening balance of the period, and the period's accrual formula (core accrualFormula):
  -- copied to the account when the period becomes the current one.
  opening_balance  bigint NOT NULL CHECK (opening_balance >= 0),
  acc_num          numeric NOT NULL,
  acc_den          numeric NOT NULL CHECK (acc_den > 0),
  acc_days         integer NOT NULL,
  principal_paid   bigint NOT NULL DEFAULT 0 CHECK (principal_paid BETWEEN 0 AND principal_due),
  interest_paid    bigint NOT NULL DEFAULT 0 CHECK (interest_paid BETWEEN 0 AND interest_due),
  fee_paid         bigint NOT NULL DEFAULT 0 CHECK (fee_paid BETWEEN 0 AND fee_due),
  -- Waived (减免) parts, by collections: owed no more, and not paid either.
  interest_waived  bigint NOT NULL DEFAULT 0 CHECK (interest_waived >= 0),
  fee_waived       bigint NOT NULL DEFAULT 0 CHECK (fee_waived >= 0),
  penalty_waived   bigint NOT NULL DEFAULT 0 CHECK (penalty_waived >= 0),
  penalty_accrued  bigint NOT NULL DEFAULT 0 CHECK (penalty_accrued >= 0),
  penalty_paid     bigint NOT NULL DEFAULT 0 CHECK (penalty_paid >= 0),
  -- The running penalty segment: since `penalty_from` the base has been `penalty_base`, and
  -- `penalty_days` days of it have been accrued (a payment or a reversal starts a new segment).
  penalty_from     date,
  penalty_base     bigint NOT NULL DEFAULT 0 CHECK (penalty_base >= 0),
  penalty_days     integer NOT NULL DEFAULT 0 CHECK (penalty_days >= 0),
  -- The period fee is charged (booked as receivable) on the due date.
  fee_charged      boolean NOT NULL DEFAULT false,
  status           text NOT NULL CHECK (status IN ('future', 'due', 'paid')),
  settled_on       date,
  PRIMARY KEY (loan_id, number),
  CHECK (penalty_paid + penalty_waived <= penalty_accrued),
  CHECK (interest_paid + interest_waived <= interest_due),
  CHECK (fee_paid + fee_waived <= fee_due),
  CHECK ((status = 'paid') = (settled_on IS NOT NULL))
);
-- The installments with something unpaid after their due date.
CREATE INDEX servicing_installments_unpaid ON servicing_installments (loan_id, due_date)
  WHERE status = 'due';

-- Every repayment and reversal, with its allocation by installment and component. `source_ref`
-- is the payment order, the offline transfer's approval or the reversed transaction: a repeated
-- notification of one payment finds the first and changes nothing.
CREATE TABLE servicing_transactions (
  id              uuid PRIMARY KEY,
  loan_id         uuid NOT NULL REFERENCES servicing_accounts (loan_id),
  customer_id     uuid NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('repayment', 'auto_debit', 'offline', 'payoff', 'prepayment',
                                                'overpayment_refund', 'reversal', 'credit_applied')),
  source_ref      text NOT NULL CHECK (length(source_ref) BETWEEN 1 AND 200),
  amount_minor    bigint NOT NULL CHECK (amount_minor BETWEEN 1 AND 999999999999),
  principal_minor bigint NOT NULL DEFAULT 0,
  interest_minor  bigint NOT NULL DEFAULT 0,
  fee_minor       bigint NOT NULL DEFAULT 0,
  penalty_minor   bigint NOT NULL DEFAULT 0,
  prepayment_fee_minor bigint NOT NULL DEFAULT 0,
  overpayment_minor bigint NOT NULL DEFAULT 0,
  -- [{ number, component, amountMinor }] as core allocatePayment returned it (amounts as strings).
  allocation      jsonb NOT NULL DEFAULT '[]',
  -- The penalty segment each overdue installment had when this payment restarted it
  -- ([{ number, from, base, days, accruedBefore }], amounts as strings): a reversal puts it back,
  -- so the penalty is exactly what one segment would have come to had the payment never been made.
  penalty_segments jsonb NOT NULL DEFAULT '[]',
  channel         text,
  entry_id        bigint,
  reverses        uuid REFERENCES servicing_transactions (id),
  reversed_by     uuid REFERENCES servicing_transactions (id),
  reason          text CHECK (length(reason) <= 500),
  business_date   date NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  UNIQUE (source_ref)
);
CREATE INDEX servicing_transactions_loan ON servicing_transactions (loan_id, created_at);
CREATE UNIQUE INDEX servicing_transactions_reverses ON servicing_transactions (reverses) WHERE reverses IS NOT NULL;

-- A row whenever a loan's bucket changes (M0 → M1 → …, or back when it is cured), append-only.
CREATE TABLE servicing_delinquency_history (
  id            bigserial PRIMARY KEY,
  loan_id       uuid NOT NULL REFERENCES servicing_accounts (loan_id),
  business_date date NOT NULL,
  dpd           integer NOT NULL CHECK (dpd >= 0),
  bucket_from   text NOT NULL,
  bucket_to     text NOT NULL,
  cause         text NOT NULL CHECK (cause IN ('close_of_business', 'repayment', 'reversal')),
  at            timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX servicing_delinquency_history_loan ON servicing_delinquency_history (loan_id, id);

CREATE FUNCTION servicing_history_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER servicing_delinquency_history_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON servicing_delinquency_history
  FOR EACH STATEMENT EXECUTE FUNCTION servicing_history_append_only();

-- Off-balance (表外) memorandum accounts for non-accrual loans: from 90 DPD the interest and
-- penalty a loan keeps accruing are recorded here, not as income, until they are paid or the loan
-- is written off. Each pair balances against 7099, so the trial balance stays zero.
INSERT INTO ledger_accounts (code, currency, name_zh, name_en, type, normal_side) VALUES
  ('7001', 'CNY', '表外应收利息', 'Off-balance interest receivable', 'asset', 'debit'),
  ('7002', 'CNY', '表外应收罚息', 'Off-balance penalty receivable', 'asset', 'debit'),
  ('7099', 'CNY', '表外科目对方', 'Off-balance contra', 'liability', 'credit');

DO $$
BEGIN
  ASSERT (SELECT count(*) FROM ledger_accounts WHERE code IN ('7001', '7002', '7099', '2242', '2241')) = 5,
    'the off-balance accounts and the collection accounts exist';
  ASSERT (SELECT count(*) FROM pg_trigger WHERE tgname = 'servicing_delinquency_history_append_only') = 1,
    'delinquency history is append-only';
END $$;

-- The business dates whose close has begun (modules/cob calls beginDayClose). While a date's close
-- is running, a request that touches an account not yet closed for it closes that account first
-- (inline catch-up), so nobody sees the day before's figures once the day is being closed.
CREATE TABLE servicing_day_close (
  business_date date PRIMARY KEY,
  started_at    timestamptz NOT NULL DEFAULT now()
);
