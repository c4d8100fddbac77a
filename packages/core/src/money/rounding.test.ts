import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { roundingArb } from '../testing/arbitraries.ts';
import { divideRounded, divideRoundedSafe } from './rounding.ts';

describe('divideRounded', () => {
  it('rounds a half away from zero with half_up', () => {
    expect(divideRounded(25n, 10n, 'half_up')).toBe(3n);
    expect(divideRounded(-25n, 10n, 'half_up')).toBe(-3n);
    expect(divideRounded(24n, 10n, 'half_up')).toBe(2n);
  });

  it('sends a half to the even neighbour with half_even', () => {
    expect(divideRounded(25n, 10n, 'half_even')).toBe(2n);
    expect(divideRounded(35n, 10n, 'half_even')).toBe(4n);
    expect(divideRounded(26n, 10n, 'half_even')).toBe(3n);
    expect(divideRounded(-25n, 10n, 'half_even')).toBe(-2n);
  });

  it('truncates toward zero with down and rounds away from zero with up', () => {
    expect(divideRounded(29n, 10n, 'down')).toBe(2n);
    expect(divideRounded(-29n, 10n, 'down')).toBe(-2n);
    expect(divideRounded(21n, 10n, 'up')).toBe(3n);
    expect(divideRounded(-21n, 10n, 'up')).toBe(-3n);
    expect(divideRounded(20n, 10n, 'up')).toBe(2n);
  });

  it('rounds 40000.00 × 0.053 / 12 to 176.67, the first interest of the public 5.30 % example', () => {
    expect(divideRounded(4_000_000n * 53n, 12_000n, 'half_up')).toBe(17_667n);
  });

  it('crashes on a non-positive denominator, which only a bug can produce', () => {
    expect(() => divideRounded(1n, 0n, 'half_up')).toThrow('denominator must be positive');
  });
});

describe('divideRoundedSafe', () => {
  it('agrees with the bigint division on every safe-integer input', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 2 ** 52 }),
        roundingArb,
        (denominator, numerator, mode) => {
          const expected = divideRounded(BigInt(numerator), BigInt(denominator), mode);
          expect(divideRoundedSafe(numerator, denominator, mode)).toBe(Number(expected));
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('corrects a reciprocal quotient that lands one off, a hair below or above an integer', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 2 ** 26 }),
        fc.integer({ min: 1, max: 2 ** 26 }),
        fc.integer({ min: -1, max: 1 }),
        roundingArb,
        (denominator, quotient, nudge, mode) => {
          const numerator = denominator * quotient + nudge;
          fc.pre(numerator >= 0);
          const expected = divideRounded(BigInt(numerator), BigInt(denominator), mode);
          expect(divideRoundedSafe(numerator, denominator, mode)).toBe(Number(expected));
        },
      ),
      { numRuns: 20_000 },
    );
  });

  it('stays exact when the quotient sits a hair below an integer at the top of the safe range', () => {
    const denominator = 9_007_199;
    const numerator = denominator * 999_999_999 - 1;
    expect(divideRoundedSafe(numerator, denominator, 'down')).toBe(999_999_998);
    expect(divideRoundedSafe(numerator, denominator, 'half_up')).toBe(999_999_999);
  });
});
