import type { DayCount, Installment, LoanTerms, LocalDate, PenaltyTerms, RoundingMode } from '@fenqi/core';
import {
  accrualDays,
  accrualFormula,
  accrueByFormula,
  accruedInterestTo,
  addDays,
  basisDays,
  buildSchedule,
  dailyAccrual,
  dailyPenalty,
  dateFromParts,
  daysInMonth,
  delinquencyBucket,
  divideRounded,
  fromEpochDay,
  loanTerms,
  localDate,
  rationalFromDecimal,
  toEpochDay,
} from '@fenqi/core';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dayCountArb, loanTermsArb, roundingArb } from '../../../core/src/testing/arbitraries.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

// The oracle for migrations/0021_servicing_math.sql: every SQL function of the servicing math
// against the core function it mirrors, on random cases. Each batch of cases is one round trip —
// arrays unnested in one SELECT, the way close of business applies the functions to the book —
// and fast-check shrinks a failing batch to the case that differs.

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database.drop();
});

/** Runs `sql` and returns column `column` of every row as text (numbers compared exactly). */
async function texts(sql: string, params: unknown[], column = 'v'): Promise<string[]> {
  const { rows } = await database.pool.query<Record<string, string | null>>(sql, params);
  return rows.map((row) => String(row[column]));
}

const modes: readonly RoundingMode[] = ['half_up', 'half_even', 'down', 'up'];
const e30 = 10n ** 30n;

describe('fenqi_divide_rounded', () => {
  const numerator = fc.oneof(
    fc.bigInt({ min: -e30, max: e30 }),
    fc.bigInt({ min: -1_000n, max: 1_000n }),
    fc.constantFrom(-e30, e30, 0n),
  );
  const denominator = fc.oneof(fc.bigInt({ min: 1n, max: 20n }), fc.bigInt({ min: 1n, max: e30 }));
  // Exact halves: q·d + d/2 for an even d, on both sides of zero, where half_up and half_even part.
  const tie = fc
    .record({ quotient: fc.bigInt({ min: -e30, max: e30 }), half: fc.bigInt({ min: 1n, max: 10n ** 15n }) })
    .map(({ quotient, half }) => ({
      n: quotient * 2n * half + (quotient < 0n ? -half : half),
      d: 2n * half,
    }));
  const caseArb = fc
    .oneof(fc.record({ n: numerator, d: denominator }), tie)
    .chain((pair) => fc.constantFrom(...modes).map((mode) => ({ ...pair, mode })));

  it('equals core divideRounded, negative and 10^30-sized numerators and exact halves included', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(caseArb, { minLength: 400, maxLength: 400 }), async (cases) => {
        const got = await texts(
          `SELECT fenqi_divide_rounded(n, d, m)::text AS v
             FROM unnest($1::numeric[], $2::numeric[], $3::text[]) WITH ORDINALITY AS t(n, d, m, i)
            ORDER BY i`,
          [cases.map((c) => c.n.toString()), cases.map((c) => c.d.toString()), cases.map((c) => c.mode)],
        );
        expect(got).toEqual(cases.map((c) => divideRounded(c.n, c.d, c.mode).toString()));
      }),
      { numRuns: 10 },
    );
  });

  it('refuses a denominator below one, a fraction and an unknown mode', async () => {
    const query = (n: string, d: string, mode: string) =>
      database.pool.query('SELECT fenqi_divide_rounded($1::numeric, $2::numeric, $3::text)', [n, d, mode]);
    await expect(query('1', '0', 'half_up')).rejects.toThrow(
      'fenqi_divide_rounded: integers with a positive',
    );
    await expect(query('1', '-3', 'half_up')).rejects.toThrow(
      'fenqi_divide_rounded: integers with a positive',
    );
    await expect(query('1.5', '3', 'half_up')).rejects.toThrow(
      'fenqi_divide_rounded: integers with a positive',
    );
    await expect(query('1', '3', 'nearest')).rejects.toThrow(
      'fenqi_divide_rounded: unknown rounding mode nearest',
    );
  });
});

