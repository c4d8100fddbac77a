-- Funding (modules/funding): who funds loans — the lender's own funds, bank co-lenders and investor
-- pools whose money sits at a custody bank — each product's allocation rule, every loan's shares,
-- and the custody sub-ledger the custody bank's instructions move. See docs/funding.md.
-- Loan ids and product codes belong to other modules: plain values, no foreign keys.

-- A funder (资金方). `quota_minor` is the total principal it will fund and `used_minor` what its
-- loans hold of it now (taken at allocation, given back when a loan is cancelled before
-- disbursement); only the lender's own funds may be unlimited (null). Allocation locks the rows
-- of a loan's funders (FOR UPDATE, in id order), so concurrent loans never oversubscribe a quota;
-- the CHECK below is the database's own guard.
CREATE TABLE funding_funders (
  id                uuid PRIMARY KEY,
  code              text NOT NULL UNIQUE CHECK (code ~ '^[A-Z][A-Z0-9_]{1,31}$'),
  name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind              text NOT NULL CHECK (kind IN ('own', 'bank', 'investor_pool')),
  quota_minor       bigint CHECK (quota_minor BETWEEN 0 AND 999999999999999),
  used_minor        bigint NOT NULL DEFAULT 0 CHECK (used_minor >= 0),
  status            text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
  -- An investor pool's money is held by a commercial bank (资金存管), never by the platform.
  custody_bank_name text CHECK (length(custody_bank_name) BETWEEN 1 AND 200),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT funding_funders_quota_not_exceeded CHECK (quota_minor IS NULL OR used_minor <= quota_minor),
  CONSTRAINT funding_funders_quota_only_own_unlimited CHECK (quota_minor IS NOT NULL OR kind = 'own'),
  CONSTRAINT funding_funders_custody_bank CHECK ((kind = 'investor_pool') = (custody_bank_name IS NOT NULL))
);
-- The lender's own funds are one funder: what a product without a rule is funded by.
CREATE UNIQUE INDEX funding_funders_one_own ON funding_funders ((true)) WHERE kind = 'own';

INSERT INTO funding_funders (id, code, name, kind)
VALUES ('00000000-0000-4000-8000-000000000001', 'OWN', '自有资金 Own funds', 'own');

