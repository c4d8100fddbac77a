import { describe, expect, it } from 'vitest';
import { rational } from '../rate/rational.ts';
import { formatFrequency, parseFrequency, periodsPerYear, perPeriodRate } from './frequency.ts';

describe('frequency', () => {
  it('parses the four forms and nothing else', () => {
    expect(parseFrequency('monthly')).toEqual({ kind: 'monthly' });
    expect(parseFrequency('biweekly')).toEqual({ kind: 'biweekly' });
    expect(parseFrequency('weekly')).toEqual({ kind: 'weekly' });
    expect(parseFrequency('days:30')).toEqual({ kind: 'days', days: 30 });
    for (const text of ['days:0', 'days:367', 'days:07', 'days:', 'Monthly', 'yearly', 'days:1.5']) {
      expect(parseFrequency(text)).toBeUndefined();
    }
    expect(formatFrequency({ kind: 'days', days: 14 })).toBe('days:14');
  });

  it('derives the per-period rate as an exact fraction', () => {
    const annual = rational(53n, 1000n);
    expect(perPeriodRate(annual, { kind: 'monthly' }, 'ACT_360')).toEqual({ num: 53n, den: 12_000n });
    expect(perPeriodRate(annual, { kind: 'biweekly' }, 'ACT_360')).toEqual({ num: 53n, den: 26_000n });
    expect(perPeriodRate(annual, { kind: 'weekly' }, 'ACT_365')).toEqual({ num: 53n, den: 52_000n });
    expect(perPeriodRate(annual, { kind: 'days', days: 30 }, 'ACT_360')).toEqual({ num: 53n, den: 12_000n });
    expect(perPeriodRate(annual, { kind: 'days', days: 30 }, 'ACT_365')).toEqual({ num: 159n, den: 36_500n });
  });

  it('annualises N-day periods over a 365-day year', () => {
    expect(periodsPerYear({ kind: 'monthly' })).toEqual({ num: 12n, den: 1n });
    expect(periodsPerYear({ kind: 'days', days: 30 })).toEqual({ num: 73n, den: 6n });
  });
});
