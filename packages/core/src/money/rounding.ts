import { assert } from '../assert.ts';

// Every division that lands on money goes through one of these functions with the product's
// rounding mode named explicitly (docs/architecture.md invariant 1: every rounding is explicit).
// Modes are sign-symmetric: `half_up` rounds a half away from zero, `down` truncates toward zero,
// `up` rounds away from zero, `half_even` sends a half to the even neighbour (banker's rounding).

export const roundingModes = ['half_up', 'half_even', 'down', 'up'] as const;
export type RoundingMode = (typeof roundingModes)[number];

export function isRoundingMode(value: string): value is RoundingMode {
  return (roundingModes as readonly string[]).includes(value);
}

/** `numerator / denominator` rounded to an integer; exact for any size. */
export function divideRounded(numerator: bigint, denominator: bigint, mode: RoundingMode): bigint {
  assert(denominator > 0n, 'divideRounded: denominator must be positive');
  if (numerator < 0n) return -divideRounded(-numerator, denominator, mode);
  const quotient = numerator / denominator;
  const remainder = numerator - quotient * denominator;
  return remainder === 0n
    ? quotient
    : quotient + (roundsUp(remainder, denominator, quotient, mode) ? 1n : 0n);
}

function roundsUp(remainder: bigint, denominator: bigint, quotient: bigint, mode: RoundingMode): boolean {
  switch (mode) {
    case 'down':
      return false;
    case 'up':
      return true;
    case 'half_up':
      return remainder * 2n >= denominator;
    case 'half_even': {
      const twice = remainder * 2n;
      return twice > denominator || (twice === denominator && quotient % 2n === 1n);
    }
  }
}

/**
 * floor(numerator / denominator) on Numbers holding exact integers, for
 * |numerator| + denominator ≤ 2^53 − 1 and `reciprocal` = 1 / denominator. The multiplication
 * (cheaper than a division) proposes the quotient; its relative error of at most 2^-52 on a
 * quotient below 2^52 leaves it off by at most one, and the exact integer remainder corrects it.
 * The float proposes; integer arithmetic decides.
 */
export function floorDivideSafe(numerator: number, denominator: number, reciprocal: number): number {
  const quotient = Math.floor(numerator * reciprocal);
  const remainder = numerator - quotient * denominator;
  return remainder < 0 ? quotient - 1 : remainder >= denominator ? quotient + 1 : quotient;
}

/**
 * Every mode rounds x / d as floor((x + offset) / d): down adds 0, up adds d − 1, half_up and
 * half_even add ⌊d/2⌋ (half_even then steps an exact tie on an odd quotient back to even).
 */
export function roundingOffset(denominator: number, mode: RoundingMode): number {
  switch (mode) {
    case 'down':
      return 0;
    case 'up':
      return denominator - 1;
    case 'half_up':
    case 'half_even':
      return Math.floor(denominator / 2);
  }
}

/** True when half_even can meet an exact tie: only an even denominator has a half. */
export function hasEvenTies(denominator: number, mode: RoundingMode): boolean {
  return mode === 'half_even' && denominator % 2 === 0;
}

/**
 * numerator / denominator rounded, on Numbers holding exact integers: 0 ≤ numerator and
 * numerator + denominator ≤ 2^53 − 1. Equal to `divideRounded` on the same integers.
 */
export function divideRoundedSafe(numerator: number, denominator: number, mode: RoundingMode): number {
  const shifted = numerator + roundingOffset(denominator, mode);
  const quotient = floorDivideSafe(shifted, denominator, 1 / denominator);
  const exactTie = hasEvenTies(denominator, mode) && shifted === quotient * denominator;
  return exactTie && quotient % 2 === 1 ? quotient - 1 : quotient;
}
