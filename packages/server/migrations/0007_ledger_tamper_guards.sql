-- Ledger guards, part 2: what the database itself refuses to anyone with SQL access, and the
-- recomputation that finds what a table owner did anyway (`fenqi ledger verify`).
--
-- Before this migration, by plain SQL: an entry header without lines was accepted; an entry could
-- be dated on a closed day or in 2099; and the derived balance tables took any INSERT, UPDATE or
-- DELETE (an UPDATE made account 1301 read 5,100 while its lines summed to 100, and the trial
-- balance still showed 0). See docs/ledger.md, "Guards".

-- ---- An entry comes with its lines, on the open day ----

-- Every posting function inserts an entry and its lines in one statement (data-modifying CTEs), and
-- the AFTER triggers of every table a statement writes fire together at the end of that statement,
-- each seeing all of its rows. So at the end of the statement that inserted an entry, its lines are
-- there: an entry with fewer than two is refused (and with it the statement). The same trigger
-- refuses a business date other than the open one (a closed day's figures never change, and no day
-- after the open one exists yet); ledger_lines_guard then checks that the lines carry the entry's date.
-- Counting an entry's lines is one probe of the lines' primary key (measured with bench/ledger.ts).
CREATE FUNCTION ledger_entries_guard() RETURNS trigger
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
SET jit = off
AS $$
DECLARE
  v_open date;
  v_entry bigint;
  v_lines int8;
  v_date date;
BEGIN
  SELECT business_date INTO v_open FROM business_date;
  SELECT e.id, c.lines, e.business_date INTO v_entry, v_lines, v_date
  FROM new_entries e
  CROSS JOIN LATERAL (SELECT count(*) AS lines FROM ledger_lines l WHERE l.entry_id = e.id) c
  WHERE c.lines < 2 OR e.business_date <> v_open
  ORDER BY e.id
  LIMIT 1;
  IF NOT FOUND THEN
    RETURN NULL;
  END IF;
  IF v_lines < 2 THEN
    RAISE EXCEPTION 'ledger: entry % has % line(s) at the end of the statement that inserted it; an entry and its lines (at least two) are inserted by one statement', v_entry, v_lines
      USING ERRCODE = 'check_violation';
  END IF;
  RAISE EXCEPTION 'ledger: entry % is dated %; the open business date is %', v_entry, v_date, v_open
    USING ERRCODE = 'check_violation', HINT = 'a closed day never changes: post on the open day';
END $$;

CREATE TRIGGER ledger_entries_guard
  AFTER INSERT ON ledger_entries
  REFERENCING NEW TABLE AS new_entries
  FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_guard();

-- The single-entry fast path, as in 0002_ledger.sql but with the header and its lines inserted by
-- one statement (the entries guard above requires it; it also spares a statement per posting).
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
    SELECT array_agg(a.id ORDER BY t.ord), bool_and(a.id IS NOT NULL AND a.status = 'open')
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

-- ---- The derived balance tables ----

-- Deltas, folded totals and daily totals are derived from the lines: only the lines guard (which
-- appends each statement's deltas) and the fold (ledger_fold_balances) may write them. Both raise
-- the transaction-local flag fenqi.ledger_balances_writer around their own statements; any other
-- INSERT, UPDATE, DELETE or TRUNCATE is refused. The flag can be raised by hand, so this stops
-- accidents and casual tampering; deliberate tampering by the tables' owner (who can also disable
-- triggers) is what `fenqi ledger verify` (ledger_verify below) detects. The WHEN condition is
-- evaluated without calling the function, so the sanctioned writers pay almost nothing for it.
CREATE FUNCTION ledger_balances_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger: % on % is not allowed; balances are derived from the journal lines and written only by the lines guard and the fold', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'restrict_violation', HINT = 'fenqi ledger verify recomputes every balance from the lines';
END $$;

