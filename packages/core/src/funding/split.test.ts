import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quotaSharesBp } from './quota-shares.ts';
import { areSharesBp, basisPointsTotal, splitByShares, splitByWeights, splitComponents } from './split.ts';

/** Shares of 10,000 basis points over 1 to 8 funders, each at least 0. */
const sharesArb = fc
  .array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 8 })
  .filter((weights) => weights.some((w) => w > 0))
  .map((weights) => splitByWeights(10_000n, weights.map(BigInt)).map(Number));

const amountArb = fc.bigInt({ min: 0n, max: 999_999_999_999_999n });

describe('splitByShares', () => {
  it('splits 1,000.01 CNY 70/30 into 700.01 and 300.00: the odd fen goes to the larger remainder', () => {
    expect(splitByShares(100_001n, [7000, 3000])).toEqual([70_001n, 30_000n]);
  });

  it('gives a tied fen to the earlier funder: 0.01 CNY 50/50 is [0.01, 0]; 0.02 CNY in thirds is [0.01, 0.01, 0]', () => {
    expect(splitByShares(1n, [5000, 5000])).toEqual([1n, 0n]);
    expect(splitByShares(2n, [3334, 3333, 3333])).toEqual([1n, 1n, 0n]);
    expect(splitByShares(2n, [3333, 3333, 3334])).toEqual([1n, 0n, 1n]);
  });

  it('splits 100,000.00 CNY 40/35/25 exactly', () => {
    expect(splitByShares(10_000_000n, [4000, 3500, 2500])).toEqual([4_000_000n, 3_500_000n, 2_500_000n]);
  });

  it('gives a zero share nothing, even when fen are left over', () => {
    expect(splitByShares(3n, [0, 5000, 5000])).toEqual([0n, 2n, 1n]);
  });

  it('crashes on shares that do not sum to 10,000 or are not whole basis points (a bug of the caller)', () => {
    expect(() => splitByShares(100n, [5000, 4999])).toThrow('summing to 10000');
    expect(() => splitByShares(100n, [5000.5, 4999.5])).toThrow('summing to 10000');
    expect(() => splitByShares(100n, [])).toThrow('summing to 10000');
    expect(() => splitByShares(-1n, [10_000])).toThrow('negative');
  });

  it('property: the parts sum to the amount, each is within one fen of its exact share, and it is deterministic', () => {
    fc.assert(
      fc.property(amountArb, sharesArb, (amount, shares) => {
        const parts = splitByShares(amount, shares);
        expect(parts.reduce((a, b) => a + b, 0n)).toBe(amount);
        parts.forEach((part, index) => {
          // |part − amount × share / 10000| < 1, compared without division.
          const scaled = part * 10_000n - amount * BigInt(shares[index] ?? 0);
          expect(scaled > -10_000n && scaled < 10_000n).toBe(true);
          expect(part >= 0n).toBe(true);
        });
        expect(splitByShares(amount, shares)).toEqual(parts);
      }),
    );
  });

  it('property: a part with a larger share never gets less than one with a smaller share', () => {
    fc.assert(
      fc.property(amountArb, sharesArb, (amount, shares) => {
        const parts = splitByShares(amount, shares);
        for (let i = 0; i < shares.length; i++)
          for (let j = 0; j < shares.length; j++)
            if ((shares[i] ?? 0) > (shares[j] ?? 0)) expect((parts[i] ?? 0n) >= (parts[j] ?? 0n)).toBe(true);
      }),
    );
  });
});

describe('splitByWeights', () => {
  it('splits 0.10 CNY by remaining quotas 1 : 2 into 0.03 and 0.07', () => {
    expect(splitByWeights(10n, [1n, 2n])).toEqual([3n, 7n]);
  });

  it('crashes on weights that are negative or sum to zero', () => {
    expect(() => splitByWeights(10n, [0n, 0n])).toThrow('sum to zero');
    expect(() => splitByWeights(10n, [5n, -1n])).toThrow('negative');
  });

  it('property: splitting the sum of the weights by the weights gives back the weights exactly', () => {
    fc.assert(
      fc.property(
        fc.array(fc.bigInt({ min: 0n, max: 10n ** 12n }), { minLength: 1, maxLength: 8 }),
        (weights) => {
          fc.pre(weights.some((w) => w > 0n));
          const total = weights.reduce((a, b) => a + b, 0n);
          expect(splitByWeights(total, weights)).toEqual(weights);
        },
      ),
    );
  });
});

describe('splitComponents', () => {
  it('splits each component of a repayment by the funded principal, each exactly', () => {
    const parts = splitComponents({ principal: 100_001n, interest: 1_235n, fee: 0n }, [70_001n, 30_000n]);
    expect(parts).toEqual([
      { principal: 70_001n, interest: 865n, fee: 0n },
      { principal: 30_000n, interest: 370n, fee: 0n },
    ]);
  });
});

describe('quotaSharesBp', () => {
  it('splits by remaining quota: 600,000 and 400,000 left give 60 % and 40 %', () => {
    expect(
      quotaSharesBp([
        { remainingMinor: 60_000_000n, minShareBp: 0 },
        { remainingMinor: 40_000_000n, minShareBp: 0 },
      ]),
    ).toEqual([6000, 4000]);
  });

  it('raises a bank with little quota left to its 30 % minimum, taking the difference from the others', () => {
    expect(
      quotaSharesBp([
        { remainingMinor: 90_000_000n, minShareBp: 0 },
        { remainingMinor: 10_000_000n, minShareBp: 3000 },
      ]),
    ).toEqual([7000, 3000]);
    // Two pools (5 : 1) give up the 2,000 bp the bank gains in proportion to their own quota left.
    expect(
      quotaSharesBp([
        { remainingMinor: 75n, minShareBp: 0 },
        { remainingMinor: 15n, minShareBp: 0 },
        { remainingMinor: 10n, minShareBp: 3000 },
      ]),
    ).toEqual([5833, 1167, 3000]);
  });

  it('raises a second bank that raising the first pushed under its minimum', () => {
    // Proportional: 6000 / 1000 / 3000; bank 2 raised to 3000 leaves 7000 for 600 : 300 → 4667 / 2333,
    // so bank 3 is raised too and the pool keeps 4000.
    expect(
      quotaSharesBp([
        { remainingMinor: 600n, minShareBp: 0 },
        { remainingMinor: 100n, minShareBp: 3000 },
        { remainingMinor: 300n, minShareBp: 3000 },
      ]),
    ).toEqual([4000, 3000, 3000]);
  });

  it('property: the shares sum to 10,000 and none is below its minimum', () => {
    const candidate = fc.record({
      remainingMinor: fc.bigInt({ min: 1n, max: 10n ** 12n }),
      minShareBp: fc.constantFrom(0, 0, 3000, 3500),
    });
    fc.assert(
      fc.property(fc.array(candidate, { minLength: 1, maxLength: 6 }), (candidates) => {
        fc.pre(candidates.reduce((sum, c) => sum + c.minShareBp, 0) <= basisPointsTotal);
        const shares = quotaSharesBp(candidates);
        expect(areSharesBp(shares)).toBe(true);
        shares.forEach((share, index) => {
          expect(share).toBeGreaterThanOrEqual(candidates[index]?.minShareBp ?? 0);
        });
      }),
    );
  });
});
