-- Ledger guards, part 1: bounded line amounts and totals that cannot overflow.
--
-- Before this migration a line could carry any positive int8, and every derived total (the delta
-- rows, the folded balances, the read functions) was int8 as well: ten lines of 10^18 posted to one
-- account overflowed "bigint out of range" in the posting's own delta row, and the tenth maximal
-- posting to one account was accepted, after which every read that summed that account failed for
-- good (lines are immutable). Now a line is bounded, and every sum is numeric.

-- ---- A line's amount ----

-- At most 10^15 − 1 minor units (9,999,999,999,999.99 yuan, just under 10 trillion yuan) per line:
-- more than any single movement of money a lender books, and below 2^53, so the amount survives a
-- client that parses the decimal string into an IEEE double. An entry has at most 200 lines
-- (journal.ts entryLinesMax), so an entry's debits are at most 2 × 10^17, far inside int8.
-- The same bound is lineAmountMinorMax in modules/ledger/journal.ts and the manual-journal schema.
ALTER TABLE ledger_lines DROP CONSTRAINT ledger_lines_amount_minor_check;
ALTER TABLE ledger_lines ADD CONSTRAINT ledger_lines_amount_minor_range
  CHECK (amount_minor BETWEEN 1 AND 999999999999999);

-- ---- Totals that grow without bound ----

-- A total over all of an account's lines has no bound but the number of lines, so it is numeric:
-- numeric(38,0) holds 10^23 maximal lines, far beyond any ledger. The service reads these values
-- as text and converts them to bigint exactly (modules/ledger/store.ts).
ALTER TABLE ledger_balance_deltas
  ALTER COLUMN debit_minor TYPE numeric(38,0),
  ALTER COLUMN credit_minor TYPE numeric(38,0);
ALTER TABLE ledger_account_balances
  ALTER COLUMN debit_minor TYPE numeric(38,0),
  ALTER COLUMN credit_minor TYPE numeric(38,0);
ALTER TABLE ledger_account_daily
  ALTER COLUMN debit_minor TYPE numeric(38,0),
  ALTER COLUMN credit_minor TYPE numeric(38,0);

-- The read functions return numeric (a changed result type needs DROP and CREATE). Bodies as in
-- 0002_ledger.sql, without the int8 casts.
DROP FUNCTION ledger_account_totals(int4[], date);
CREATE FUNCTION ledger_account_totals(p_account_ids int4[], p_as_of date)
RETURNS TABLE (account_id int4, debit_minor numeric, credit_minor numeric)
LANGUAGE sql STABLE
SET jit = off
AS $$
  SELECT a.id,
         coalesce(b.debit_minor, 0) + coalesce(f.debit_minor, 0) + p.debit_minor,
         coalesce(b.credit_minor, 0) + coalesce(f.credit_minor, 0) + p.credit_minor
  FROM ledger_accounts a
  LEFT JOIN ledger_account_balances b ON p_as_of IS NULL AND b.account_id = a.id
  LEFT JOIN LATERAL (
    SELECT sum(d.debit_minor) AS debit_minor, sum(d.credit_minor) AS credit_minor
    FROM ledger_account_daily d
    WHERE d.account_id = a.id AND d.business_date <= p_as_of
    HAVING p_as_of IS NOT NULL
  ) f ON true
  CROSS JOIN LATERAL (
    SELECT coalesce(sum(x.debit_minor), 0) AS debit_minor, coalesce(sum(x.credit_minor), 0) AS credit_minor
    FROM ledger_balance_deltas x
    WHERE x.account_id = a.id AND (p_as_of IS NULL OR x.business_date <= p_as_of)
  ) p
  WHERE p_account_ids IS NULL OR a.id = ANY (p_account_ids)
  ORDER BY a.id
$$;

DROP FUNCTION ledger_day_totals_through(int4, date, int8, int2);
CREATE FUNCTION ledger_day_totals_through(p_account_id int4, p_date date, p_entry_id int8, p_line_no int2)
RETURNS TABLE (debit_minor numeric, credit_minor numeric)
LANGUAGE sql STABLE
SET jit = off
AS $$
  SELECT coalesce(sum(amount_minor) FILTER (WHERE side = 'debit'), 0),
         coalesce(sum(amount_minor) FILTER (WHERE side = 'credit'), 0)
  FROM ledger_lines
  WHERE account_id = p_account_id AND business_date = p_date AND (entry_id, line_no) <= (p_entry_id, p_line_no)
$$;

-- ---- Postconditions ----

DO $$
BEGIN
  ASSERT (SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'ledger_lines_amount_minor_range')
         = 'CHECK (((amount_minor >= 1) AND (amount_minor <= ''999999999999999''::bigint)))',
    'a line carries 1 to 10^15 - 1 minor units';
  ASSERT NOT EXISTS (
    SELECT 1 FROM information_schema.columns
    WHERE table_name IN ('ledger_balance_deltas', 'ledger_account_balances', 'ledger_account_daily')
      AND column_name IN ('debit_minor', 'credit_minor')
      AND (data_type <> 'numeric' OR numeric_precision <> 38 OR numeric_scale <> 0)
  ), 'every derived total is numeric(38,0)';
  ASSERT (SELECT count(*) FROM information_schema.columns
          WHERE table_name IN ('ledger_balance_deltas', 'ledger_account_balances', 'ledger_account_daily')
            AND column_name IN ('debit_minor', 'credit_minor')) = 6,
    'six total columns';
  ASSERT (SELECT count(*) FROM ledger_account_totals(NULL, NULL)) = (SELECT count(*) FROM ledger_accounts),
    'ledger_account_totals returns one row per account';
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
