-- Ledger posting rules in the database (defect 11): no lines on a group account, and no entry that
-- debits and credits one account. Before this migration both were accepted by the service and by
-- the guard: a posting to 1002 (the parent of the bank accounts) or an entry debiting and crediting
-- 2202 (a disbursement with a merchant discount) went through.

-- ---- Group accounts ----

-- An account is a group when another account names it as parent: its balance is its children's, so
-- it carries no lines of its own (a report that adds the children to the parent would otherwise
-- count them twice or hide some). The flag is kept by the trigger below whatever SQL opens the child;
-- an account that already has lines cannot become a group (its lines would then be on a group).
ALTER TABLE ledger_accounts ADD COLUMN is_group boolean NOT NULL DEFAULT false;
UPDATE ledger_accounts p SET is_group = true
WHERE EXISTS (SELECT 1 FROM ledger_accounts c WHERE c.parent_id = p.id);

CREATE FUNCTION ledger_accounts_parent_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_code text;
BEGIN
  -- A group stays a group while it has children: clearing the flag would let lines onto it.
  IF TG_OP = 'UPDATE' AND OLD.is_group AND NOT NEW.is_group
     AND EXISTS (SELECT 1 FROM ledger_accounts WHERE parent_id = NEW.id) THEN
    RAISE EXCEPTION 'ledger: account % has child accounts and stays a group', NEW.code
      USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.parent_id IS NULL OR (TG_OP = 'UPDATE' AND NEW.parent_id IS NOT DISTINCT FROM OLD.parent_id) THEN
    RETURN NEW;
  END IF;
  IF EXISTS (SELECT 1 FROM ledger_lines WHERE account_id = NEW.parent_id) THEN
    SELECT code INTO v_code FROM ledger_accounts WHERE id = NEW.parent_id;
    RAISE EXCEPTION 'ledger: account % already has journal lines of its own and cannot become a group', v_code
      USING ERRCODE = 'check_violation';
  END IF;
  UPDATE ledger_accounts SET is_group = true WHERE id = NEW.parent_id AND NOT is_group;
  RETURN NEW;
END $$;

CREATE TRIGGER ledger_accounts_parent_guard
  BEFORE INSERT OR UPDATE OF parent_id, is_group ON ledger_accounts
  FOR EACH ROW EXECUTE FUNCTION ledger_accounts_parent_guard();

-- ---- The lines guard ----

-- As in 0007_ledger_tamper_guards.sql, and also refusing a line on a group account and an entry
-- with lines on both sides of one account (within one entry that is a transfer from an account to
-- itself, which only hides what happened; postJournal refuses it as journal_account_on_both_sides).
CREATE OR REPLACE FUNCTION ledger_lines_guard() RETURNS trigger
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
SET jit = off
AS $$
DECLARE
  bad_entry bigint;
BEGIN
  SELECT g.entry_id INTO bad_entry
  FROM (
    SELECT n.entry_id, count(*) AS lines,
           sum(CASE WHEN n.side = 'debit' THEN n.amount_minor ELSE -n.amount_minor END) AS net,
           min(n.currency) AS currency, max(n.currency) AS currency_max,
           min(n.business_date) AS business_date, max(n.business_date) AS business_date_max,
           bool_or(a.id IS NULL OR a.status <> 'open' OR a.is_group OR a.currency <> n.currency) AS bad_account,
           count(DISTINCT (n.account_id, n.side)) <> count(DISTINCT n.account_id) AS both_sides
    FROM new_lines n
    LEFT JOIN ledger_accounts a ON a.id = n.account_id
    GROUP BY n.entry_id
  ) g
  LEFT JOIN LATERAL (SELECT e.xid, e.currency, e.business_date FROM ledger_entries e WHERE e.id = g.entry_id) e ON true
  WHERE g.lines < 2 OR g.net <> 0 OR g.bad_account OR g.both_sides
     OR e.xid IS NULL OR e.xid <> pg_current_xact_id()
     OR g.currency <> e.currency OR g.currency_max <> e.currency
     OR g.business_date <> e.business_date OR g.business_date_max <> e.business_date
  LIMIT 1;
  IF FOUND THEN
    RAISE EXCEPTION 'ledger: the lines of entry % are not a valid balanced posting', bad_entry
      USING ERRCODE = 'check_violation';
  END IF;
  PERFORM set_config('fenqi.ledger_balances_writer', 'on', true);
  INSERT INTO ledger_balance_deltas (account_id, business_date, debit_minor, credit_minor, lines)
  SELECT n.account_id, n.business_date,
         coalesce(sum(n.amount_minor) FILTER (WHERE n.side = 'debit'), 0),
         coalesce(sum(n.amount_minor) FILTER (WHERE n.side = 'credit'), 0),
         count(*)
  FROM new_lines n
  GROUP BY n.account_id, n.business_date;
  PERFORM set_config('fenqi.ledger_balances_writer', '', true);
  RETURN NULL;
