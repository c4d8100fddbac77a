import { assert } from '../assert.ts';
import { basisDays } from '../date/day-count.ts';
import { divideRounded } from '../money/rounding.ts';
import type { PenaltyTerms } from '../penalty/penalty-interest.ts';
import { rationalFromDecimal } from '../rate/rational.ts';

// Penalty interest (罚息) accrued one day at a time by the close of business. A segment is a run of
// days over which the overdue base does not change; a payment that changes the base starts a new
// one. Within a segment the day's penalty is the growth of core penaltyInterest over one more day
// (no compounding) or one day's penalty on the base plus the segment's earlier penalty (daily
// compounding), so a segment's days add up to penaltyInterest over the segment exactly. Mirrored in
// SQL by fenqi_daily_penalty (migrations/0021_servicing_math.sql).

export interface DailyPenaltyInput {
  /** The overdue base of the segment (principal, or the whole installment, per terms.base). */
  readonly baseMinor: bigint;
  /** Penalty already accrued in this segment (used by daily compounding only). */
  readonly accruedInSegmentMinor: bigint;
  /** Days already accrued in this segment before this one. */
  readonly daysInSegment: number;
  readonly terms: PenaltyTerms;
}

/** The penalty accrued on the next day of a segment. */
export function dailyPenalty(input: DailyPenaltyInput): bigint {
  const { baseMinor: base, accruedInSegmentMinor: accrued, daysInSegment: days, terms } = input;
  assert(base >= 0n && accrued >= 0n, 'dailyPenalty: base and accrued penalty must not be negative');
  assert(Number.isSafeInteger(days) && days >= 0, 'dailyPenalty: days in segment must be a whole number ≥ 0');
  const rate = rationalFromDecimal(terms.annualRate);
  const den = rate.den * BigInt(basisDays(terms.dayCount));
  if (terms.compounding === 'daily') return divideRounded((base + accrued) * rate.num, den, terms.rounding);
  // Cumulative rounding: the segment total is one rounded figure, as penaltyInterest computes it.
  const through = (n: number) => divideRounded(base * rate.num * BigInt(n), den, terms.rounding);
  return through(days + 1) - through(days);
}