CREATE TRIGGER ledger_balance_deltas_guard
  BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON ledger_balance_deltas
  FOR EACH STATEMENT WHEN (current_setting('fenqi.ledger_balances_writer', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION ledger_balances_guard();
CREATE TRIGGER ledger_account_balances_guard
  BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON ledger_account_balances
  FOR EACH STATEMENT WHEN (current_setting('fenqi.ledger_balances_writer', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION ledger_balances_guard();
CREATE TRIGGER ledger_account_daily_guard
  BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON ledger_account_daily
  FOR EACH STATEMENT WHEN (current_setting('fenqi.ledger_balances_writer', true) IS DISTINCT FROM 'on')
  EXECUTE FUNCTION ledger_balances_guard();

-- The lines guard as in 0002_ledger.sql, raising the writer flag around its delta insert.
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
           bool_or(a.id IS NULL OR a.status <> 'open' OR a.currency <> n.currency) AS bad_account
    FROM new_lines n
    LEFT JOIN ledger_accounts a ON a.id = n.account_id
    GROUP BY n.entry_id
  ) g
  LEFT JOIN LATERAL (SELECT e.xid, e.currency, e.business_date FROM ledger_entries e WHERE e.id = g.entry_id) e ON true
  WHERE g.lines < 2 OR g.net <> 0 OR g.bad_account
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

-- The fold (formerly SQL in modules/ledger/store.ts), now the one other writer of the balance
-- tables: it claims the fold row (one fold at a time; another fold in progress returns
-- folded = false), moves the committed deltas its snapshot sees into the totals with
-- DELETE … RETURNING, and stamps the fold row.
CREATE FUNCTION ledger_fold_balances() RETURNS TABLE (folded boolean, accounts int4, lines int8)
LANGUAGE plpgsql
SET jit = off
AS $$
#variable_conflict use_column
BEGIN
  PERFORM 1 FROM ledger_balance_fold FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    RETURN QUERY SELECT false, 0, 0::int8;
    RETURN;
  END IF;
  PERFORM set_config('fenqi.ledger_balances_writer', 'on', true);
  RETURN QUERY
  WITH moved AS (
    DELETE FROM ledger_balance_deltas RETURNING account_id, business_date, debit_minor, credit_minor, lines
  ),
  pending AS (
    SELECT account_id, business_date, sum(debit_minor) AS debit_minor, sum(credit_minor) AS credit_minor,
           sum(lines)::int8 AS lines
    FROM moved GROUP BY account_id, business_date
  ),
  daily AS (
    INSERT INTO ledger_account_daily AS d (account_id, business_date, debit_minor, credit_minor)
    SELECT account_id, business_date, debit_minor, credit_minor FROM pending
    ON CONFLICT (account_id, business_date) DO UPDATE
      SET debit_minor = d.debit_minor + excluded.debit_minor, credit_minor = d.credit_minor + excluded.credit_minor
  ),
  totals AS (
    INSERT INTO ledger_account_balances AS b (account_id, debit_minor, credit_minor)
    SELECT account_id, sum(debit_minor), sum(credit_minor) FROM pending GROUP BY account_id
    ON CONFLICT (account_id) DO UPDATE
      SET debit_minor = b.debit_minor + excluded.debit_minor, credit_minor = b.credit_minor + excluded.credit_minor
  ),
  mark AS (UPDATE ledger_balance_fold SET folded_at = now())
  SELECT true, count(DISTINCT account_id)::int4, coalesce(sum(lines), 0)::int8 FROM pending;
  PERFORM set_config('fenqi.ledger_balances_writer', '', true);
END $$;

-- ---- Verification ----

-- Recomputes everything derived from the journal lines and returns what differs (no row: clean),
-- in one statement, so one snapshot. Kinds:
--   account_total  an account's debit/credit totals (folded + unfolded deltas) ≠ the sum of its lines
--   account_day    an account's totals for one business day (daily + deltas) ≠ that day's lines
--   entry_lines    an entry with fewer than two lines
--   entry_unbalanced, entry_currency (a line in another currency than its entry or its account),
--   entry_date     (a line dated another day than its entry, or an entry dated after the open day)
-- Account rows name the account (code, currency) with expected (from lines) and found totals;
-- entry rows name the entry (and the account of the first offending line, where there is one).
-- It reads every line: a batch job (daily in the worker, and `fenqi ledger verify`).
CREATE FUNCTION ledger_verify()
RETURNS TABLE (kind text, entry_id int8, account_code text, currency text, business_date date,
               expected_debit_minor numeric, expected_credit_minor numeric,
               found_debit_minor numeric, found_credit_minor numeric)
LANGUAGE sql STABLE
SET jit = off
AS $$
  WITH line_totals AS (
    SELECT l.account_id, l.business_date,
           coalesce(sum(l.amount_minor) FILTER (WHERE l.side = 'debit'), 0) AS debit_minor,
           coalesce(sum(l.amount_minor) FILTER (WHERE l.side = 'credit'), 0) AS credit_minor
    FROM ledger_lines l GROUP BY l.account_id, l.business_date
  ),
  found_days AS (
    SELECT account_id, business_date, sum(debit_minor) AS debit_minor, sum(credit_minor) AS credit_minor
    FROM (SELECT account_id, business_date, debit_minor, credit_minor FROM ledger_account_daily
          UNION ALL
          SELECT account_id, business_date, debit_minor, credit_minor FROM ledger_balance_deltas) x
    GROUP BY account_id, business_date
  ),
  expected_totals AS (
    SELECT account_id, sum(debit_minor) AS debit_minor, sum(credit_minor) AS credit_minor
    FROM line_totals GROUP BY account_id
  ),
  entry_shapes AS (
    SELECT e.id, e.currency, e.business_date, count(l.entry_id) AS lines,
           coalesce(sum(CASE WHEN l.side = 'debit' THEN l.amount_minor ELSE -l.amount_minor END), 0) AS net,
           min(a.code) FILTER (WHERE l.currency <> e.currency OR a.currency IS DISTINCT FROM l.currency) AS currency_account,
           min(a.code) FILTER (WHERE l.business_date <> e.business_date) AS date_account
    FROM ledger_entries e
    LEFT JOIN ledger_lines l ON l.entry_id = e.id
    LEFT JOIN ledger_accounts a ON a.id = l.account_id
    GROUP BY e.id, e.currency, e.business_date
  )
  SELECT 'account_total', NULL::int8, a.code, a.currency::text, NULL::date,
         coalesce(x.debit_minor, 0), coalesce(x.credit_minor, 0), t.debit_minor, t.credit_minor
  FROM ledger_account_totals(NULL, NULL) t
  JOIN ledger_accounts a ON a.id = t.account_id
  LEFT JOIN expected_totals x ON x.account_id = t.account_id
  WHERE t.debit_minor <> coalesce(x.debit_minor, 0) OR t.credit_minor <> coalesce(x.credit_minor, 0)
  UNION ALL
  SELECT 'account_day', NULL, a.code, a.currency::text, coalesce(x.business_date, f.business_date),
         coalesce(x.debit_minor, 0), coalesce(x.credit_minor, 0), coalesce(f.debit_minor, 0), coalesce(f.credit_minor, 0)
  FROM line_totals x
  FULL JOIN found_days f ON f.account_id = x.account_id AND f.business_date = x.business_date
  LEFT JOIN ledger_accounts a ON a.id = coalesce(x.account_id, f.account_id)
  WHERE coalesce(x.debit_minor, 0) <> coalesce(f.debit_minor, 0) OR coalesce(x.credit_minor, 0) <> coalesce(f.credit_minor, 0)
  UNION ALL
  SELECT CASE WHEN s.lines < 2 THEN 'entry_lines'
              WHEN s.net <> 0 THEN 'entry_unbalanced'
              WHEN s.currency_account IS NOT NULL THEN 'entry_currency'
              ELSE 'entry_date' END,
         s.id, coalesce(s.currency_account, s.date_account), s.currency::text, s.business_date,
         NULL, NULL, NULL, NULL
  FROM entry_shapes s
  WHERE s.lines < 2 OR s.net <> 0 OR s.currency_account IS NOT NULL OR s.date_account IS NOT NULL
     OR s.business_date > (SELECT b.business_date FROM business_date b)
  ORDER BY 1, 3, 4, 5, 2
$$;

-- ---- Postconditions ----

DO $$
BEGIN
  ASSERT (SELECT count(*) FROM pg_trigger WHERE tgname = 'ledger_entries_guard' AND tgenabled = 'O') = 1,
    'ledger_entries carries the entries guard';
  ASSERT (SELECT count(*) FROM pg_trigger
          WHERE tgname IN ('ledger_balance_deltas_guard', 'ledger_account_balances_guard', 'ledger_account_daily_guard')
            AND tgenabled = 'O') = 3,
    'each derived balance table carries the balances guard';
  ASSERT NOT EXISTS (SELECT 1 FROM ledger_verify()), 'the ledger verifies clean';
END $$;
