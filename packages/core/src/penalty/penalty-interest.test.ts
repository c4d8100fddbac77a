import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { localDate } from '../date/local-date.ts';
import type { PenaltyTerms } from './penalty-interest.ts';
import { penaltyInterest } from './penalty-interest.ts';

const terms: PenaltyTerms = {
  annualRate: new Decimal('0.18'),
  base: 'overdue_principal',
  dayCount: 'ACT_360',
  rounding: 'half_up',
  compounding: 'none',
};
const overdue = { principalMinor: 1_000_000n, interestMinor: 100_000n, feeMinor: 20_000n };
const due = localDate('2025-03-15');

describe('penaltyInterest', () => {
  it('is overdue principal × rate / 360 × days: 10,000.00 at 18 % for 30 days is 150.00', () => {
    expect(penaltyInterest(overdue, due, localDate('2025-04-14'), terms)).toBe(15_000n);
  });

  it('is nothing on or before the due date', () => {
    expect(penaltyInterest(overdue, due, due, terms)).toBe(0n);
    expect(penaltyInterest(overdue, due, localDate('2025-03-01'), terms)).toBe(0n);
  });

  it('can take the whole overdue installment as its base', () => {
    // 11,200.00 × 18 % × 30 / 360 = 168.00
    expect(
      penaltyInterest(overdue, due, localDate('2025-04-14'), { ...terms, base: 'overdue_installment' }),
    ).toBe(16_800n);
  });

  it('uses the day count: ACT/365 for 30 days is 147.95', () => {
    expect(penaltyInterest(overdue, due, localDate('2025-04-14'), { ...terms, dayCount: 'ACT_365' })).toBe(
      14_795n,
    );
  });

  it('compounds daily only when asked: 5.00 a day grows by the penalty on earlier penalty', () => {
    const daily = { ...terms, compounding: 'daily' } as const;
    // Day 1: 5.00; day 2: (10,005.00 × 0.05 %) = 5.0025 → 5.00; day 3: 10,010.00 × 0.05 % = 5.005 → 5.01.
    expect(penaltyInterest(overdue, due, localDate('2025-03-18'), daily)).toBe(1_501n);
    expect(penaltyInterest(overdue, due, localDate('2025-03-18'), terms)).toBe(1_500n);
  });
});