END $$;


-- ---- Posting functions ----

-- ledger_post_entries as in 0002_ledger.sql, reporting a line on a group account as
-- account_is_group; ledger_post_entry as in 0007_ledger_tamper_guards.sql, handing such a line to
-- ledger_post_entries to report.
CREATE OR REPLACE FUNCTION ledger_post_entries(
  p_n int4[], p_key text[], p_fingerprint text[], p_event_type text[], p_source_ref text[], p_description text[],
  p_currency text[], p_business_date date[], p_reversal_of int8[],
  l_n int4[], l_no int4[], l_code text[], l_side text[], l_amount int8[],
  l_loan text[], l_customer text[], l_product text[], l_merchant text[], l_funder text[]
) RETURNS jsonb
LANGUAGE plpgsql
-- Generic plans: a custom plan per call (PL/pgSQL's default for the first calls, and whenever the
-- array sizes make it look cheaper) costs more planning than the posting itself (measured ~6x).
-- A generic plan is kept for the session, so one made while a table was still small must not
-- scan it: every read here is a key lookup, and sequential scans are ruled out. That makes the
-- one unindexed read (the business date) look costly to the planner, so JIT is off as well: it
-- never pays for statements this small and cost 40 ms a call when it kicked in. The same settings
-- hold for ledger_post_entry and ledger_lines_guard.
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
SET jit = off
AS $$
DECLARE
  v_open date;
  v_problems jsonb;
  v_replayed jsonb;
  v_skip int4[];
  v_accounts int4[];
  v_inserted_n int4[];
  v_inserted_id int8[];
