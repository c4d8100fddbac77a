import { assert } from '../assert.ts';
import { accrualDays, basisDays } from '../date/day-count.ts';
import { perPeriodRate, stepDays } from '../date/frequency.ts';
import type { LocalDate } from '../date/local-date.ts';
import { addDays, addMonths, dateFromParts, dateParts, daysInMonth } from '../date/local-date.ts';
import type { Rational } from '../rate/rational.ts';
import { rational, rationalFromDecimal } from '../rate/rational.ts';
import type { LoanTerms } from './terms.ts';

// Due dates and the interest rate of every period. A bullet loan has one period, from the start to
// the termCount-th due date; every other method has termCount periods.

export interface Period {
  readonly number: number;
  readonly start: LocalDate;
  readonly due: LocalDate;
  /** Accrual days under the product's day count. */
  readonly days: number;
  /** The interest rate of the whole period as an exact fraction. */
  readonly rate: Rational;
}

/**
 * The first due date when none is given: with a due day, that day (month-end rule) in the month
 * after the start month, so the first period runs between one day over and a day under two months;
 * otherwise one step after the start.
 */
export function derivedFirstDueDate(terms: LoanTerms): LocalDate {
  if (terms.firstDueDate !== undefined) return terms.firstDueDate;
  const step = stepDays(terms.frequency);
  if (step !== undefined) return addDays(terms.startDate, step);
  if (terms.dueDay === undefined) return addMonths(terms.startDate, 1);
  const { year, month } = dateParts(terms.startDate);
  const nextYear = month === 12 ? year + 1 : year;
  const nextMonth = month === 12 ? 1 : month + 1;
  return dateFromParts(nextYear, nextMonth, Math.min(terms.dueDay, daysInMonth(nextYear, nextMonth)));
}

export function dueDates(terms: LoanTerms): LocalDate[] {
  const first = derivedFirstDueDate(terms);
  const step = stepDays(terms.frequency);
  const anchorDay = terms.dueDay ?? dateParts(first).day;
  // When nothing breaks the rhythm, monthly dates anchor on the start day (Jan 31 → Feb 28 → Mar 31).
  const regularMonthly = step === undefined && terms.firstDueDate === undefined && terms.dueDay === undefined;
  const dates: LocalDate[] = [];
  for (let k = 0; k < terms.termCount; k += 1) {
    if (step !== undefined) dates.push(addDays(first, k * step));
    else if (regularMonthly) dates.push(addMonths(terms.startDate, k + 1));
    else dates.push(addMonths(first, k, anchorDay));
  }
  return dates;
}

/** True when every due date is the start plus a whole number of regular periods. */
export function hasRegularDates(terms: LoanTerms, dates: readonly LocalDate[]): boolean {
  if (terms.firstDueDate === undefined && terms.dueDay === undefined) return true;
  const step = stepDays(terms.frequency);
  return dates.every((date, k) =>
    step === undefined
      ? date === addMonths(terms.startDate, k + 1)
      : date === addDays(terms.startDate, (k + 1) * step),
  );
}

export function loanPeriods(terms: LoanTerms, dates: readonly LocalDate[] = dueDates(terms)): Period[] {
  const annual = rationalFromDecimal(terms.annualRate);
  const basis = BigInt(basisDays(terms.dayCount));
  const uniform = perPeriodRate(annual, terms.frequency, terms.dayCount);
  const periodOf = (number: number, start: LocalDate, due: LocalDate): Period => {
    const days = accrualDays(start, due, terms.dayCount);
    const rate =
      terms.interestPeriod === 'per_period'
        ? uniform
        : rational(annual.num * BigInt(days), annual.den * basis);
    return { number, start, due, days, rate };
  };
  if (terms.method === 'bullet') {
    const maturity = dates[dates.length - 1];
    assert(maturity !== undefined, 'loanPeriods: no due dates');
    return [periodOf(1, terms.startDate, maturity)];
  }
  const periods: Period[] = [];
  let start = terms.startDate;
  for (const [index, due] of dates.entries()) {
    periods.push(periodOf(index + 1, start, due));
    start = due;
  }
  return periods;
}
