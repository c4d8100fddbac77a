import type { Rational } from '../rate/rational.ts';
import { rational } from '../rate/rational.ts';
import type { DayCount } from './day-count.ts';
import { basisDays, dayCounts } from './day-count.ts';

// How often installments fall due. Monthly steps follow the calendar (month-end rule); the others
// are fixed numbers of days.

export type Frequency =
  | { readonly kind: 'monthly' }
  | { readonly kind: 'biweekly' }
  | { readonly kind: 'weekly' }
  | { readonly kind: 'days'; readonly days: number };

export const frequencyDaysMax = 366;

export function parseFrequency(text: string): Frequency | undefined {
  if (text === 'monthly' || text === 'biweekly' || text === 'weekly') return { kind: text };
  const match = /^days:([1-9]\d{0,2})$/.exec(text);
  if (match === null) return undefined;
  const days = Number(match[1]);
  return days <= frequencyDaysMax ? { kind: 'days', days } : undefined;
}

export function formatFrequency(frequency: Frequency): string {
  return frequency.kind === 'days' ? `days:${frequency.days}` : frequency.kind;
}

/** Length of one period in days, or undefined for calendar months. */
export function stepDays(frequency: Frequency): number | undefined {
  switch (frequency.kind) {
    case 'monthly':
      return undefined;
    case 'biweekly':
      return 14;
    case 'weekly':
      return 7;
    case 'days':
      return frequency.days;
  }
}

/**
 * Periods per year for annualising a periodic rate (PBOC 2021 No. 3 disclosure): 12, 26, 52, and
 * 365 / N for an N-day period (a calendar year, as XIRR uses).
 */
export function periodsPerYear(frequency: Frequency): Rational {
  switch (frequency.kind) {
    case 'monthly':
      return rational(12n, 1n);
    case 'biweekly':
      return rational(26n, 1n);
    case 'weekly':
      return rational(52n, 1n);
    case 'days':
      return rational(365n, BigInt(frequency.days));
  }
}

/**
 * The periodic rate of the `per_period` interest rule: annual / 12, / 26, / 52, and for N-day
 * periods annual × N / basis days (the product's day count decides 360 or 365).
 */
export function perPeriodRate(annual: Rational, frequency: Frequency, dayCount: DayCount): Rational {
  // Derived once per product rate: every loan of the product hands in the same annual fraction.
  let byKey = perPeriodCache.get(annual);
  if (byKey === undefined) {
    byKey = new Map();
    perPeriodCache.set(annual, byKey);
  }
  // Only N-day periods depend on the day count; the key avoids building a string per loan.
  const key = frequency.kind === 'days' ? frequency.days * 4 + dayCounts.indexOf(dayCount) : frequency.kind;
  const cached = byKey.get(key);
  if (cached !== undefined) return cached;
  const derived = derivePerPeriodRate(annual, frequency, dayCount);
  byKey.set(key, derived);
  return derived;
}

const perPeriodCache = new WeakMap<Rational, Map<string | number, Rational>>();

function derivePerPeriodRate(annual: Rational, frequency: Frequency, dayCount: DayCount): Rational {
  switch (frequency.kind) {
    case 'monthly':
      return rational(annual.num, annual.den * 12n);
    case 'biweekly':
      return rational(annual.num, annual.den * 26n);
    case 'weekly':
      return rational(annual.num, annual.den * 52n);
    case 'days':
      return rational(annual.num * BigInt(frequency.days), annual.den * BigInt(basisDays(dayCount)));
  }
}