BEGIN
  SELECT business_date INTO v_open FROM business_date;

  WITH e AS (
    SELECT t.*, x.id AS existing_id, x.fingerprint AS existing_fingerprint, x.business_date AS existing_date,
           x.posted_at AS existing_posted_at, x.reversal_of AS existing_reversal_of
    FROM unnest(p_n, p_key, p_fingerprint, p_currency, p_business_date, p_reversal_of)
         AS t (n, key, fingerprint, currency, business_date, reversal_of)
    LEFT JOIN ledger_entries x ON x.idempotency_key = t.key
  ),
  l AS (
    SELECT t.ord, t.n, t.line_no, t.code, e.currency, e.existing_id, a.id AS account_id, a.status, a.is_group
    FROM unnest(l_n, l_no, l_code) WITH ORDINALITY AS t (n, line_no, code, ord)
    JOIN e ON e.n = t.n
    LEFT JOIN ledger_accounts a ON a.code = t.code AND a.currency = e.currency
  ),
  problems AS (
    SELECT 'journal_idempotency_conflict' AS kind, e.n AS entry, NULL::int4 AS line, NULL::text AS account,
           e.currency, e.business_date
    FROM e WHERE e.existing_id IS NOT NULL AND e.existing_fingerprint <> e.fingerprint
    UNION ALL
    SELECT 'journal_business_date_not_open', e.n, NULL, NULL, e.currency, e.business_date
    FROM e WHERE e.existing_id IS NULL AND e.business_date <> v_open
    UNION ALL
    SELECT 'journal_already_reversed', e.n, NULL, NULL, e.currency, e.business_date
    FROM e WHERE e.existing_id IS NULL AND e.reversal_of IS NOT NULL
      AND EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reversal_of = e.reversal_of)
    UNION ALL
    SELECT CASE WHEN l.account_id IS NULL THEN 'account_not_found'
                WHEN l.status <> 'open' THEN 'account_closed'
                ELSE 'account_is_group' END, l.n, l.line_no, l.code,
           l.currency, NULL
    FROM l WHERE l.existing_id IS NULL AND (l.account_id IS NULL OR l.status <> 'open' OR l.is_group)
  )
  SELECT
    (SELECT jsonb_agg(jsonb_build_object('kind', p.kind, 'entry', p.entry, 'line', p.line, 'account', p.account,
                                         'currency', p.currency, 'businessDate', p.business_date, 'openDate', v_open)
                      ORDER BY p.entry, p.line NULLS FIRST) FROM problems p),
    (SELECT jsonb_agg(jsonb_build_object('n', e.n, 'id', e.existing_id::text, 'business_date', e.existing_date,
                                         'posted_at', e.existing_posted_at, 'fingerprint', e.existing_fingerprint,
                                         'reversal_of', e.existing_reversal_of::text))
     FROM e WHERE e.existing_id IS NOT NULL),
    (SELECT array_agg(e.n) FROM e WHERE e.existing_id IS NOT NULL),
    (SELECT array_agg(l.account_id ORDER BY l.ord) FROM l)
  INTO v_problems, v_replayed, v_skip, v_accounts;

  IF v_problems IS NOT NULL THEN
    RETURN jsonb_build_object('problems', v_problems, 'inserted', NULL, 'replayed', '[]'::jsonb);
  END IF;

  WITH e AS (
    SELECT t.*
    FROM unnest(p_n, p_key, p_fingerprint, p_event_type, p_source_ref, p_description, p_currency, p_business_date,
                p_reversal_of)
         AS t (n, key, fingerprint, event_type, source_ref, description, currency, business_date, reversal_of)
    WHERE v_skip IS NULL OR t.n <> ALL (v_skip)
  ),
  ins AS (
    INSERT INTO ledger_entries (business_date, event_type, source_ref, idempotency_key, fingerprint, description,
                                currency, reversal_of)
    SELECT v_open, e.event_type, e.source_ref, e.key, e.fingerprint, e.description,
           e.currency, e.reversal_of
    FROM e ORDER BY e.n
    ON CONFLICT DO NOTHING
    RETURNING id, idempotency_key, currency
  ),
  ie AS (SELECT e.n, ins.id, ins.currency FROM ins JOIN e ON e.key = ins.idempotency_key),
  lines AS (
    INSERT INTO ledger_lines (entry_id, line_no, business_date, account_id, side, amount_minor, currency,
                              loan_id, customer_id, product_id, merchant_id, funder_id)
    SELECT ie.id, t.line_no, v_open, t.account_id, t.side, t.amount, ie.currency,
           t.loan, t.customer, t.product, t.merchant, t.funder
    FROM unnest(l_n, l_no, v_accounts, l_side, l_amount, l_loan, l_customer, l_product, l_merchant, l_funder)
         AS t (n, line_no, account_id, side, amount, loan, customer, product, merchant, funder)
    JOIN ie ON ie.n = t.n
  )
  SELECT array_agg(ie.n ORDER BY ie.n), array_agg(ie.id ORDER BY ie.n) INTO v_inserted_n, v_inserted_id FROM ie;

  -- Every inserted entry is dated the open day (another date is refused above) and posted at the
  -- transaction's now(): one date and one instant stand for all of them.
  RETURN jsonb_build_object(
    'problems', '[]'::jsonb,
    'inserted', jsonb_build_object('n', coalesce(to_jsonb(v_inserted_n), '[]'::jsonb),
                                   'id', coalesce(to_jsonb(v_inserted_id::text[]), '[]'::jsonb),
                                   'business_date', v_open, 'posted_at', now()),
    'replayed', coalesce(v_replayed, '[]'::jsonb));
END $$;

CREATE OR REPLACE FUNCTION ledger_post_entry(
  p_key text, p_fingerprint text, p_event_type text, p_source_ref text, p_description text, p_currency text,
  p_business_date date, p_reversal_of int8, p_lines jsonb
) RETURNS jsonb
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
SET jit = off
AS $$
DECLARE
  v_open date;
  v_accounts int4[];
  v_usable boolean;
  v_id int8;