-- A product's allocation rule, by version: every change is a new row (approved by a checker),
-- and the highest version is the rule in force. `funders` is the ordered list
-- [{"funderId": …, "shareBp": …}] — shares for a fixed rule, no shares for a by-quota one; the
-- order is the tie-break of every split. Append-only.
CREATE TABLE funding_rule_versions (
  product_code        text NOT NULL CHECK (product_code ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$'),
  version             integer NOT NULL CHECK (version >= 1),
  kind                text NOT NULL CHECK (kind IN ('fixed', 'quota')),
  -- 2021 co-lending notice: a bank co-lender funds at least 30 % of every loan it co-funds.
  min_bank_share_bp   integer NOT NULL CHECK (min_bank_share_bp BETWEEN 3000 AND 10000),
  funders             jsonb NOT NULL CHECK (jsonb_typeof(funders) = 'array' AND jsonb_array_length(funders) BETWEEN 1 AND 10),
  reason              text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  approval_request_id uuid NOT NULL UNIQUE,
  maker_id            text NOT NULL,
  checker_id          text NOT NULL,
  created_at          timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (product_code, version),
  CHECK (maker_id <> checker_id)
);

-- A loan's allocation: made once per loan (a repeat for the same loan returns it), released once
-- when the loan is cancelled before disbursement (its quota goes back to the funders).
CREATE TABLE funding_allocations (
  loan_id         uuid PRIMARY KEY,
  product_code    text NOT NULL CHECK (length(product_code) BETWEEN 1 AND 40),
  principal_minor bigint NOT NULL CHECK (principal_minor BETWEEN 1 AND 999999999999),
  -- The rule version it was split by; null when the product had no rule (100 % own funds).
  rule_version    integer CHECK (rule_version >= 1),
  status          text NOT NULL DEFAULT 'allocated' CHECK (status IN ('allocated', 'released')),
  business_date   date NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  released_at     timestamptz,
  CHECK ((status = 'released') = (released_at IS NOT NULL))
);

-- Each funder's share of a loan, in the rule's order. Every journal line of the loan carries the
-- funder's id (ledger dimension funderId), so each funder's balances come from the ledger.
CREATE TABLE funding_allocation_shares (
  loan_id         uuid NOT NULL REFERENCES funding_allocations (loan_id),
  position        smallint NOT NULL CHECK (position BETWEEN 0 AND 9),
  funder_id       uuid NOT NULL REFERENCES funding_funders (id),
  share_bp        integer NOT NULL CHECK (share_bp BETWEEN 0 AND 10000),
  principal_minor bigint NOT NULL CHECK (principal_minor BETWEEN 0 AND 999999999999),
  PRIMARY KEY (loan_id, position),
  UNIQUE (loan_id, funder_id)
);
CREATE INDEX funding_allocation_shares_funder ON funding_allocation_shares (funder_id);

-- Custody (资金存管): a sub-account at an investor pool's custody bank for each lender and each
-- borrower. The balances mirror the bank's: they move only on the bank's instructions, and the
-- pool's sub-accounts together equal the ledger's 1002.02 balance for the pool.
-- `account_ref` is the bank's identifier of the sub-account (not a card or bank account number).
CREATE TABLE funding_custody_accounts (
  id            uuid PRIMARY KEY,
  funder_id     uuid NOT NULL REFERENCES funding_funders (id),
  holder_kind   text NOT NULL CHECK (holder_kind IN ('lender', 'borrower')),
  -- A lender: the custody bank's id of the lender; a borrower: the customer id.
  holder_ref    text NOT NULL CHECK (length(holder_ref) BETWEEN 1 AND 64),
  account_ref   text NOT NULL CHECK (account_ref ~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$'),
  balance_minor bigint NOT NULL DEFAULT 0 CHECK (balance_minor >= 0),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  UNIQUE (funder_id, account_ref),
  UNIQUE (funder_id, holder_kind, holder_ref)
);

-- Every instruction of a custody bank, once: the bank's instruction id is unique per pool and is
-- recorded in the transaction of its effect (the sub-account balances and the journal entry), so
-- a resent instruction changes nothing. Append-only.
CREATE TABLE funding_custody_instructions (
  id               uuid PRIMARY KEY,
  funder_id        uuid NOT NULL REFERENCES funding_funders (id),
  instruction_id   text NOT NULL CHECK (instruction_id ~ '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$'),
  kind             text NOT NULL CHECK (kind IN ('deposit', 'withdrawal', 'transfer')),
  amount_minor     bigint NOT NULL CHECK (amount_minor BETWEEN 1 AND 999999999999999),
  from_account_id  uuid REFERENCES funding_custody_accounts (id),
  to_account_id    uuid REFERENCES funding_custody_accounts (id),
  loan_id          uuid,
  -- The instruction's content: the same id resent with other content is refused, not merged.
  request_sha256   text NOT NULL CHECK (request_sha256 ~ '^[0-9a-f]{64}$'),
  -- The entry on 1002.02; null for a transfer between two sub-accounts (nothing enters or leaves custody).
  journal_entry_id bigint,
  recorded_by_kind text NOT NULL CHECK (recorded_by_kind IN ('funder', 'staff')),
  recorded_by_id   text NOT NULL CHECK (length(recorded_by_id) BETWEEN 1 AND 64),
  business_date    date NOT NULL,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (funder_id, instruction_id),
  CHECK (CASE kind
           WHEN 'deposit' THEN from_account_id IS NULL AND to_account_id IS NOT NULL AND journal_entry_id IS NOT NULL
           WHEN 'withdrawal' THEN from_account_id IS NOT NULL AND to_account_id IS NULL AND journal_entry_id IS NOT NULL
           ELSE from_account_id IS NOT NULL AND to_account_id IS NOT NULL AND from_account_id <> to_account_id
                AND journal_entry_id IS NULL
         END)
);

CREATE FUNCTION funding_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'restrict_violation';
END $$;
CREATE TRIGGER funding_rule_versions_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON funding_rule_versions
  FOR EACH STATEMENT EXECUTE FUNCTION funding_append_only();
CREATE TRIGGER funding_custody_instructions_append_only
  BEFORE UPDATE OR DELETE OR TRUNCATE ON funding_custody_instructions
  FOR EACH STATEMENT EXECUTE FUNCTION funding_append_only();

DO $$
BEGIN
  ASSERT (SELECT count(*) FROM funding_funders WHERE kind = 'own' AND code = 'OWN' AND quota_minor IS NULL
            AND status = 'active') = 1,
    'the own funds are seeded, active and unlimited';
  ASSERT (SELECT count(*) FROM pg_constraint
          WHERE conrelid = 'funding_funders'::regclass AND conname = 'funding_funders_quota_not_exceeded') = 1,
    'funding_funders guards used <= quota';
  ASSERT (SELECT count(*) FROM pg_trigger
          WHERE tgrelid IN ('funding_rule_versions'::regclass, 'funding_custody_instructions'::regclass)
            AND NOT tgisinternal) = 2,
    'rule versions and custody instructions are guarded against UPDATE, DELETE and TRUNCATE';
  -- The custody ledger account this module posts to (seeded by 0002_ledger.sql).
  ASSERT (SELECT count(*) FROM ledger_accounts WHERE code IN ('1002.02', '2203', '2241', '2202')
            AND currency = 'CNY' AND status = 'open') = 4,
    'the custody account 1002.02 and its counter-accounts exist';
END $$;
