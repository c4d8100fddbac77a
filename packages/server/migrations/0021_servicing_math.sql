-- Servicing math in SQL: the exact mirror of @fenqi/core's day-end rules (packages/core/src/
-- servicing/, docs/loan-math.md "Servicing"), so close of business (COB) accrues a million loans in
-- a few set-based statements instead of a round trip per loan. tests/servicing/sql-math.test.ts
-- holds every function equal to its core counterpart on thousands of random cases.
--
-- Each function is LANGUAGE sql, IMMUTABLE, one expression, with no STRICT, SET or SECURITY
-- DEFINER, so the planner inlines it into the calling query (PostgreSQL inline_function: a strict
-- function is inlined only if its body is provably strict, a SET clause or SECURITY DEFINER forbids
-- it, and an IMMUTABLE function's body may call only immutable functions — hence `x::text || …`,
-- never the STABLE `text || anynonarray`). The caller's side of the rule: an argument the body uses
-- more than once is substituted only when it is cheap (at most 10 operators, no sub-select); pass
-- columns or simple arithmetic — not, say, a nested fenqi_accrual_days(...) call — or that call is
-- not inlined (it still returns the same figure, one function call per row slower).
--
-- Integer arithmetic on numeric is exact (div, mod); nothing passes through a float. An argument
-- outside the domain fails loudly rather than yielding a figure: a pure SQL body cannot RAISE, so
-- the error branch casts its message to a number, which aborts with "invalid input syntax …
-- <message>". The message always carries the argument tested: a constant message would be folded,
-- and so raised, at plan time even where its branch is never taken. NULL in gives NULL out.

-- core divideRounded: n / d rounded to an integer, sign-symmetric (half_up = half away from zero).
CREATE FUNCTION fenqi_divide_rounded(n numeric, d numeric, mode text) RETURNS numeric
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
  WHEN NOT (d > 0 AND n = trunc(n) AND d = trunc(d)) THEN
    ('fenqi_divide_rounded: integers with a positive denominator only, not ' || n::text || ' / ' || d::text)::numeric
  -- div truncates toward zero and mod keeps the numerator's sign, so stepping one unit away from
  -- zero (sign of the remainder) rounds the magnitude and keeps the result sign-symmetric.
  ELSE div(n, d) + sign(mod(n, d)) * CASE mode
    WHEN 'down' THEN 0
    WHEN 'up' THEN 1
    WHEN 'half_up' THEN CASE WHEN 2 * abs(mod(n, d)) >= d THEN 1 ELSE 0 END
    WHEN 'half_even' THEN
      CASE WHEN 2 * abs(mod(n, d)) > d OR (2 * abs(mod(n, d)) = d AND mod(div(n, d), 2) <> 0) THEN 1 ELSE 0 END
    ELSE ('fenqi_divide_rounded: unknown rounding mode ' || mode)::numeric
  END
END;

-- core accrualDays: ACT counts calendar days; 30_360 is 30E/360 (ISDA) as core implements it, a
-- last day of its month counting as day 30 (the day after it is the 1st).
CREATE FUNCTION fenqi_accrual_days(from_date date, to_date date, day_count text) RETURNS int
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE day_count
  WHEN 'ACT_360' THEN to_date - from_date
  WHEN 'ACT_365' THEN to_date - from_date
  WHEN '30_360' THEN
    360 * (extract(year FROM to_date)::int - extract(year FROM from_date)::int)
    + 30 * (extract(month FROM to_date)::int - extract(month FROM from_date)::int)
    + CASE WHEN extract(day FROM to_date + 1) = 1 THEN 30 ELSE least(extract(day FROM to_date)::int, 30) END
    - CASE WHEN extract(day FROM from_date + 1) = 1 THEN 30 ELSE least(extract(day FROM from_date)::int, 30) END
  ELSE ('fenqi_accrual_days: unknown day count ' || day_count)::int
END;

