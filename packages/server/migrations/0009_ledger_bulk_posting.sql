-- Ledger bulk posting for close of business: about two lines per loan per day, 2 M lines for 1 M
-- loans. postJournalsBulk (modules/ledger/bulk.ts) streams the entries with COPY into two
-- temporary tables and calls ledger_post_staged(), which checks what ledger_post_entries checks
-- and posts with set-based INSERT … SELECT, in one statement (so the entries guard sees every
-- entry's lines). Same semantics as postJournals: all or nothing; replays reported.

-- ---- Idempotency keys compare as bytes ----

-- An idempotency key is an opaque token: it is only ever compared for equality, so a locale
-- collation's rules buy nothing, while each comparison of the unique index's descent pays for them.
-- COLLATE "C" compares with memcmp (measured with bench/ledger.ts: see docs/ledger.md). Rebuilds
-- the unique index.
ALTER TABLE ledger_entries ALTER COLUMN idempotency_key TYPE text COLLATE "C";

-- ---- Posting staged entries ----

-- Input (temporary tables made by postJournalsBulk for one call, dropped after it):
--   ledger_bulk_entries (n, key, fingerprint, event_type, source_ref, description, currency,
--                        business_date, reversal_of)       one row per entry, n = 0 … count − 1
--   ledger_bulk_lines   (n, line_no, code, side, amount, loan_id, customer_id, product_id,
--                        merchant_id, funder_id)             the entries' lines
-- Output: as ledger_post_entries (problems, inserted {n, id, business_date, posted_at}, replayed).
-- Shape rules (two lines, amounts, one currency, one side per account, balance) are checked by the
-- caller (prepareEntry) first and again by ledger_lines_guard, exactly as for ledger_post_entries.
-- Plans: the staging tables are new on every call, so every statement is planned afresh for the
-- size the tables have (the planner reads their page counts): hash joins between them. The journal's own tables are
-- only ever probed by key: with sequential scans allowed, the planner preferred hashing all of
-- ledger_entries to probing its idempotency index 50,000 times (measured on 1.3 M entries: 567 ms
-- for the hash against 294–990 ms for the probes on this shared machine — but the hash reads the
-- whole journal and grows with it, the probes do not), so sequential scans are ruled out;
-- the staging tables have no index, so they are still scanned. work_mem: the sort of 50,000
-- entries went to disk at the default 4 MB.
CREATE FUNCTION ledger_post_staged() RETURNS jsonb
LANGUAGE plpgsql
SET enable_seqscan = off
SET work_mem = '64MB'
SET jit = off
AS $$
DECLARE
  v_open date;
  v_problems jsonb;
  v_replayed jsonb;
  v_inserted_n int4[];
  v_inserted_id int8[];
BEGIN
  SELECT business_date INTO v_open FROM business_date;

  -- Each entry with what it finds by key (a replay, a conflict) and each line with its account.
  CREATE TEMPORARY TABLE ledger_bulk_checked ON COMMIT DROP AS
  SELECT s.n, s.currency, s.business_date, s.reversal_of, s.fingerprint,
         x.id AS existing_id, x.fingerprint AS existing_fingerprint, x.business_date AS existing_date,
         x.posted_at AS existing_posted_at, x.reversal_of AS existing_reversal_of
  FROM ledger_bulk_entries s
  LEFT JOIN ledger_entries x ON x.idempotency_key = s.key;

  WITH problems AS (
    SELECT 'journal_idempotency_conflict' AS kind, c.n AS entry, NULL::int4 AS line, NULL::text AS account,
           c.currency, c.business_date
    FROM ledger_bulk_checked c WHERE c.existing_id IS NOT NULL AND c.existing_fingerprint <> c.fingerprint
    UNION ALL
    SELECT 'journal_business_date_not_open', c.n, NULL, NULL, c.currency, c.business_date
    FROM ledger_bulk_checked c WHERE c.existing_id IS NULL AND c.business_date <> v_open
    UNION ALL
    SELECT 'journal_already_reversed', c.n, NULL, NULL, c.currency, c.business_date
    FROM ledger_bulk_checked c
    WHERE c.existing_id IS NULL AND c.reversal_of IS NOT NULL
      AND (EXISTS (SELECT 1 FROM ledger_entries r WHERE r.reversal_of = c.reversal_of)
           OR EXISTS (SELECT 1 FROM ledger_bulk_checked d
                      WHERE d.reversal_of = c.reversal_of AND d.existing_id IS NULL AND d.n < c.n))
    UNION ALL
    SELECT CASE WHEN a.id IS NULL THEN 'account_not_found'
                WHEN a.status <> 'open' THEN 'account_closed'
                ELSE 'account_is_group' END,
           l.n, l.line_no::int4, l.code, c.currency, NULL
    FROM ledger_bulk_lines l
    JOIN ledger_bulk_checked c ON c.n = l.n
    LEFT JOIN ledger_accounts a ON a.code = l.code AND a.currency = c.currency
    WHERE c.existing_id IS NULL AND (a.id IS NULL OR a.status <> 'open' OR a.is_group)
  )
  SELECT jsonb_agg(jsonb_build_object('kind', p.kind, 'entry', p.entry, 'line', p.line, 'account', p.account,
                                      'currency', p.currency, 'businessDate', p.business_date, 'openDate', v_open)
                   ORDER BY p.entry, p.line NULLS FIRST)
  INTO v_problems
  FROM (SELECT * FROM problems ORDER BY entry, line NULLS FIRST LIMIT 100) p;

  IF v_problems IS NOT NULL THEN
    DROP TABLE ledger_bulk_checked;
    RETURN jsonb_build_object('problems', v_problems, 'inserted', NULL, 'replayed', '[]'::jsonb);
  END IF;

  SELECT jsonb_agg(jsonb_build_object('n', c.n, 'id', c.existing_id::text, 'business_date', c.existing_date,
                                      'posted_at', c.existing_posted_at, 'fingerprint', c.existing_fingerprint,
                                      'reversal_of', c.existing_reversal_of::text))
  INTO v_replayed
  FROM ledger_bulk_checked c WHERE c.existing_id IS NOT NULL;

  -- One statement inserts the entries and their lines (the entries guard requires it). An entry
  -- whose key another transaction committed meanwhile is skipped by ON CONFLICT, and so are its
  -- lines (they join the entries actually inserted); the caller then reports it as postJournals does.
  WITH new_entries AS (
    SELECT s.* FROM ledger_bulk_entries s JOIN ledger_bulk_checked c ON c.n = s.n WHERE c.existing_id IS NULL
  ),
  ins AS (
    INSERT INTO ledger_entries (business_date, event_type, source_ref, idempotency_key, fingerprint, description,
                                currency, reversal_of)
    SELECT v_open, e.event_type, e.source_ref, e.key, e.fingerprint, e.description, e.currency, e.reversal_of
    FROM new_entries e ORDER BY e.n
    ON CONFLICT DO NOTHING
    RETURNING id, idempotency_key, currency
  ),
  ie AS (SELECT e.n, ins.id, ins.currency FROM ins JOIN new_entries e ON e.key = ins.idempotency_key),
  lines AS (
    INSERT INTO ledger_lines (entry_id, line_no, business_date, account_id, side, amount_minor, currency,
                              loan_id, customer_id, product_id, merchant_id, funder_id)
    SELECT ie.id, l.line_no, v_open, a.id, l.side, l.amount, ie.currency,
           l.loan_id, l.customer_id, l.product_id, l.merchant_id, l.funder_id
    FROM ledger_bulk_lines l
    JOIN ie ON ie.n = l.n
    JOIN ledger_accounts a ON a.code = l.code AND a.currency = ie.currency
  )
  SELECT array_agg(ie.n ORDER BY ie.n), array_agg(ie.id ORDER BY ie.n) INTO v_inserted_n, v_inserted_id FROM ie;

  DROP TABLE ledger_bulk_checked;
  RETURN jsonb_build_object(
    'problems', '[]'::jsonb,
    'inserted', jsonb_build_object('n', coalesce(to_jsonb(v_inserted_n), '[]'::jsonb),
                                   'id', coalesce(to_jsonb(v_inserted_id::text[]), '[]'::jsonb),
                                   'business_date', v_open, 'posted_at', now()),
    'replayed', coalesce(v_replayed, '[]'::jsonb));
END $$;

-- ---- Postconditions ----

DO $$
BEGIN
  ASSERT (SELECT collation_name FROM information_schema.columns
          WHERE table_name = 'ledger_entries' AND column_name = 'idempotency_key') = 'C',
    'idempotency keys compare as bytes';
  ASSERT (SELECT count(*) FROM pg_indexes WHERE tablename = 'ledger_entries') = 4,
    'ledger_entries keeps four indexes';
  ASSERT (SELECT indisunique FROM pg_index WHERE indexrelid = 'ledger_entries_idempotency_key_key'::regclass),
    'the idempotency key is still unique';
END $$;
