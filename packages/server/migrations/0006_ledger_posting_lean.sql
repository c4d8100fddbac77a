-- Leaner posting, measured with bench/ledger.ts (batched posting is bound by the database's work
-- per line and per entry):
-- * ledger_post_entries returns the inserted ids as two arrays with one business date and one
--   posted-at for all (every new entry is dated the open day and stamped with the transaction's
--   now()), instead of one JSON object per entry.
-- * ledger_entries loses two index insertions per entry: source_ref was indexed for no reader,
--   and reversal_of's unique index held a NULL for every entry that is not a reversal (now a
--   partial unique index: still at most one reversal per entry, still an arbiter of the posting's
--   ON CONFLICT DO NOTHING). Entries by business date are found through a BRIN index: ids and
--   business dates grow together.

DROP INDEX ledger_entries_source_ref;
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_reversal_of_key;
CREATE UNIQUE INDEX ledger_entries_reversal_of ON ledger_entries (reversal_of) WHERE reversal_of IS NOT NULL;
DROP INDEX ledger_entries_business_date;
CREATE INDEX ledger_entries_business_date ON ledger_entries USING brin (business_date);

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
-- never pays for statements this small and cost 40 ms a call when it kicked in.
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
    SELECT t.ord, t.n, t.line_no, t.code, e.currency, e.existing_id, a.id AS account_id, a.status
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
    SELECT CASE WHEN l.account_id IS NULL THEN 'account_not_found' ELSE 'account_closed' END, l.n, l.line_no, l.code,
           l.currency, NULL
    FROM l WHERE l.existing_id IS NULL AND (l.account_id IS NULL OR l.status <> 'open')
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

DO $$
BEGIN
  ASSERT (SELECT count(*) FROM pg_indexes WHERE tablename = 'ledger_entries') = 4,
    'ledger_entries keeps four indexes: id, idempotency key, reversal_of (partial), business date (BRIN)';
END $$;
