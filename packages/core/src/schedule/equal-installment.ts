import { assert } from '../assert.ts';
import type { RoundingMode } from '../money/rounding.ts';
import {
  divideRounded,
  divideRoundedSafe,
  floorDivideSafe,
  hasEvenTies,
  roundingOffset,
} from '../money/rounding.ts';
import { levelPayment, roundedPayment } from '../rate/annuity.ts';
import type { PeriodicRate } from '../rate/periodic-rate.ts';
import { annuityFactorFor } from '../rate/periodic-rate.ts';
import type { Rational } from '../rate/rational.ts';
import type { Amounts, RemainderPolicy, SafeAmounts } from './amounts.ts';

// 等额本息: a level payment M; each period's interest is the balance × the period rate, rounded on
// its own, and the rest of M repays principal. The last installment settles the rounding:
//   last_principal — its principal is the whole remaining balance, so its total differs from M;
//   last_interest  — its interest is M − remaining balance, so every payment equals M and total
//                    interest is exactly n·M − P (how Chinese bank calculators publish totals).
// last_interest never invents or refunds interest: at a zero rate there is no interest for the
// remainder to go into, and if accumulated rounding leaves a balance above M (low rates, long terms)
// the last installment falls back to last_principal with its own interest.

/**
 * The fast kernel for a uniform periodic rate on safe-integer Numbers. Returns undefined when the
 * loan is outside the exact-Number envelope (the caller then uses the bigint engine) and null when
 * the principal is too small to split (a balance would go negative).
 */
export function equalInstallmentSafe(
  principal: number,
  rate: PeriodicRate,
  periods: number,
  mode: RoundingMode,
  remainder: RemainderPolicy,
): SafeAmounts | null | undefined {
  const a = rate.numSafe;
  const b = rate.denSafe;
  if (a < 0 || principal * a + b > Number.MAX_SAFE_INTEGER) return undefined;
  const reciprocal = rate.reciprocal;
  const offset = roundingOffset(b, mode);
  const evenTies = hasEvenTies(b, mode);
  const payment = roundedPayment(principal, annuityFactorFor(rate, periods), mode);
  const principalParts: number[] = [];
  const interestParts: number[] = [];
  const balances: number[] = [];
  let balance = principal;
  // Interest is round(balance × a / b) = floor((balance × a + offset) / b), exactly (see rounding.ts).
  // No check inside the loop: every part is ≥ 0 while the balance is (M ≥ round(P·r)), and once
  // negative the balance only falls, so the balance left for the last installment tells all.
  for (let k = 1; k < periods; k += 1) {
    const shifted = balance * a + offset;
    let interest = floorDivideSafe(shifted, b, reciprocal);
    if (evenTies && shifted === interest * b && interest % 2 === 1) interest -= 1;
    const part = payment - interest;
    balance -= part;
    principalParts.push(part);
    interestParts.push(interest);
    balances.push(balance);
  }
  if (balance < 0) return null;
  const lastInterest = divideRoundedSafe(balance * a, b, mode);
  const levelInterest = payment - balance;
  const level = remainder === 'last_interest' && a !== 0 && levelInterest >= 0;
  principalParts.push(balance);
  interestParts.push(level ? levelInterest : lastInterest);
  balances.push(0);
  return {
    paymentMinor: payment,
    principalMinor: principalParts,
    interestMinor: interestParts,
    balanceMinor: balances,
  };
}

/**
 * The general engine: any period rates (actual-day interest gives each period its own), bigint
 * throughout. Returns null when the principal is too small to split.
 */
export function equalInstallment(
  principal: bigint,
  rates: readonly Rational[],
  mode: RoundingMode,
  remainder: RemainderPolicy,
): Amounts | null {
  assert(rates.length >= 1, 'equalInstallment: no periods');
  const payment = levelPayment(principal, rates, mode);
  const principalParts: bigint[] = [];
  const interestParts: bigint[] = [];
  let balance = principal;
  for (let k = 0; k < rates.length; k += 1) {
    const rate = rates[k];
    assert(rate !== undefined, 'equalInstallment: index');
    const interest = divideRounded(balance * rate.num, rate.den, mode);
    if (k === rates.length - 1) {
      const levelInterest = payment - balance;
      principalParts.push(balance);
      const level = remainder === 'last_interest' && rate.num !== 0n && levelInterest >= 0n;
      interestParts.push(level ? levelInterest : interest);
      break;
    }
    const part = payment - interest;
    balance -= part;
    if (balance < 0n || part < 0n) return null;
    principalParts.push(part);
    interestParts.push(interest);
  }
  return { paymentMinor: payment, principalMinor: principalParts, interestMinor: interestParts };
}