-- core accrueByFormula (accrualFormula's rule): interest accrued after k of period_days accrual
-- days, never above the installment's interest. On and after the due date the caller takes the
-- installment interest itself (core accruedInterestTo): a 30E/360 period from the 30th to the 31st
-- has period_days = 0, so k alone never reaches it.
CREATE FUNCTION fenqi_accrued_interest(
  numerator numeric, denominator numeric, period_days int, interest bigint, k int, mode text
) RETURNS bigint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
  -- least() skips NULLs; without this a NULL k or formula would come out as the whole interest.
  WHEN numerator IS NULL OR denominator IS NULL OR period_days IS NULL OR interest IS NULL
       OR k IS NULL OR mode IS NULL THEN NULL
  WHEN k <= 0 OR period_days <= 0 THEN 0::bigint
  WHEN k >= period_days THEN interest
  ELSE least(fenqi_divide_rounded(numerator * k, denominator, mode), interest)::bigint
END;

-- core delinquencyBucket: M0 current, M1 1–30 days past due, … M6 151–180, M7 over 180.
CREATE FUNCTION fenqi_delinquency_bucket(dpd int) RETURNS text
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
  WHEN dpd < 0 THEN ('fenqi_delinquency_bucket: days past due must not be negative, not ' || dpd::text)::int::text
  WHEN dpd = 0 THEN 'M0'
  WHEN dpd <= 30 THEN 'M1'
  WHEN dpd <= 60 THEN 'M2'
  WHEN dpd <= 90 THEN 'M3'
  WHEN dpd <= 120 THEN 'M4'
  WHEN dpd <= 150 THEN 'M5'
  WHEN dpd <= 180 THEN 'M6'
  WHEN dpd > 180 THEN 'M7'
END;

-- core dailyPenalty: the penalty of the next day of a segment (days over which the overdue base
-- is constant) that has accrued days_in_segment days. No compounding: the growth of one rounded
-- segment total, so the days sum to core penaltyInterest exactly; daily: one day's penalty on the
-- base plus the segment's earlier penalty. rate_num / rate_den is the annual penalty rate.
CREATE FUNCTION fenqi_daily_penalty(
  base bigint, accrued_in_segment bigint, days_in_segment int, rate_num numeric, rate_den numeric,
  basis int, mode text, compounding text
) RETURNS bigint
  LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
  WHEN base < 0 OR accrued_in_segment < 0 OR days_in_segment < 0 THEN
    ('fenqi_daily_penalty: base, accrued penalty and days must not be negative, not '
      || base::text || ', ' || accrued_in_segment::text || ', ' || days_in_segment::text)::bigint
  ELSE (CASE compounding
    WHEN 'none' THEN
      fenqi_divide_rounded(base * rate_num * (days_in_segment + 1), rate_den * basis, mode)
      - fenqi_divide_rounded(base * rate_num * days_in_segment, rate_den * basis, mode)
    WHEN 'daily' THEN
      fenqi_divide_rounded((base + accrued_in_segment) * rate_num, rate_den * basis, mode)
    ELSE ('fenqi_daily_penalty: unknown compounding ' || compounding)::numeric
  END)::bigint
END;

DO $$
BEGIN
  ASSERT (SELECT count(*) FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
          WHERE p.proname IN ('fenqi_divide_rounded', 'fenqi_accrual_days', 'fenqi_accrued_interest',
                              'fenqi_delinquency_bucket', 'fenqi_daily_penalty')
            AND l.lanname = 'sql' AND p.provolatile = 'i' AND p.proparallel = 's'
            AND NOT p.proisstrict AND NOT p.prosecdef AND p.proconfig IS NULL) = 5,
    'the servicing math functions are inlinable: sql, immutable, parallel safe, not strict, no SET';
  ASSERT fenqi_divide_rounded(5, 2, 'half_up') = 3 AND fenqi_divide_rounded(-5, 2, 'half_up') = -3,
    'half_up rounds a half away from zero';
  ASSERT fenqi_divide_rounded(5, 2, 'half_even') = 2 AND fenqi_divide_rounded(-7, 2, 'half_even') = -4,
    'half_even rounds a half to the even neighbour';
  ASSERT fenqi_divide_rounded(-1, 3, 'down') = 0 AND fenqi_divide_rounded(-1, 3, 'up') = -1,
    'down truncates toward zero, up rounds away from it';
  ASSERT fenqi_accrual_days('2025-01-31', '2025-02-28', '30_360') = 30
     AND fenqi_accrual_days('2025-01-31', '2025-02-28', 'ACT_365') = 28,
    '30E/360 counts a month-end to a month-end as 30 days';
  -- docs/loan-math.md: 15 of 31 days of 120.00 is 58.06.
  ASSERT fenqi_accrued_interest(12000, 31, 31, 12000, 15, 'half_up') = 5806, 'pro rata accrual';
  ASSERT fenqi_delinquency_bucket(30) = 'M1' AND fenqi_delinquency_bucket(31) = 'M2'
     AND fenqi_delinquency_bucket(181) = 'M7', 'M-buckets of 30 days';
  -- 10,000.00 at 18 % (9/50) ACT/360: 5.00 a day.
  ASSERT fenqi_daily_penalty(1000000, 0, 0, 9, 50, 360, 'half_up', 'none') = 500, 'daily penalty';
END $$;
