import type { Rational } from '../rate/rational.ts';
import { rational } from '../rate/rational.ts';
import type { LocalDate } from './local-date.ts';
import { dateParts, daysBetween, isLastDayOfMonth } from './local-date.ts';

// Day-count conventions turn a date interval into a year fraction (days / basis). The product
// chooses one; ACT/360 is the default because Chinese lenders quote daily rates as annual / 360.

export const dayCounts = ['ACT_360', 'ACT_365', '30_360'] as const;
export type DayCount = (typeof dayCounts)[number];

export function isDayCount(value: string): value is DayCount {
  return (dayCounts as readonly string[]).includes(value);
}

/** Days in the year basis: 360 for ACT/360 and 30/360, 365 for ACT/365 (fixed). */
export function basisDays(dayCount: DayCount): number {
  return dayCount === 'ACT_365' ? 365 : 360;
}

/**
 * Days counted between two dates. ACT counts calendar days. 30/360 is 30E/360 (ISDA): a date on
 * the last day of its month counts as day 30, so every whole month is 30 days — February and
 * month-end schedules included — which is the point of using 30/360 for installment loans.
 */
export function accrualDays(start: LocalDate, end: LocalDate, dayCount: DayCount): number {
  if (dayCount !== '30_360') return daysBetween(start, end);
  const from = dateParts(start);
  const to = dateParts(end);
  const fromDay = isLastDayOfMonth(start) ? 30 : Math.min(from.day, 30);
  const toDay = isLastDayOfMonth(end) ? 30 : Math.min(to.day, 30);
  return 360 * (to.year - from.year) + 30 * (to.month - from.month) + (toDay - fromDay);
}

/** The year fraction as an exact fraction: accrual days / basis days. */
export function dayCountFraction(start: LocalDate, end: LocalDate, dayCount: DayCount): Rational {
  return rational(BigInt(accrualDays(start, end, dayCount)), BigInt(basisDays(dayCount)));
}