/** 1900–2200 with month ends, 29 February and the 30th drawn often: where 30E/360 has its rules. */
const dateArb: fc.Arbitrary<LocalDate> = fc.oneof(
  fc
    .integer({ min: toEpochDay(dateFromParts(1900, 1, 1)), max: toEpochDay(dateFromParts(2200, 12, 31)) })
    .map((day) => fromEpochDay(day)),
  fc
    .record({ year: fc.integer({ min: 1900, max: 2200 }), month: fc.integer({ min: 1, max: 12 }) })
    .chain(({ year, month }) =>
      fc
        .constantFrom(1, 28, 29, 30, 31)
        .map((day) => dateFromParts(year, month, Math.min(day, daysInMonth(year, month)))),
    ),
  fc
    .integer({ min: 475, max: 550 })
    .map((quarter) => quarter * 4)
    .filter((year) => year % 100 !== 0 || year % 400 === 0)
    .chain((year) =>
      fc.constantFrom(dateFromParts(year, 2, 28), dateFromParts(year, 2, 29), dateFromParts(year, 3, 1)),
    ),
);

describe('fenqi_accrual_days', () => {
  it('equals core accrualDays for all three day counts, either order of the dates', async () => {
    const caseArb = fc.record({ from: dateArb, to: dateArb, dayCount: dayCountArb });
    await fc.assert(
      fc.asyncProperty(fc.array(caseArb, { minLength: 500, maxLength: 500 }), async (cases) => {
        const got = await texts(
          `SELECT fenqi_accrual_days(f, t, c)::text AS v
             FROM unnest($1::date[], $2::date[], $3::text[]) WITH ORDINALITY AS x(f, t, c, i)
            ORDER BY i`,
          [cases.map((c) => c.from), cases.map((c) => c.to), cases.map((c) => c.dayCount)],
        );
        expect(got).toEqual(cases.map((c) => String(accrualDays(c.from, c.to, c.dayCount))));
      }),
      { numRuns: 10 },
    );
  });

  it('refuses an unknown day count', async () => {
    await expect(
      database.pool.query(`SELECT fenqi_accrual_days(date '2025-01-01', date '2025-02-01', 'ACT_ACT')`),
    ).rejects.toThrow('fenqi_accrual_days: unknown day count ACT_ACT');
  });
});

interface AccrualRow {
  readonly terms: LoanTerms;
  readonly installment: Installment;
  readonly date: LocalDate;
}

function accrualRows(terms: LoanTerms): AccrualRow[] {
  const built = buildSchedule(terms);
  if (!built.ok) return [];
  const rows: AccrualRow[] = [];
  for (const installment of built.value.installments) {
    for (let date = installment.periodStart; date <= installment.dueDate; date = addDays(date, 1)) {
      rows.push({ terms, installment, date });
    }
  }
  return rows;
}

// The two edges random schedules rarely reach, in every batch: the cap (the level last installment
// of 200.00 at 3 % over 4 months bills 0.11 and would earn 0.12) and a 30E/360 period of no
// accrual days (one-day periods, the 30th to the 31st).
const edgeTerms: readonly LoanTerms[] = [
  loanTerms({
    method: 'equal_installment',
    principalMinor: 20_000n,
    annualRate: new Decimal('0.03'),
    termCount: 4,
    startDate: localDate('2025-01-15'),
    interestPeriod: 'daily',
    remainder: 'last_interest',
  }),
  loanTerms({
    method: 'equal_principal',
    principalMinor: 3_000_000n,
    annualRate: new Decimal('0.36'),
    termCount: 3,
    frequency: { kind: 'days', days: 1 },
    dayCount: '30_360',
    startDate: localDate('2025-01-29'),
  }),
];

