import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { localDate } from '../date/local-date.ts';
import { dueDates, hasRegularDates, loanPeriods } from './periods.ts';
import type { LoanTermsInput } from './terms.ts';
import { loanTerms } from './terms.ts';

const terms = (input: Partial<LoanTermsInput>) =>
  loanTerms({
    method: 'equal_installment',
    principalMinor: 100_000n,
    termCount: 4,
    startDate: localDate('2025-01-15'),
    annualRate: new Decimal('0.12'),
    ...input,
  });

describe('due dates', () => {
  it('falls monthly on the start day, keeping the 31st after a short month', () => {
    const t = terms({ startDate: localDate('2025-01-31') });
    expect(dueDates(t)).toEqual(['2025-02-28', '2025-03-31', '2025-04-30', '2025-05-31']);
    expect(hasRegularDates(t)).toBe(true);
  });

  it('derives the first due date from a due day: that day of the month after the start month', () => {
    const short = terms({ startDate: localDate('2025-01-20'), dueDay: 5 });
    expect(dueDates(short)).toEqual(['2025-02-05', '2025-03-05', '2025-04-05', '2025-05-05']);
    expect(hasRegularDates(short)).toBe(false);
    const monthEnd = terms({ startDate: localDate('2025-01-10'), dueDay: 31 });
    expect(dueDates(monthEnd)).toEqual(['2025-02-28', '2025-03-31', '2025-04-30', '2025-05-31']);
    const december = terms({ startDate: localDate('2025-12-10'), dueDay: 1, termCount: 2 });
    expect(dueDates(december)).toEqual(['2026-01-01', '2026-02-01']);
  });

  it('follows a given first due date for a long first period', () => {
    const t = terms({ firstDueDate: localDate('2025-03-01') });
    expect(dueDates(t)).toEqual(['2025-03-01', '2025-04-01', '2025-05-01', '2025-06-01']);
    const periods = loanPeriods(t);
    expect(periods.map((p) => p.days)).toEqual([45, 31, 30, 31]);
  });

  it('steps fixed days for weekly, biweekly and N-day frequencies, from a given first date too', () => {
    expect(dueDates(terms({ frequency: { kind: 'weekly' }, termCount: 2 }))).toEqual([
      '2025-01-22',
      '2025-01-29',
    ]);
    expect(dueDates(terms({ frequency: { kind: 'biweekly' }, termCount: 2 }))).toEqual([
      '2025-01-29',
      '2025-02-12',
    ]);
    expect(dueDates(terms({ frequency: { kind: 'days', days: 30 }, termCount: 2 }))).toEqual([
      '2025-02-14',
      '2025-03-16',
    ]);
    const broken = terms({
      frequency: { kind: 'weekly' },
      termCount: 2,
      firstDueDate: localDate('2025-01-20'),
    });
    expect(dueDates(broken)).toEqual(['2025-01-20', '2025-01-27']);
    expect(hasRegularDates(broken)).toBe(false);
  });
});

describe('period rates', () => {
  it('is annual / 12 for every month with per_period interest, whatever the month length', () => {
    const periods = loanPeriods(terms({ termCount: 2 }));
    expect(periods.map((p) => p.rate)).toEqual([
      { num: 1n, den: 100n },
      { num: 1n, den: 100n },
    ]);
  });

  it('is days × annual / basis with daily interest', () => {
    const periods = loanPeriods(terms({ termCount: 2, interestPeriod: 'daily' }));
    // Jan 15 → Feb 15: 31 days × 12 % / 360; Feb 15 → Mar 15: 28 days.
    expect(periods.map((p) => p.rate)).toEqual([
      { num: 31n, den: 3000n },
      { num: 7n, den: 750n },
    ]);
  });
});
