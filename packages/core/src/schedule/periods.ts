import { assert } from '../assert.ts';
import { accrualDays, basisDays } from '../date/day-count.ts';
import { perPeriodRate, stepDays } from '../date/frequency.ts';
import type { LocalDate } from '../date/local-date.ts';
import {
  addDays,
  addMonths,
  dateFromParts,
  dateParts,
  daysInMonth,
  epochDayOf,
  fromEpochDay,
  toEpochDay,
} from '../date/local-date.ts';
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
  // A copy: the plan itself is shared by every loan with the same dates.
  return [...dueDatePlan(terms).dates];
}

export interface DueDatePlan {
  readonly dates: readonly LocalDate[];
  /** The same dates as days since 1970-01-01, so actual-day counts need no re-parsing. */
  readonly epochDays: readonly number[];
  /** Every due date is the start plus whole regular periods (see hasRegularDates). */
  readonly regular: boolean;
}

/**
 * Loans originated on one business date with one product share their due dates, so plans are kept
 * per start date and rhythm (frequency, term count, due day, first due date) and built once. The
 * table is bounded; a book's start dates times products number far fewer.
 */
export const dueDatePlansCachedMax = 4096;

const plansByStart = new Map<LocalDate, Map<string | number, DueDatePlan>>();
let plansCached = 0;

/** The frequency as a small integer: 0 monthly, 1 biweekly, 2 weekly, 2 + N for N days. */
function frequencyCode(terms: LoanTerms): number {
  const frequency = terms.frequency;
  switch (frequency.kind) {
    case 'monthly':
      return 0;
    case 'biweekly':
      return 1;
    case 'weekly':
      return 2;
    case 'days':
      return 2 + frequency.days;
  }
}

/**
 * One key per rhythm under a start date: a small integer in the common case (no first due date,
 * the term count and due day of valid terms), so the lookup builds no string; otherwise every
 * field spelled out, so that no two rhythms can share a key whatever the terms hold.
 */
function planKey(terms: LoanTerms): string | number {
  const { termCount, dueDay, firstDueDate } = terms;
  const compact =
    firstDueDate === undefined &&
    Number.isInteger(termCount) &&
    termCount >= 0 &&
    termCount < 1024 &&
    (dueDay === undefined || (Number.isInteger(dueDay) && dueDay >= 1 && dueDay <= 31));
  if (compact) return (frequencyCode(terms) * 32 + (dueDay ?? 0)) * 1024 + termCount;
  return `${firstDueDate ?? ''}/${frequencyCode(terms)}/${dueDay ?? ''}/${termCount}`;
}

// The plan asked for last: loans of one product originated on one business date come in a row.
let lastStart: LocalDate | undefined;
let lastKey: string | number | undefined;
let lastPlan: DueDatePlan | undefined;

/** The shared due-date plan of the terms (built on first use). */
export function dueDatePlan(terms: LoanTerms): DueDatePlan {
  const key = planKey(terms);
  if (lastPlan !== undefined && terms.startDate === lastStart && key === lastKey) return lastPlan;
  const plan = cachedPlan(terms, key);
  lastStart = terms.startDate;
  lastKey = key;
  lastPlan = plan;
  return plan;
}

function cachedPlan(terms: LoanTerms, key: string | number): DueDatePlan {
  let byRhythm = plansByStart.get(terms.startDate);
  const cached = byRhythm?.get(key);
  if (cached !== undefined) return cached;
  if (plansCached >= dueDatePlansCachedMax) {
    plansByStart.clear();
    plansCached = 0;
    byRhythm = undefined;
  }
  if (byRhythm === undefined) {
    byRhythm = new Map();
    plansByStart.set(terms.startDate, byRhythm);
  }
  const built = buildDueDatePlan(terms);
  // Not frozen: element reads of frozen arrays measured slower in the schedule loop; the readonly
  // types keep the core from writing to a shared plan, and dueDates hands out copies.
  const plan: DueDatePlan = {
    dates: built.dates,
    epochDays: built.epochDays,
    regular: regularDates(terms, built.dates),
  };
  byRhythm.set(key, plan);
  plansCached += 1;
  return plan;
}

