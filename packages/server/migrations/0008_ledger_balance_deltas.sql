-- Unfolded balance changes as delta rows instead of an xid watermark.
--
-- 0002 folded the lines of transactions below the oldest running xid. That ties balances to the
-- cluster's transaction ids, which do not survive a move to another cluster with the data kept:
-- after pg_dump/restore, or a logical-replication (blue/green) upgrade, new lines would get
-- smaller xids than the watermark and silently drop out of every balance. Now each statement that
-- inserts lines also inserts its effect per account and day into ledger_balance_deltas (in the
-- guard trigger, whatever SQL inserted the lines); the fold moves committed deltas into the totals
-- with DELETE … RETURNING, and a read adds the deltas not folded yet. Still no row is ever
-- updated by a posting, so still no locks, lost updates or deadlocks (ADR 0004).

-- Postings wait while this runs, so the backfill below sees every line that will ever exist
-- under the old scheme.
LOCK TABLE ledger_lines IN SHARE MODE;

CREATE TABLE ledger_balance_deltas (
  account_id    integer NOT NULL,
  business_date date NOT NULL,
  debit_minor   bigint NOT NULL CHECK (debit_minor >= 0),
  credit_minor  bigint NOT NULL CHECK (credit_minor >= 0),
  lines         integer NOT NULL CHECK (lines > 0)
);

CREATE INDEX ledger_balance_deltas_account ON ledger_balance_deltas (account_id, business_date);

-- The lines 0002's fold had not folded yet become deltas.
INSERT INTO ledger_balance_deltas (account_id, business_date, debit_minor, credit_minor, lines)
SELECT l.account_id, l.business_date,
       coalesce(sum(l.amount_minor) FILTER (WHERE l.side = 'debit'), 0),
       coalesce(sum(l.amount_minor) FILTER (WHERE l.side = 'credit'), 0),
       count(*)
FROM ledger_lines l, ledger_balance_fold w
WHERE l.xid >= w.folded_below
GROUP BY l.account_id, l.business_date;

CREATE OR REPLACE FUNCTION ledger_lines_guard() RETURNS trigger
LANGUAGE plpgsql
SET plan_cache_mode = force_generic_plan
SET enable_seqscan = off
SET jit = off
AS $$
DECLARE
  bad_entry bigint;
BEGIN
  -- Per entry: aggregate its new lines, then probe its header by primary key (LATERAL keeps this
  -- an index lookup per entry, never a scan of the whole entries table).
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
  -- The statement's effect on balances: one delta row per account and day, whatever inserted
  -- the lines, so balances can never miss a line.
  INSERT INTO ledger_balance_deltas (account_id, business_date, debit_minor, credit_minor, lines)
  SELECT n.account_id, n.business_date,
         coalesce(sum(n.amount_minor) FILTER (WHERE n.side = 'debit'), 0),
         coalesce(sum(n.amount_minor) FILTER (WHERE n.side = 'credit'), 0),
         count(*)
  FROM new_lines n
  GROUP BY n.account_id, n.business_date;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION ledger_account_totals(p_account_ids int4[], p_as_of date)
RETURNS TABLE (account_id int4, debit_minor int8, credit_minor int8)
LANGUAGE sql STABLE
SET jit = off
AS $$
  SELECT a.id,
         (coalesce(b.debit_minor, 0) + coalesce(f.debit_minor, 0) + p.debit_minor)::int8,
         (coalesce(b.credit_minor, 0) + coalesce(f.credit_minor, 0) + p.credit_minor)::int8
  FROM ledger_accounts a
  LEFT JOIN ledger_account_balances b ON p_as_of IS NULL AND b.account_id = a.id
  LEFT JOIN LATERAL (
    SELECT sum(d.debit_minor) AS debit_minor, sum(d.credit_minor) AS credit_minor
    FROM ledger_account_daily d
    WHERE d.account_id = a.id AND d.business_date <= p_as_of
    HAVING p_as_of IS NOT NULL
  ) f ON true
  CROSS JOIN LATERAL (
    SELECT coalesce(sum(x.debit_minor), 0)::int8 AS debit_minor, coalesce(sum(x.credit_minor), 0)::int8 AS credit_minor
    FROM ledger_balance_deltas x
    WHERE x.account_id = a.id AND (p_as_of IS NULL OR x.business_date <= p_as_of)
  ) p
  WHERE p_account_ids IS NULL OR a.id = ANY (p_account_ids)
  ORDER BY a.id
$$;

-- The watermark and the lines' xid served only the old fold. The fold row stays: it is the lock
-- that lets one fold run at a time.
ALTER TABLE ledger_balance_fold DROP COLUMN folded_below;
DROP INDEX ledger_lines_account_xid;
ALTER TABLE ledger_lines DROP COLUMN xid;

DO $$
BEGIN
  ASSERT (SELECT count(*) FROM ledger_balance_fold) = 1, 'one fold row';
  ASSERT NOT EXISTS (
    SELECT 1
    FROM ledger_account_totals(NULL, NULL) t
    JOIN (SELECT account_id,
                 coalesce(sum(amount_minor) FILTER (WHERE side = 'debit'), 0) AS debit_minor,
                 coalesce(sum(amount_minor) FILTER (WHERE side = 'credit'), 0) AS credit_minor
          FROM ledger_lines GROUP BY account_id) l USING (account_id)
    WHERE t.debit_minor <> l.debit_minor OR t.credit_minor <> l.credit_minor
  ), 'every balance still equals the sum of its lines';
END $$;
