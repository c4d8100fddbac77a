import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  daysBetween,
  fromEpochDay,
  localDate,
  parseLocalDate,
  toEpochDay,
} from './local-date.ts';

const dayMs = 86_400_000;

describe('LocalDate', () => {
  it('accepts real calendar dates only', () => {
    expect(parseLocalDate('2024-02-29')).toBe('2024-02-29');
    expect(parseLocalDate('2025-02-29')).toBeUndefined();
    expect(parseLocalDate('2100-02-29')).toBeUndefined();
    expect(parseLocalDate('2000-02-29')).toBe('2000-02-29');
    expect(parseLocalDate('2025-04-31')).toBeUndefined();
    expect(parseLocalDate('2025-13-01')).toBeUndefined();
    expect(parseLocalDate('2025-1-01')).toBeUndefined();
    expect(parseLocalDate('2025-01-01T00:00')).toBeUndefined();
    expect(parseLocalDate('1899-12-31')).toBeUndefined();
  });

  it('counts epoch days exactly as the proleptic Gregorian calendar (Date.UTC as the oracle)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1900, 0, 1) / dayMs, max: Date.UTC(9999, 11, 31) / dayMs }),
        (epochDay) => {
          const date = fromEpochDay(epochDay);
          expect(date).toBe(new Date(epochDay * dayMs).toISOString().slice(0, 10));
          expect(toEpochDay(date)).toBe(epochDay);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('adds and counts days across month, year and leap boundaries', () => {
    expect(addDays(localDate('2024-02-28'), 1)).toBe('2024-02-29');
    expect(addDays(localDate('2025-02-28'), 1)).toBe('2025-03-01');
    expect(addDays(localDate('2025-12-31'), 1)).toBe('2026-01-01');
    expect(daysBetween(localDate('2025-01-01'), localDate('2026-01-01'))).toBe(365);
    expect(daysBetween(localDate('2024-01-01'), localDate('2025-01-01'))).toBe(366);
    expect(daysBetween(localDate('2025-03-10'), localDate('2025-03-01'))).toBe(-9);
  });
});

describe('addMonths', () => {
  it('puts a due day of 31 on the last day of shorter months and back on the 31st after', () => {
    const start = localDate('2025-01-31');
    expect([1, 2, 3, 4, 13].map((months) => addMonths(start, months))).toEqual([
      '2025-02-28',
      '2025-03-31',
      '2025-04-30',
      '2025-05-31',
      '2026-02-28',
    ]);
    expect(addMonths(localDate('2024-01-31'), 1)).toBe('2024-02-29');
  });

  it('anchors on a given due day rather than the day of the date', () => {
    expect(addMonths(localDate('2025-02-28'), 1, 31)).toBe('2025-03-31');
    expect(addMonths(localDate('2025-02-28'), 1)).toBe('2025-03-28');
  });

  it('crosses year ends in both directions', () => {
    expect(addMonths(localDate('2025-11-15'), 3)).toBe('2026-02-15');
    expect(addMonths(localDate('2025-01-15'), -1)).toBe('2024-12-15');
    expect(addMonths(localDate('2025-03-31'), -1)).toBe('2025-02-28');
  });
});
