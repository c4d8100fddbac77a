import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { divideRounded } from '../money/rounding.ts';
import { roundingArb } from '../testing/arbitraries.ts';
import { annuityFactor, levelPayment, limbPrincipalMax, roundedPayment } from './annuity.ts';
import { rational } from './rational.ts';

const exact = (
  principal: number,
  num: bigint,
  den: bigint,
  periods: number,
  mode: 'half_up' | 'half_even' | 'down' | 'up',
) => {
  const factor = annuityFactor(rational(num, den), periods);
  return Number(divideRounded(BigInt(principal) * factor.num, factor.den, mode));
};

describe('annuityFactor', () => {
  it('is r(1+r)^n / ((1+r)^n − 1) exactly: 1 % over 2 periods is 1.0201 / 2.01 × 1 %', () => {
    const factor = annuityFactor(rational(1n, 100n), 2);
    // 0.01 · 1.01² / (1.01² − 1) = 0.010201 / 0.0201
    expect(factor.num * 201n * 100n).toBe(factor.den * 10_201n);
  });

  it('is 1/n at a zero rate', () => {
    const factor = annuityFactor(rational(0n, 1n), 12);
    expect(factor.num * 12n).toBe(factor.den);
  });
});

describe('roundedPayment', () => {
  it('gives 1204.23 for 40,000.00 at 5.30 % over 36 months', () => {
    expect(roundedPayment(4_000_000, annuityFactor(rational(53n, 12_000n), 36), 'half_up')).toBe(120_423);
  });

  it('equals the exact big-integer rounding for random loans and every mode', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 46 - 1 }),
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.constantFrom(12_000_000n, 26_000_000n, 52_000_000n, 36_500_000n, 1_000_000n),
        fc.integer({ min: 1, max: 360 }),
        roundingArb,
        (principal, num, den, periods, mode) => {
          const factor = annuityFactor(rational(BigInt(num), den), periods);
          expect(roundedPayment(principal, factor, mode)).toBe(
            exact(principal, BigInt(num), den, periods, mode),
          );
        },
      ),
      { numRuns: 8_000 },
    );
  });

  it('decides exact ties by the rounding mode (zero rate, odd principal over two periods)', () => {
    const half = annuityFactor(rational(0n, 1n), 2);
    expect(roundedPayment(5, half, 'half_up')).toBe(3);
    expect(roundedPayment(5, half, 'half_even')).toBe(2);
    expect(roundedPayment(7, half, 'half_even')).toBe(4);
    expect(roundedPayment(5, half, 'down')).toBe(2);
    expect(roundedPayment(5, half, 'up')).toBe(3);
    expect(roundedPayment(4, half, 'up')).toBe(2);
  });

  it('falls back to bigint for huge principals and factors of 2 or more', () => {
    const factor = annuityFactor(rational(53n, 12_000n), 36);
    const huge = limbPrincipalMax + 12_345;
    expect(roundedPayment(huge, factor, 'half_up')).toBe(exact(huge, 53n, 12_000n, 36, 'half_up'));
    const steep = annuityFactor(rational(3n, 2n), 1);
    expect(steep.limbHigh).toBe(-1);
    expect(roundedPayment(1000, steep, 'half_up')).toBe(2500);
  });
});

describe('levelPayment', () => {
  it('matches the annuity formula when every period has the same rate', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 12n }),
        fc.integer({ min: 0, max: 5000 }),
        fc.integer({ min: 1, max: 120 }),
        roundingArb,
        (principal, bp, periods, mode) => {
          const rate = rational(BigInt(bp), 120_000n);
          const factor = annuityFactor(rate, periods);
          const rates = Array.from({ length: periods }, () => rate);
          expect(levelPayment(principal, rates, mode)).toBe(
            divideRounded(principal * factor.num, factor.den, mode),
          );
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('equals P / Σ_j Π_{i≤j} 1/(1+r_i) computed directly, for periods of different rates', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10n ** 15n }),
        fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 40 }),
        roundingArb,
        (principal, days, mode) => {
          // ACT/365 at 18.25 %: period rate = 1825 × days / 3,650,000.
          const rates = days.map((d) => rational(1825n * BigInt(d), 3_650_000n));
          let discount = { num: 1n, den: 1n };
          let sum = { num: 0n, den: 1n };
          for (const rate of rates) {
            discount = { num: discount.num * rate.den, den: discount.den * (rate.den + rate.num) };
            sum = { num: sum.num * discount.den + discount.num * sum.den, den: sum.den * discount.den };
          }
          expect(levelPayment(principal, rates, mode)).toBe(
            divideRounded(principal * sum.den, sum.num, mode),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('pays off a loan with different period rates exactly before rounding', () => {
    // 1,000.00 over periods of 31 and 28 days at 36 % ACT/360: M = P / (v1 + v1·v2) = 26,496,700 / 507
    // fen = 52,261.7357… fen exactly.
    const rates = [rational(31n * 36n, 36_000n), rational(28n * 36n, 36_000n)];
    expect(levelPayment(100_000n, rates, 'half_up')).toBe(52_262n);
    expect(levelPayment(100_000n, rates, 'down')).toBe(52_261n);
  });
});
