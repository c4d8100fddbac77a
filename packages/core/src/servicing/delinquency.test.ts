import { describe, expect, it } from 'vitest';
import { AssertionError } from '../assert.ts';
import { localDate } from '../date/local-date.ts';
import { daysPastDue, delinquencyBucket } from './delinquency.ts';

describe('delinquencyBucket', () => {
  it.each([
    [0, 'M0'],
    [1, 'M1'],
    [30, 'M1'],
    [31, 'M2'],
    [60, 'M2'],
    [61, 'M3'],
    [90, 'M3'],
    [91, 'M4'],
    [120, 'M4'],
    [121, 'M5'],
    [150, 'M5'],
    [151, 'M6'],
    [180, 'M6'],
    [181, 'M7'],
    [10_000, 'M7'],
  ])('puts %i days past due in %s', (dpd, bucket) => {
    expect(delinquencyBucket(dpd)).toBe(bucket);
  });

  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses %d days as a bug', (dpd) => {
    expect(() => delinquencyBucket(dpd)).toThrow(AssertionError);
  });
});

describe('daysPastDue', () => {
  const due = localDate('2025-02-28');

  it('is 0 with nothing unpaid, before and on the due date', () => {
    expect(daysPastDue(undefined, localDate('2025-03-10'))).toBe(0);
    expect(daysPastDue(due, localDate('2025-02-01'))).toBe(0);
    expect(daysPastDue(due, due)).toBe(0);
  });

  it('counts calendar days from the due date: 1 the day after, 31 a month after', () => {
    expect(daysPastDue(due, localDate('2025-03-01'))).toBe(1);
    expect(daysPastDue(due, localDate('2025-03-31'))).toBe(31);
    expect(daysPastDue(localDate('2024-02-28'), localDate('2024-03-01'))).toBe(2);
  });
});