function buildDueDatePlan(terms: LoanTerms): { dates: LocalDate[]; epochDays: number[] } {
  const dates: LocalDate[] = [];
  const epochDays: number[] = [];
  const step = stepDays(terms.frequency);
  const first = derivedFirstDueDate(terms);
  if (step !== undefined) {
    const firstDay = toEpochDay(first);
    for (let k = 0; k < terms.termCount; k += 1) {
      epochDays.push(firstDay + k * step);
      dates.push(fromEpochDay(firstDay + k * step));
    }
    return { dates, epochDays };
  }
  // When nothing breaks the rhythm, monthly dates anchor on the start day (Jan 31 → Feb 28 → Mar 31);
  // otherwise on the due day, or the first due date's day, from the first due date on.
  const regular = terms.firstDueDate === undefined && terms.dueDay === undefined;
  const anchor = dateParts(regular ? terms.startDate : first);
  const anchorDay = terms.dueDay ?? anchor.day;
  const monthIndex = anchor.year * 12 + anchor.month - 1 + (regular ? 1 : 0);
  for (let k = 0; k < terms.termCount; k += 1) {
    const year = Math.floor((monthIndex + k) / 12);
    const month = ((monthIndex + k) % 12) + 1;
    const day = Math.min(anchorDay, daysInMonth(year, month));
    dates.push(dateFromParts(year, month, day));
    epochDays.push(epochDayOf(year, month, day));
  }
  return { dates, epochDays };
}

/** True when every due date is the start plus a whole number of regular periods. */
export function hasRegularDates(terms: LoanTerms): boolean {
  return dueDatePlan(terms).regular;
}

function regularDates(terms: LoanTerms, dates: readonly LocalDate[]): boolean {
  if (terms.firstDueDate === undefined && terms.dueDay === undefined) return true;
  const step = stepDays(terms.frequency);
  return dates.every((date, k) =>
    step === undefined
      ? date === addMonths(terms.startDate, k + 1)
      : date === addDays(terms.startDate, (k + 1) * step),
  );
}

export function loanPeriods(terms: LoanTerms): Period[] {
  const { dates, epochDays } = dueDatePlan(terms);
  const annual = rationalFromDecimal(terms.annualRate);
  const basis = BigInt(basisDays(terms.dayCount));
  const uniform =
    terms.interestPeriod === 'per_period'
      ? perPeriodRate(annual, terms.frequency, terms.dayCount)
      : undefined;
  const actual = terms.dayCount !== '30_360';
  const periodOf = (
    number: number,
    start: LocalDate,
    startDay: number,
    due: LocalDate,
    dueDay: number,
  ): Period => {
    const days = actual ? dueDay - startDay : accrualDays(start, due, terms.dayCount);
    const rate = uniform ?? rational(annual.num * BigInt(days), annual.den * basis);
    return { number, start, due, days, rate };
  };
  const startDay = toEpochDay(terms.startDate);
  if (terms.method === 'bullet') {
    const maturity = dates[dates.length - 1];
    const maturityDay = epochDays[epochDays.length - 1];
    assert(maturity !== undefined && maturityDay !== undefined, 'loanPeriods: no due dates');
    return [periodOf(1, terms.startDate, startDay, maturity, maturityDay)];
  }
  const periods: Period[] = [];
  let start = terms.startDate;
  let previousDay = startDay;
  for (let index = 0; index < dates.length; index += 1) {
    const due = dates[index];
    const dueDay = epochDays[index];
    assert(due !== undefined && dueDay !== undefined, 'loanPeriods: ragged plan');
    periods.push(periodOf(index + 1, start, previousDay, due, dueDay));
    start = due;
    previousDay = dueDay;
  }
  return periods;
}
