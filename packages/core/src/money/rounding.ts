import { assert } from '../assert.ts';

// Every division that lands on money goes through one of these functions with the product's
// rounding mode named explicitly (ARCHITECTURE invariant 1: every rounding is explicit).
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
 * The same division on Numbers that hold exact integers. The caller guarantees
 * 0 ≤ numerator, 0 < denominator and numerator + denominator ≤ 2^53 − 1, so every intermediate
 * (quotient × denominator, remainder × 2) is an exact integer and no float decides a cent.
 */
export function divideRoundedSafe(numerator: number, denominator: number, mode: RoundingMode): number {
  let quotient = Math.floor(numerator / denominator);
  let remainder = numerator - quotient * denominator;
  // With numerator < 2^53 a correctly rounded quotient floors right except at an exact half-ulp tie;
  // checking the remainder costs two comparisons and removes the doubt.
  if (remainder < 0) {
    quotient -= 1;
    remainder += denominator;
  } else if (remainder >= denominator) {
    quotient += 1;
    remainder -= denominator;
  }
  if (remainder === 0) return quotient;
  switch (mode) {
    case 'down':
      return quotient;
    case 'up':
      return quotient + 1;
    case 'half_up':
      return remainder * 2 >= denominator ? quotient + 1 : quotient;
    case 'half_even': {
      const twice = remainder * 2;
      return twice > denominator || (twice === denominator && quotient % 2 === 1) ? quotient + 1 : quotient;
    }
  }
}
