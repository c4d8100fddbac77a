import { assert } from '../assert.ts';
import type { RoundingMode } from '../money/rounding.ts';
import { divideRounded } from '../money/rounding.ts';
import type { Rational } from '../rate/rational.ts';
import type { Amounts } from './amounts.ts';

// 先息后本: each period pays the interest on the full principal; the principal comes back with the
// last installment. A bullet loan (一次性还本付息) is the one-period case of the same rule, with the
// period's rate = annual × days / basis.

export function interestFirst(principal: bigint, rates: readonly Rational[], mode: RoundingMode): Amounts {
  assert(rates.length >= 1, 'interestFirst: no periods');
  const interestParts = rates.map((rate) => divideRounded(principal * rate.num, rate.den, mode));
  const principalParts = rates.map((_, k) => (k === rates.length - 1 ? principal : 0n));
  return { paymentMinor: undefined, principalMinor: principalParts, interestMinor: interestParts };
}