BEGIN
  SELECT business_date INTO v_open FROM business_date;
  IF NOT ((p_business_date IS NOT NULL AND p_business_date <> v_open)
          OR EXISTS (SELECT 1 FROM ledger_entries WHERE idempotency_key = p_key)
          OR (p_reversal_of IS NOT NULL AND EXISTS (SELECT 1 FROM ledger_entries WHERE reversal_of = p_reversal_of))) THEN
    SELECT array_agg(a.id ORDER BY t.ord), bool_and(a.id IS NOT NULL AND a.status = 'open' AND NOT a.is_group)
    INTO v_accounts, v_usable
    FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS t (line, ord)
    LEFT JOIN ledger_accounts a ON a.code = t.line ->> 'account' AND a.currency = p_currency;
  END IF;

  IF v_usable IS NOT TRUE THEN
    -- Something to refuse or replay: the set-based function decides and reports it.
    RETURN ledger_post_entries(
      '{0}', ARRAY[p_key], ARRAY[p_fingerprint], ARRAY[p_event_type], ARRAY[p_source_ref], ARRAY[p_description],
      ARRAY[p_currency], ARRAY[p_business_date], ARRAY[p_reversal_of],
      (SELECT array_agg(0) FROM jsonb_array_elements(p_lines)),
      (SELECT array_agg(ord::int4 ORDER BY ord) FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS t (line, ord)),
      (SELECT array_agg(line ->> 'account' ORDER BY ord) FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS t (line, ord)),
      (SELECT array_agg(line ->> 'side' ORDER BY ord) FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS t (line, ord)),
      (SELECT array_agg((line ->> 'amount')::int8 ORDER BY ord) FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS t (line, ord)),
      (SELECT array_agg(line ->> 'loan' ORDER BY ord) FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS t (line, ord)),
      (SELECT array_agg(line ->> 'customer' ORDER BY ord) FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS t (line, ord)),
      (SELECT array_agg(line ->> 'product' ORDER BY ord) FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS t (line, ord)),
      (SELECT array_agg(line ->> 'merchant' ORDER BY ord) FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS t (line, ord)),
      (SELECT array_agg(line ->> 'funder' ORDER BY ord) FROM jsonb_array_elements(p_lines) WITH ORDINALITY AS t (line, ord)));
  END IF;

  WITH ins AS (
    INSERT INTO ledger_entries (business_date, event_type, source_ref, idempotency_key, fingerprint, description,
                                currency, reversal_of)
    VALUES (v_open, p_event_type, p_source_ref, p_key, p_fingerprint, p_description, p_currency, p_reversal_of)
    ON CONFLICT DO NOTHING
    RETURNING id
  ),
  lines AS (
    INSERT INTO ledger_lines (entry_id, line_no, business_date, account_id, side, amount_minor, currency,
                              loan_id, customer_id, product_id, merchant_id, funder_id)
    SELECT ins.id, t.ord, v_open, v_accounts[t.ord], t.line ->> 'side', (t.line ->> 'amount')::int8, p_currency,
           t.line ->> 'loan', t.line ->> 'customer', t.line ->> 'product', t.line ->> 'merchant', t.line ->> 'funder'
    FROM ins, jsonb_array_elements(p_lines) WITH ORDINALITY AS t (line, ord)
  )
  SELECT id INTO v_id FROM ins;
  IF v_id IS NULL THEN
    -- Another transaction committed this key (or a reversal of the same entry) meanwhile: nothing
    -- was written; the caller looks the key up.
    RETURN jsonb_build_object('problems', '[]'::jsonb, 'inserted', NULL, 'replayed', '[]'::jsonb);
  END IF;

  RETURN jsonb_build_object(
    'problems', '[]'::jsonb,
    'inserted', jsonb_build_object('n', jsonb_build_array(0), 'id', jsonb_build_array(v_id::text),
                                   'business_date', v_open, 'posted_at', now()),
    'replayed', '[]'::jsonb);
END $$;

-- ---- Postconditions ----

DO $$
BEGIN
  ASSERT (SELECT array_agg(code ORDER BY code) FROM ledger_accounts WHERE is_group AND currency = 'CNY')
         @> ARRAY['1002', '1012'],
    'the seeded parents 1002 and 1012 are groups';
  ASSERT NOT EXISTS (
    SELECT 1 FROM ledger_accounts p
    WHERE p.is_group <> EXISTS (SELECT 1 FROM ledger_accounts c WHERE c.parent_id = p.id)
  ), 'an account is a group exactly when it has children';
  -- Entries posted before this migration with both sides of one account stay as they are (lines
  -- are immutable); the rule holds for every entry from now on. A group with lines of its own
  -- cannot be fixed by a migration: it needs a decision by finance, so the migration stops.
  ASSERT NOT EXISTS (
    SELECT 1 FROM ledger_lines l JOIN ledger_accounts a ON a.id = l.account_id WHERE a.is_group
  ), 'no group account has lines of its own (reverse them, or move the child accounts, before migrating)';
END $$;
