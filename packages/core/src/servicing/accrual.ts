import { assert } from '../assert.ts';
import { accrualDays, basisDays } from '../date/day-count.ts';
import type { LocalDate } from '../date/local-date.ts';
import { addDays } from '../date/local-date.ts';
import type { RoundingMode } from '../money/rounding.ts';
import { divideRounded } from '../money/rounding.ts';
import { rationalFromDecimal } from '../rate/rational.ts';
import type { Installment } from '../schedule/schedule.ts';
import type { LoanTerms } from '../schedule/terms.ts';

// Interest of a period earned day by day (日终计提). The amount accrued to a date is one rounded
// fraction of the elapsed accrual days, never a sum of rounded daily amounts, so the days of a
// period add up to the installment's interest exactly and payoff (提前结清) and the close of
// business (COB) agree on every date. The rule is small enough to mirror in SQL
// (migrations/0021_servicing_math.sql: fenqi_accrued_interest), where COB applies it set-based.

/**
 * What accrued interest is a rounded fraction of. With k elapsed accrual days: nothing when k ≤ 0
 * or the period has no accrual days, the whole installment interest when k ≥ periodDays, else
 * divideRounded(numeratorMinor × k, denominator, rounding), but never above the installment interest.
 */
export interface AccrualFormula {
  readonly numeratorMinor: bigint;
  /** Always positive (1 for a period of zero accrual days, where it is never used). */
  readonly denominator: bigint;
  readonly periodDays: number;
}

export function accrualFormula(terms: LoanTerms, installment: Installment): AccrualFormula {
  const periodDays = accrualDays(installment.periodStart, installment.dueDate, terms.dayCount);
  if (terms.interestPeriod === 'per_period') {
    // Pro rata by days of the scheduled interest.
    return {
      numeratorMinor: installment.interestMinor,
      denominator: BigInt(periodDays > 0 ? periodDays : 1),
      periodDays,
    };
  }
  // Actual-day products: opening balance × annual rate × days / basis.
  const opening = installment.balanceMinor + installment.principalMinor;
  const annual = rationalFromDecimal(terms.annualRate);
  return {
    numeratorMinor: opening * annual.num,
    denominator: annual.den * BigInt(basisDays(terms.dayCount)),
    periodDays,
  };
}

/** The formula applied to k elapsed accrual days: the exact rule fenqi_accrued_interest mirrors. */
export function accrueByFormula(
  formula: AccrualFormula,
  interestMinor: bigint,
  elapsedDays: number,
  mode: RoundingMode,
): bigint {
  assert(Number.isSafeInteger(elapsedDays), 'accrueByFormula: elapsed days must be an integer');
  if (elapsedDays <= 0 || formula.periodDays <= 0) return 0n;
  if (elapsedDays >= formula.periodDays) return interestMinor;
  const accrued = divideRounded(formula.numeratorMinor * BigInt(elapsedDays), formula.denominator, mode);
  // Never more than the installment bills: the last installment of a last_interest equal-installment
  // loan with actual-day interest carries M − balance, which can be below opening × rate × days, and
  // accruing past it would charge an early payoff more than paying on the due date and make the due
  // date's accrual negative. Per-period numerators can never exceed it (k < periodDays).
  return accrued < interestMinor ? accrued : interestMinor;
}

/**
 * Interest and the period fee of `installment` accrued from its start to `asOf`: nothing on or
 * before the start, the whole installment on or after the due date, pro rata between (the fee
 * always by days; the interest by accrualFormula).
 */
export function accruedInterestTo(
  terms: LoanTerms,
  installment: Installment,
  asOf: LocalDate,
): { interestMinor: bigint; feeMinor: bigint } {
  // A 30E/360 period from the 30th to the 31st has no accrual days, so k alone would never reach
  // it; on its due date an installment has earned all it bills whatever the day count says.
  if (asOf >= installment.dueDate) {
    return { interestMinor: installment.interestMinor, feeMinor: installment.feeMinor };
  }
  const formula = accrualFormula(terms, installment);
  const elapsed = accrualDays(installment.periodStart, asOf, terms.dayCount);
  if (elapsed <= 0 || formula.periodDays <= 0) return { interestMinor: 0n, feeMinor: 0n };
  if (elapsed >= formula.periodDays) {
    return { interestMinor: installment.interestMinor, feeMinor: installment.feeMinor };
  }
  return {
    interestMinor: accrueByFormula(formula, installment.interestMinor, elapsed, terms.rounding),
    feeMinor: divideRounded(
      installment.feeMinor * BigInt(elapsed),
      BigInt(formula.periodDays),
      terms.rounding,
    ),
  };
}

/**
 * The interest earned on business date `date` — the day ending at `date`: accrued to `date` less
 * accrued to the day before. Zero outside periodStart < date ≤ dueDate; the due date takes the
 * remainder, so the period's days sum to its interest exactly. Fees are not accrued daily: a
 * period fee is charged whole on its due date.
 */
export function dailyAccrual(terms: LoanTerms, installment: Installment, date: LocalDate): bigint {
  if (date <= installment.periodStart || date > installment.dueDate) return 0n;
  const before = accruedInterestTo(terms, installment, addDays(date, -1)).interestMinor;
  return accruedInterestTo(terms, installment, date).interestMinor - before;
}
