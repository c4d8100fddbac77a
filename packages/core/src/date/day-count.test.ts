import { describe, expect, it } from 'vitest';
import { accrualDays, dayCountFraction } from './day-count.ts';
import { localDate } from './local-date.ts';

describe('day counts', () => {
  it('ACT/360 and ACT/365 count calendar days over 360 or 365', () => {
    const from = localDate('2025-01-15');
    const to = localDate('2025-04-15');
    expect(accrualDays(from, to, 'ACT_360')).toBe(90);
    expect(dayCountFraction(from, to, 'ACT_360')).toEqual({ num: 1n, den: 4n });
    expect(dayCountFraction(from, to, 'ACT_365')).toEqual({ num: 18n, den: 73n });
  });

  it('30/360 counts every whole month as 30 days, February and month ends included', () => {
    expect(accrualDays(localDate('2025-01-31'), localDate('2025-02-28'), '30_360')).toBe(30);
    expect(accrualDays(localDate('2025-02-28'), localDate('2025-03-31'), '30_360')).toBe(30);
    expect(accrualDays(localDate('2024-02-29'), localDate('2024-03-29'), '30_360')).toBe(29);
    expect(accrualDays(localDate('2025-01-15'), localDate('2026-01-15'), '30_360')).toBe(360);
    expect(accrualDays(localDate('2025-01-10'), localDate('2025-01-25'), '30_360')).toBe(15);
  });
});