describe('fenqi_accrued_interest', () => {
  it('equals core accrual on every date of every period of random schedules, as close of business applies it', async () => {
    // Per row: the function itself against accrueByFormula with k from the dates; the accrued
    // figure as COB takes it (the installment interest from the due date on) against
    // accruedInterestTo; and the day's accrual, accrued to the date less accrued to the day
    // before, against dailyAccrual. k comes from an OFFSET 0 sub-select, the inlinable shape.
    const batch = fc.array(loanTermsArb({ termCountMax: 6 }), { minLength: 12, maxLength: 12 });
    await fc.assert(
      fc.asyncProperty(batch, async (termsList) => {
        const rows = [...edgeTerms, ...termsList].flatMap(accrualRows);
        const formulas = rows.map((row) => accrualFormula(row.terms, row.installment));
        const { rows: got } = await database.pool.query<{ raw: string; accrued: string; daily: string }>(
          `SELECT fenqi_accrued_interest(num, den, pd, interest, k_today, mode)::text AS raw,
                  CASE WHEN d >= due THEN interest
                       ELSE fenqi_accrued_interest(num, den, pd, interest, k_today, mode) END::text AS accrued,
                  (CASE WHEN d >= due THEN interest
                        ELSE fenqi_accrued_interest(num, den, pd, interest, k_today, mode) END
                   - CASE WHEN d - 1 >= due THEN interest
                          ELSE fenqi_accrued_interest(num, den, pd, interest, k_before, mode) END)::text AS daily
             FROM (SELECT x.*, fenqi_accrual_days(ps, d, dc) AS k_today, fenqi_accrual_days(ps, d - 1, dc) AS k_before
                     FROM unnest($1::numeric[], $2::numeric[], $3::int[], $4::bigint[], $5::date[], $6::date[],
                                 $7::date[], $8::text[], $9::text[]) WITH ORDINALITY
                          AS x(num, den, pd, interest, ps, due, d, dc, mode, i)
                   OFFSET 0) s
            ORDER BY i`,
          [
            formulas.map((formula) => formula.numeratorMinor.toString()),
            formulas.map((formula) => formula.denominator.toString()),
            formulas.map((formula) => formula.periodDays),
            rows.map((row) => row.installment.interestMinor.toString()),
            rows.map((row) => row.installment.periodStart),
            rows.map((row) => row.installment.dueDate),
            rows.map((row) => row.date),
            rows.map((row) => row.terms.dayCount),
            rows.map((row) => row.terms.rounding),
          ],
        );
        const expected = rows.map((row, index) => {
          const formula = formulas[index];
          if (formula === undefined) throw new Error('ragged formulas');
          const k = accrualDays(row.installment.periodStart, row.date, row.terms.dayCount);
          return {
            raw: accrueByFormula(formula, row.installment.interestMinor, k, row.terms.rounding).toString(),
            accrued: accruedInterestTo(row.terms, row.installment, row.date).interestMinor.toString(),
            daily: dailyAccrual(row.terms, row.installment, row.date).toString(),
          };
        });
        expect(got).toEqual(expected);
      }),
      { numRuns: 10 },
    );
  });
});

describe('fenqi_delinquency_bucket', () => {
  it('equals core delinquencyBucket from 0 to 400 days past due', async () => {
    const got = await texts(
      'SELECT fenqi_delinquency_bucket(dpd) AS v FROM generate_series(0, 400) AS dpd ORDER BY dpd',
      [],
    );
    expect(got).toEqual(Array.from({ length: 401 }, (_, dpd) => delinquencyBucket(dpd)));
  });

  it('refuses negative days past due', async () => {
    await expect(database.pool.query('SELECT fenqi_delinquency_bucket(-1)')).rejects.toThrow(
      'fenqi_delinquency_bucket: days past due must not be negative, not -1',
    );
  });
});

