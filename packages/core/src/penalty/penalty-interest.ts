import type { Decimal } from 'decimal.js';
import type { DayCount } from '../date/day-count.ts';
import { accrualDays, basisDays } from '../date/day-count.ts';
import type { LocalDate } from '../date/local-date.ts';
import type { RoundingMode } from '../money/rounding.ts';
import { divideRounded } from '../money/rounding.ts';
import { rationalFromDecimal } from '../rate/rational.ts';
import type { LoanTerms } from '../schedule/terms.ts';
import { effectivePenaltyRate } from '../schedule/terms.ts';

// Penalty interest (罚息) on an overdue installment: base × penalty rate / basis × days overdue,
// counted from the day after the due date. The base is the overdue principal, or — where the
// product says so — the whole overdue installment (principal, interest and fee; interest on unpaid
// interest is the 复利 the PBOC rules allow on overdue interest). Penalty on penalty (daily
// compounding) is off unless the product turns it on (no compounding by default, as consumer contracts are written).

export const penaltyBases = ['overdue_principal', 'overdue_installment'] as const;
export type PenaltyBase = (typeof penaltyBases)[number];

export const penaltyCompoundings = ['none', 'daily'] as const;
export type PenaltyCompounding = (typeof penaltyCompoundings)[number];

export interface PenaltyTerms {
  /** Annual penalty rate (default: contract rate + 50 %, see loanTerms). */
  readonly annualRate: Decimal;
  readonly base: PenaltyBase;
  readonly dayCount: DayCount;
  readonly rounding: RoundingMode;
  readonly compounding: PenaltyCompounding;
}

export interface OverdueAmounts {
  readonly principalMinor: bigint;
  readonly interestMinor: bigint;
  readonly feeMinor: bigint;
}

export function penaltyTermsFor(terms: LoanTerms, overrides: Partial<PenaltyTerms> = {}): PenaltyTerms {
  return {
    annualRate: overrides.annualRate ?? effectivePenaltyRate(terms),
    base: overrides.base ?? 'overdue_principal',
    dayCount: overrides.dayCount ?? terms.dayCount,
    rounding: overrides.rounding ?? terms.rounding,
    compounding: overrides.compounding ?? 'none',
  };
}

export function penaltyBase(overdue: OverdueAmounts, base: PenaltyBase): bigint {
  return base === 'overdue_principal'
    ? overdue.principalMinor
    : overdue.principalMinor + overdue.interestMinor + overdue.feeMinor;
}

/** Penalty accrued on `overdue` from `dueDate` to `asOf`; zero on or before the due date. */
export function penaltyInterest(
  overdue: OverdueAmounts,
  dueDate: LocalDate,
  asOf: LocalDate,
  terms: PenaltyTerms,
): bigint {
  const days = accrualDays(dueDate, asOf, terms.dayCount);
  const base = penaltyBase(overdue, terms.base);
  if (days <= 0 || base <= 0n) return 0n;
  const rate = rationalFromDecimal(terms.annualRate);
  const basis = BigInt(basisDays(terms.dayCount));
  if (terms.compounding === 'none') {
    return divideRounded(base * rate.num * BigInt(days), rate.den * basis, terms.rounding);
  }
  // Daily compounding: each day's penalty, rounded as posted, joins the base of the next day.
  let accrued = 0n;
  for (let day = 0; day < days; day += 1) {
    accrued += divideRounded((base + accrued) * rate.num, rate.den * basis, terms.rounding);
  }
  return accrued;
}
