import { assert } from '../assert.ts';
import type { RoundingMode } from '../money/rounding.ts';
import {
  divideRounded,
  divideRoundedSafe,
  floorDivideSafe,
  hasEvenTies,
  roundingOffset,
} from '../money/rounding.ts';
import type { PeriodicRate } from '../rate/periodic-rate.ts';
import type { Rational } from '../rate/rational.ts';
import type { Amounts, SafeAmounts } from './amounts.ts';

// 等额本金: principal P/n each period (rounded by the product's mode), the last installment takes
// what is left of the principal; interest is the outstanding balance × the period rate, rounded
// per period. The same split, at a zero rate, is the principal of 等本等息 and of 随借随还 plans.

/** The fast kernel; undefined outside the exact-Number envelope, null when P is too small to split. */
export function equalPrincipalSafe(
  principal: number,
  rate: PeriodicRate,
  periods: number,
  mode: RoundingMode,
): SafeAmounts | null | undefined {
  const a = rate.numSafe;
  const b = rate.denSafe;
  if (a < 0 || principal * a + b > Number.MAX_SAFE_INTEGER) return undefined;
  const part = divideRoundedSafe(principal, periods, mode);
  if (part * (periods - 1) > principal) return null;
  const reciprocal = rate.reciprocal;
  const offset = roundingOffset(b, mode);
  const evenTies = hasEvenTies(b, mode);
  const principalParts: number[] = [];
  const interestParts: number[] = [];
  const balances: number[] = [];
  let balance = principal;
  for (let k = 1; k <= periods; k += 1) {
    const shifted = balance * a + offset;
    let interest = floorDivideSafe(shifted, b, reciprocal);
    if (evenTies && shifted === interest * b && interest % 2 === 1) interest -= 1;
    const paid = k === periods ? balance : part;
    balance -= paid;
    principalParts.push(paid);
    interestParts.push(interest);
    balances.push(balance);
  }
  return {
    paymentMinor: 0,
    principalMinor: principalParts,
    interestMinor: interestParts,
    balanceMinor: balances,
  };
}

/** The general engine on bigint with a rate per period. */
export function equalPrincipal(
  principal: bigint,
  rates: readonly Rational[],
  mode: RoundingMode,
): Amounts | null {
  assert(rates.length >= 1, 'equalPrincipal: no periods');
  const periods = BigInt(rates.length);
  const part = divideRounded(principal, periods, mode);
  if (part * (periods - 1n) > principal) return null;
  const principalParts: bigint[] = [];
  const interestParts: bigint[] = [];
  let balance = principal;
  for (let k = 0; k < rates.length; k += 1) {
    const rate = rates[k];
    assert(rate !== undefined, 'equalPrincipal: index');
    interestParts.push(divideRounded(balance * rate.num, rate.den, mode));
    const paid = k === rates.length - 1 ? balance : part;
    principalParts.push(paid);
    balance -= paid;
  }
  return { paymentMinor: undefined, principalMinor: principalParts, interestMinor: interestParts };
}
