import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AssertionError } from '../assert.ts';
import type { DayCount } from '../date/day-count.ts';
import { addDays, localDate } from '../date/local-date.ts';
import type { PenaltyTerms } from '../penalty/penalty-interest.ts';
import { penaltyInterest } from '../penalty/penalty-interest.ts';
import { roundingArb } from '../testing/arbitraries.ts';
import { dailyPenalty } from './penalty-accrual.ts';

const terms: PenaltyTerms = {
  annualRate: new Decimal('0.18'),
  base: 'overdue_principal',
  dayCount: 'ACT_360',
  rounding: 'half_up',
  compounding: 'none',
};

/** Accrues `days` days of one segment from zero, day by day as the close of business does. */
function accrueSegment(base: bigint, days: number, segmentTerms: PenaltyTerms): bigint {
  let accrued = 0n;
  for (let day = 0; day < days; day += 1) {
    accrued += dailyPenalty({
      baseMinor: base,
      accruedInSegmentMinor: accrued,
      daysInSegment: day,
      terms: segmentTerms,
    });
  }
  return accrued;
}

describe('dailyPenalty', () => {
  it('accrues 5.00 a day on 10,000.00 at 18 % ACT/360, 150.00 over 30 days', () => {
    expect(dailyPenalty({ baseMinor: 1_000_000n, accruedInSegmentMinor: 0n, daysInSegment: 0, terms })).toBe(
      500n,
    );
    expect(accrueSegment(1_000_000n, 30, terms)).toBe(15_000n);
  });

  it('rounds the segment as one figure: 1,000.01 at 18 % earns 0.50 a day and 0.51 on day 1,000', () => {
    // 100,001 × 0.18 / 360 = 50.0005 fen a day. Rounding each day would lose the 0.0005 forever;
    // cumulative rounding hands the fen to the day the segment total crosses a half (50,000.5).
    const days = [0, 1, 2, 3].map((k) =>
      dailyPenalty({ baseMinor: 100_001n, accruedInSegmentMinor: 0n, daysInSegment: k, terms }),
    );
    expect(days).toEqual([50n, 50n, 50n, 50n]);
    expect(dailyPenalty({ baseMinor: 100_001n, accruedInSegmentMinor: 0n, daysInSegment: 999, terms })).toBe(
      51n,
    );
  });

  it('compounds daily on the base plus the segment’s earlier penalty', () => {
    const daily: PenaltyTerms = { ...terms, compounding: 'daily' };
    // Day 2: (10,000.00 + 5.00) × 0.05 % = 5.0025 → 5.00; after 30 days 151.12,
    // penaltyInterest's figure.
    expect(
      dailyPenalty({ baseMinor: 1_000_000n, accruedInSegmentMinor: 500n, daysInSegment: 1, terms: daily }),
    ).toBe(500n);
    expect(accrueSegment(1_000_000n, 30, daily)).toBe(15_112n);
    expect(accrueSegment(1_000_000n, 30, daily)).toBe(
      penaltyInterest(
        { principalMinor: 1_000_000n, interestMinor: 0n, feeMinor: 0n },
        localDate('2025-03-15'),
        localDate('2025-04-14'),
        daily,
      ),
    );
  });

  it('refuses a negative base, negative accrued penalty or a fractional day as a bug', () => {
    expect(() =>
      dailyPenalty({ baseMinor: -1n, accruedInSegmentMinor: 0n, daysInSegment: 0, terms }),
    ).toThrow(AssertionError);
    expect(() =>
      dailyPenalty({ baseMinor: 1n, accruedInSegmentMinor: -1n, daysInSegment: 0, terms }),
    ).toThrow(AssertionError);
    expect(() =>
      dailyPenalty({ baseMinor: 1n, accruedInSegmentMinor: 0n, daysInSegment: 0.5, terms }),
    ).toThrow(AssertionError);
  });

  it('sums over a segment to penaltyInterest over its days, for both compoundings (ACT day counts)', () => {
    // ACT only: penaltyInterest counts 30E/360 days between the dates, which is not the number of
    // calendar days a segment accrues (a 31st adds none, the end of February two or three).
    const overdueDate = fc
      .integer({ min: 0, max: 3650 })
      .map((offset) => addDays(localDate('2020-01-01'), offset));
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 100_000_000n }),
        fc.integer({ min: 0, max: 5400 }).map((bp) => new Decimal(bp).div(10_000)),
        fc.constantFrom<DayCount>('ACT_360', 'ACT_365'),
        roundingArb,
        fc.constantFrom('none' as const, 'daily' as const),
        fc.integer({ min: 0, max: 400 }),
        overdueDate,
        (base, annualRate, dayCount, rounding, compounding, days, due) => {
          const segment: PenaltyTerms = {
            annualRate,
            base: 'overdue_principal',
            dayCount,
            rounding,
            compounding,
          };
          const overdue = { principalMinor: base, interestMinor: 0n, feeMinor: 0n };
          expect(accrueSegment(base, days, segment)).toBe(
            penaltyInterest(overdue, due, addDays(due, days), segment),
          );
        },
      ),
      { numRuns: 500 },
    );
  });
});
