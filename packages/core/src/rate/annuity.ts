import { assert } from '../assert.ts';
import type { RoundingMode } from '../money/rounding.ts';
import { divideRounded } from '../money/rounding.ts';
import type { Rational } from './rational.ts';

// The equal-installment (等额本息) payment is M = P · F with the annuity factor
// F = r(1+r)^n / ((1+r)^n − 1). With r = a/b exactly, F = a(a+b)^n / (b((a+b)^n − b^n)) is an exact
// fraction of big integers. Products share few rates, so F is computed once per (rate, n) and
// cached; each loan then needs only P · F rounded, which `roundedPayment` does on safe-integer
// Numbers (exact integer limbs, no float rounding) and falls back to bigint in the rare case where
// the truncated factor cannot decide the cent.

export interface AnnuityFactor {
  /** F = num / den exactly. */
  readonly num: bigint;
  readonly den: bigint;
  /** floor(F · 2^51) as two 26-bit limbs (high, low), or -1 when F ≥ 2 and limbs do not apply. */
  readonly limbHigh: number;
  readonly limbLow: number;
}

const limb = 2 ** 26;
const fractionBits = 51n;
const fractionOne = 2 ** 51;
const fractionHalf = 2 ** 50;

/** Principal above this (2^46 minor units, ~7 × 10^11 CNY) takes the bigint path. */
export const limbPrincipalMax = 2 ** 46;

export function annuityFactor(rate: Rational, periods: number): AnnuityFactor {
  assert(Number.isSafeInteger(periods) && periods >= 1, 'annuityFactor: periods must be ≥ 1');
  assert(rate.num >= 0n, 'annuityFactor: negative rate');
  const n = BigInt(periods);
  let num: bigint;
  let den: bigint;
  if (rate.num === 0n) {
    num = 1n;
    den = n;
  } else {
    const grown = (rate.num + rate.den) ** n;
    num = rate.num * grown;
    den = rate.den * (grown - rate.den ** n);
  }
  const scaled = (num << fractionBits) / den;
  const fits = scaled < 1n << 52n;
  return {
    num,
    den,
    limbHigh: fits ? Number(scaled >> 26n) : -1,
    limbLow: fits ? Number(scaled & BigInt(limb - 1)) : -1,
  };
}

/**
 * round(principal · F) exactly. `principal` is a non-negative safe integer. The truncated factor
 * G = floor(F · 2^51) gives P·F = I + (frac + δ) / 2^51 with 0 ≤ δ < P, so the rounding is decided
 * exactly unless frac lies within P of the rounding boundary; then the exact fraction decides.
 */
export function roundedPayment(principal: number, factor: AnnuityFactor, mode: RoundingMode): number {
  if (factor.limbHigh < 0 || principal >= limbPrincipalMax) return exactPayment(principal, factor, mode);
  const principalHigh = Math.floor(principal / limb);
  const principalLow = principal - principalHigh * limb;
  const low = principalLow * factor.limbLow;
  const lowCarry = Math.floor(low / limb);
  const lowDigit = low - lowCarry * limb;
  const mid = principalHigh * factor.limbLow + principalLow * factor.limbHigh + lowCarry;
  const midCarry = Math.floor(mid / limb);
  const midDigit = mid - midCarry * limb;
  const high = principalHigh * factor.limbHigh + midCarry;
  const midTop = Math.floor(midDigit / 2 ** 25);
  const whole = high * 2 + midTop;
  const frac = (midDigit - midTop * 2 ** 25) * limb + lowDigit;
  const fracMax = frac + principal;
  switch (mode) {
    case 'down':
      return fracMax <= fractionOne ? whole : exactPayment(principal, factor, mode);
    case 'up':
      return frac > 0 && fracMax <= fractionOne ? whole + 1 : exactPayment(principal, factor, mode);
    case 'half_up':
    case 'half_even':
      if (frac > fractionHalf) return whole + 1;
      return fracMax <= fractionHalf ? whole : exactPayment(principal, factor, mode);
  }
}

function exactPayment(principal: number, factor: AnnuityFactor, mode: RoundingMode): number {
  return Number(divideRounded(BigInt(principal) * factor.num, factor.den, mode));
}

/**
 * The level payment for periods with different rates r_i = num_i / den_i (actual-day interest):
 * M = P / Σ_j Π_{i≤j} 1/(1+r_i), as one exact fraction of big integers, rounded once.
 *
 * The sum is built from the last period backwards (Horner): with T_n = d_n and
 * T_j = d_j · (1 + T_{j+1}), d_i = den_i / (den_i + num_i), T_1 is the sum; as a fraction a/b each
 * step is a' = den_j · (a + b), b' = (den_j + num_j) · b. a and b come out as exactly the numerator
 * Σ_j Π_{i≤j} den_i · Π_{i>j} (den_i + num_i) and denominator Π (den_i + num_i) of the direct
 * formula, but every step multiplies a big integer by a small one, so 600 periods cost O(n²) digit
 * operations instead of n products of two big integers (a 600-period actual-day quote's schedule:
 * 20 ms → 2.4 ms).
 */
export function levelPayment(principal: bigint, rates: readonly Rational[], mode: RoundingMode): bigint {
  assert(rates.length >= 1, 'levelPayment: no periods');
  let sum = 0n;
  let grown = 1n;
  for (let i = rates.length - 1; i >= 0; i -= 1) {
    const rate = rates[i];
    assert(rate !== undefined, 'levelPayment: index');
    sum = rate.den * (sum + grown);
    grown *= rate.den + rate.num;
  }
  return divideRounded(principal * grown, sum, mode);
}
