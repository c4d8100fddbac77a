import { assert } from '../assert.ts';

// Splitting an amount between funders, exactly to the minor unit. The largest-remainder method
// (dinero.js `distribute`, Hamilton's method): every part gets the floor of its exact share, and
// the minor units left over go one each to the parts with the largest remainders — ties to the
// earlier part — so the parts always sum to the amount, each is within one minor unit of its exact
// share, and the same input always gives the same split.

/** 100 % in basis points: shares of a loan are whole basis points that sum to this. */
export const basisPointsTotal = 10_000;

/**
 * `amountMinor` split in proportion to `weights` (any non-negative integers with a positive sum:
 * basis points, remaining quotas, funded principal). A zero weight always gets zero.
 */
export function splitByWeights(amountMinor: bigint, weights: readonly bigint[]): bigint[] {
  assert(amountMinor >= 0n, `cannot split a negative amount (${amountMinor})`);
  assert(weights.length > 0, 'cannot split between no parts');
  let total = 0n;
  for (const weight of weights) {
    assert(weight >= 0n, `a weight is negative (${weight})`);
    total += weight;
  }
  assert(total > 0n, 'the weights sum to zero');
  const parts = weights.map((weight) => (amountMinor * weight) / total);
  const remainders = weights.map((weight) => (amountMinor * weight) % total);
  let left = amountMinor - parts.reduce((sum, part) => sum + part, 0n);
  // The remainders sum to `left × total` and each is below `total`, so at least `left` of them are
  // positive: a zero weight (remainder 0) is never handed a leftover unit.
  const order = remainders
    .map((remainder, index) => ({ remainder, index }))
    .sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const { index } of order) {
    if (left === 0n) break;
    parts[index] = (parts[index] ?? 0n) + 1n;
    left -= 1n;
  }
  assert(left === 0n, 'largest remainder left units over');
  return parts;
}

/** Whether every share is a whole number of basis points from 0 to 10,000 and they sum to 10,000. */
export function areSharesBp(sharesBp: readonly number[]): boolean {
  return (
    sharesBp.length > 0 &&
    sharesBp.every((share) => Number.isInteger(share) && share >= 0 && share <= basisPointsTotal) &&
    sharesBp.reduce((sum, share) => sum + share, 0) === basisPointsTotal
  );
}

/**
 * `amountMinor` split by shares in basis points (summing to 10,000): a loan's principal between
 * its funders. Shares that do not sum to 10,000 are a bug of the caller (funding rules are checked
 * when they are saved), so they crash here rather than lose or invent money.
 */
export function splitByShares(amountMinor: bigint, sharesBp: readonly number[]): bigint[] {
  assert(
    areSharesBp(sharesBp),
    `shares must be whole basis points summing to 10000 (${sharesBp.join(', ')})`,
  );
  return splitByWeights(
    amountMinor,
    sharesBp.map((share) => BigInt(share)),
  );
}

/**
 * Every component of a payment (principal, interest, fee, penalty, …) split by the same weights,
 * each component exactly: part `i` of the result holds funder `i`'s amount of every component.
 */
export function splitComponents<K extends string>(
  amounts: Readonly<Record<K, bigint>>,
  weights: readonly bigint[],
): Record<K, bigint>[] {
  const parts = weights.map(() => ({}) as Record<K, bigint>);
  for (const component of Object.keys(amounts) as K[]) {
    const split = splitByWeights(amounts[component], weights);
    split.forEach((amount, index) => {
      const part = parts[index];
      if (part !== undefined) part[component] = amount;
    });
  }
  return parts;
}
