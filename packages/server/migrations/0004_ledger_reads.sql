-- Ledger reads as functions, so that each runs with JIT off. A balance read adds the lines not yet
-- folded (xid >= the watermark); the planner cannot know how few those are, so on a large lines
-- table it estimates a costly plan and JIT compiles it: measured 128 ms of JIT for a 1 ms trial
-- balance. Nothing the ledger reads is big enough for JIT to pay off.

-- Debit and credit totals per account: folded totals plus unfolded lines, in one statement (one
-- snapshot, so a fold committing meanwhile can neither hide nor double a line). p_account_ids NULL
-- means every account; p_as_of NULL means now, else the end of that business date.
CREATE FUNCTION ledger_account_totals(p_account_ids int4[], p_as_of date)
RETURNS TABLE (account_id int4, debit_minor int8, credit_minor int8)
LANGUAGE sql STABLE
SET jit = off
AS $$
  SELECT a.id,
         (coalesce(b.debit_minor, 0) + coalesce(f.debit_minor, 0) + p.debit_minor)::int8,
         (coalesce(b.credit_minor, 0) + coalesce(f.credit_minor, 0) + p.credit_minor)::int8
  FROM ledger_accounts a
  CROSS JOIN ledger_balance_fold w
  LEFT JOIN ledger_account_balances b ON p_as_of IS NULL AND b.account_id = a.id
  LEFT JOIN LATERAL (
    SELECT sum(d.debit_minor) AS debit_minor, sum(d.credit_minor) AS credit_minor
    FROM ledger_account_daily d
    WHERE d.account_id = a.id AND d.business_date <= p_as_of
    HAVING p_as_of IS NOT NULL
  ) f ON true
  CROSS JOIN LATERAL (
    SELECT coalesce(sum(l.amount_minor) FILTER (WHERE l.side = 'debit'), 0)::int8 AS debit_minor,
           coalesce(sum(l.amount_minor) FILTER (WHERE l.side = 'credit'), 0)::int8 AS credit_minor
    FROM ledger_lines l
    WHERE l.account_id = a.id AND l.xid >= w.folded_below AND (p_as_of IS NULL OR l.business_date <= p_as_of)
  ) p
  WHERE p_account_ids IS NULL OR a.id = ANY (p_account_ids)
  ORDER BY a.id
$$;

-- One account's totals on one day up to and including a line (where a statement page starts).
CREATE FUNCTION ledger_day_totals_through(p_account_id int4, p_date date, p_entry_id int8, p_line_no int2)
RETURNS TABLE (debit_minor int8, credit_minor int8)
LANGUAGE sql STABLE
SET jit = off
AS $$
  SELECT coalesce(sum(amount_minor) FILTER (WHERE side = 'debit'), 0)::int8,
         coalesce(sum(amount_minor) FILTER (WHERE side = 'credit'), 0)::int8
  FROM ledger_lines
  WHERE account_id = p_account_id AND business_date = p_date AND (entry_id, line_no) <= (p_entry_id, p_line_no)
$$;

DO $$
BEGIN
  ASSERT (SELECT count(*) FROM ledger_account_totals(NULL, NULL)) = (SELECT count(*) FROM ledger_accounts),
    'ledger_account_totals returns one row per account';
END $$;
