import { assert } from '../assert.ts';

// Business dates are calendar dates without a time or a zone (docs/architecture.md: no `Date` for
// business days). A LocalDate is the `YYYY-MM-DD` string itself, branded so an unchecked string cannot
// pass for one; it serialises as-is and compares correctly as a string.

export type LocalDate = string & { readonly __brand: 'LocalDate' };

export interface DateParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

export const localDateYearMin = 1900;
export const localDateYearMax = 9999;

const datePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

export function parseLocalDate(text: string): LocalDate | undefined {
  const match = datePattern.exec(text);
  if (match === null) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < localDateYearMin || year > localDateYearMax) return undefined;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return text as LocalDate;
}

/** For literals the code itself writes; a bad literal is a bug. */
export function localDate(text: string): LocalDate {
  const date = parseLocalDate(text);
  assert(date !== undefined, `not a LocalDate: ${text}`);
  return date;
}

const zero = 48;

/** Reads the digits directly: this runs for every due date of every schedule. */
export function dateParts(date: LocalDate): DateParts {
  const digit = (index: number) => date.charCodeAt(index) - zero;
  return {
    year: digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3),
    month: digit(5) * 10 + digit(6),
    day: digit(8) * 10 + digit(9),
  };
}

/** The year alone, read from the digits without building the parts. */
export function yearOf(date: LocalDate): number {
  return (
    (date.charCodeAt(0) - zero) * 1000 +
    (date.charCodeAt(1) - zero) * 100 +
    (date.charCodeAt(2) - zero) * 10 +
    (date.charCodeAt(3) - zero)
  );
}

const twoDigits = Array.from({ length: 32 }, (_, value) => (value < 10 ? `0${value}` : String(value)));

function pad2(value: number): string {
  return twoDigits[value] ?? String(value);
}

export function dateFromParts(year: number, month: number, day: number): LocalDate {
  assert(year >= localDateYearMin && year <= localDateYearMax, `year out of range: ${year}`);
  assert(month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month), 'invalid date parts');
  return `${year}-${pad2(month)}-${pad2(day)}` as LocalDate;
}

// Days since 1970-01-01 by H. Hinnant's civil calendar algorithms (proleptic Gregorian).
export function toEpochDay(date: LocalDate): number {
  const { year, month, day } = dateParts(date);
  return epochDayOf(year, month, day);
}

export function epochDayOf(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

export function fromEpochDay(epochDay: number): LocalDate {
  assert(Number.isSafeInteger(epochDay), 'fromEpochDay: not an integer');
  const z = epochDay + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return dateFromParts(year, month, day);
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return fromEpochDay(toEpochDay(date) + days);
}

/** Actual days from `start` to `end` (negative when `end` is earlier). */
export function daysBetween(start: LocalDate, end: LocalDate): number {
  return toEpochDay(end) - toEpochDay(start);
}

/**
 * Month arithmetic with the month-end rule: the result falls on `anchorDay` (default: the day of
 * `date`), or on the last day of the month when that month is shorter. Anchoring on the original
 * day keeps a 31st-of-the-month schedule on Jan 31, Feb 28, Mar 31 rather than drifting to the 28th.
 */
export function addMonths(date: LocalDate, months: number, anchorDay?: number): LocalDate {
  assert(Number.isInteger(months), 'addMonths: months must be an integer');
  const { year, month, day } = dateParts(date);
  const targetDay = anchorDay ?? day;
  assert(Number.isInteger(targetDay) && targetDay >= 1 && targetDay <= 31, 'addMonths: bad anchor day');
  const monthIndex = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(monthIndex / 12);
  const targetMonth = (monthIndex % 12) + 1;
  return dateFromParts(targetYear, targetMonth, Math.min(targetDay, daysInMonth(targetYear, targetMonth)));
}

export function compareDates(a: LocalDate, b: LocalDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function isLastDayOfMonth(date: LocalDate): boolean {
  const { year, month, day } = dateParts(date);
  return day === daysInMonth(year, month);
}
