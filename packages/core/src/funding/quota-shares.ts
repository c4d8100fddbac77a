import { assert } from '../assert.ts';
import { basisPointsTotal, splitByWeights } from './split.ts';

// Shares of a loan under a "by quota remaining" rule: each funder takes a share proportional to
// what is left of its quota, except that a funder with a minimum share (a bank co-lender: at least
// 30 % of every loan it co-funds, 2021 co-lending notice) is raised to that minimum, and the basis
// points it gains are taken from the others in proportion to their own remaining quota.

export type QuotaCandidate = {
  /** What is left of the funder's quota, in minor units; positive. */
  remainingMinor: bigint;
  /** The least share the funder may take of a loan it funds, in basis points (0 for no minimum). */
  minShareBp: number;
};

/**
 * The candidates' shares in basis points, summing to 10,000, in candidate order. The minimums
 * must sum to at most 10,000 (a rule with more bank minimums than a whole loan is refused when it
 * is saved). Raising a funder can push another below its own minimum, so this repeats until no
 * share is below its minimum; each round fixes at least one more funder, and at least one is
 * always left free (if every free funder fell short, their minimums would sum to more than the
 * basis points left for them), so it ends within one round per candidate.
 */
export function quotaSharesBp(candidates: readonly QuotaCandidate[]): number[] {
  assert(candidates.length > 0, 'no candidate funders');
  let minimums = 0;
  for (const candidate of candidates) {
    assert(candidate.remainingMinor > 0n, 'a candidate has no quota left');
    assert(
      Number.isInteger(candidate.minShareBp) && candidate.minShareBp >= 0,
      `a minimum share is not whole basis points (${candidate.minShareBp})`,
    );
    minimums += candidate.minShareBp;
  }
  assert(minimums <= basisPointsTotal, `the minimum shares sum to ${minimums} basis points`);
  const fixed = new Set<number>();
  for (;;) {
    const free = candidates.map((_, index) => index).filter((index) => !fixed.has(index));
    const freeBp =
      basisPointsTotal - [...fixed].reduce((sum, index) => sum + (candidates[index]?.minShareBp ?? 0), 0);
    const split = splitByWeights(
      BigInt(freeBp),
      free.map((index) => candidates[index]?.remainingMinor ?? 0n),
    );
    const shares = candidates.map((candidate, index) =>
      fixed.has(index) ? candidate.minShareBp : Number(split[free.indexOf(index)] ?? 0n),
    );
    const short = free.filter((index) => (shares[index] ?? 0) < (candidates[index]?.minShareBp ?? 0));
    if (short.length === 0) return shares;
    assert(short.length < free.length, 'every free funder fell below its minimum');
    for (const index of short) fixed.add(index);
  }
}