describe('fenqi_daily_penalty', () => {
  const caseArb = fc.record({
    base: fc.oneof(
      fc.bigInt({ min: 0n, max: 100_000_000n }),
      fc.bigInt({ min: 0n, max: 1_000_000_000_000n }),
    ),
    accrued: fc.bigInt({ min: 0n, max: 10_000_000n }),
    days: fc.integer({ min: 0, max: 400 }),
    // Up to 0.54 a year with up to six decimals: lowest-terms fractions with odd denominators.
    rate: fc.integer({ min: 0, max: 540_000 }).map((millionths) => new Decimal(millionths).div(1_000_000)),
    dayCount: fc.constantFrom<DayCount>('ACT_360', 'ACT_365', '30_360'),
    rounding: roundingArb,
    compounding: fc.constantFrom('none' as const, 'daily' as const),
  });

  it('equals core dailyPenalty for both compoundings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(caseArb, { minLength: 400, maxLength: 400 }), async (cases) => {
        const rates = cases.map((c) => rationalFromDecimal(c.rate));
        const got = await texts(
          `SELECT fenqi_daily_penalty(b, a, k, rn, rd, basis, m, c)::text AS v
             FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::numeric[], $5::numeric[], $6::int[],
                         $7::text[], $8::text[]) WITH ORDINALITY AS x(b, a, k, rn, rd, basis, m, c, i)
            ORDER BY i`,
          [
            cases.map((c) => c.base.toString()),
            cases.map((c) => c.accrued.toString()),
            cases.map((c) => c.days),
            rates.map((rate) => rate.num.toString()),
            rates.map((rate) => rate.den.toString()),
            cases.map((c) => basisDays(c.dayCount)),
            cases.map((c) => c.rounding),
            cases.map((c) => c.compounding),
          ],
        );
        const expected = cases.map((c) => {
          const terms: PenaltyTerms = {
            annualRate: c.rate,
            base: 'overdue_principal',
            dayCount: c.dayCount,
            rounding: c.rounding,
            compounding: c.compounding,
          };
          return dailyPenalty({
            baseMinor: c.base,
            accruedInSegmentMinor: c.accrued,
            daysInSegment: c.days,
            terms,
          }).toString();
        });
        expect(got).toEqual(expected);
      }),
      { numRuns: 10 },
    );
  });

  it('refuses a negative base and an unknown compounding', async () => {
    await expect(
      database.pool.query(`SELECT fenqi_daily_penalty(-1, 0, 0, 9, 50, 360, 'half_up', 'none')`),
    ).rejects.toThrow('fenqi_daily_penalty: base, accrued penalty and days must not be negative');
    await expect(
      database.pool.query(`SELECT fenqi_daily_penalty(1, 0, 0, 9, 50, 360, 'half_up', 'monthly')`),
    ).rejects.toThrow('fenqi_daily_penalty: unknown compounding monthly');
  });
});

describe('inlining', () => {
  async function plan(sql: string): Promise<string> {
    const lines = await texts(`EXPLAIN (VERBOSE) ${sql}`, [], 'QUERY PLAN');
    return lines.join('\n');
  }

  // A call left in the plan reads `fenqi_…(`; the error messages inside the inlined bodies read
  // `fenqi_…:`, so only the former means "not inlined".
  const calls = /fenqi_[a-z_]+\(/;

  it('inlines fenqi_divide_rounded into the calling query', async () => {
    const text = await plan(`SELECT fenqi_divide_rounded(x, 7, 'half_up') FROM generate_series(1, 3) x`);
    expect(text).not.toMatch(calls);
    expect(text).toContain('div((x)::numeric');
  });

  it('inlines every function, nested calls included, when the arguments are columns', async () => {
    const text = await plan(
      `SELECT fenqi_accrued_interest(num, den, pd, interest, k, mode),
              fenqi_accrual_days(ps, d, dc),
              fenqi_delinquency_bucket(k),
              fenqi_daily_penalty(interest, 0, k, num, den, basis, mode, compounding)
         FROM (SELECT 1::numeric AS num, 2::numeric AS den, 30 AS pd, 5::bigint AS interest, x AS k,
                      'half_up'::text AS mode, date '2025-01-01' AS ps, date '2025-01-01' + x AS d,
                      '30_360'::text AS dc, 360 AS basis, 'none'::text AS compounding
                 FROM generate_series(1, 3) x OFFSET 0) s`,
    );
    expect(text).not.toMatch(calls);
  });
});
