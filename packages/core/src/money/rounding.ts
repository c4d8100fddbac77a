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
  return divideBy(numerator, safeDivisor(denominator, mode));
}

/**
 * A denominator prepared once per loan for the hot loops. Every mode reduces to "round the floor
 * quotient up when the remainder reaches a threshold" (down: never; up: 1; half_up: ⌈d/2⌉;
 * half_even: just over d/2, and exactly d/2 when the quotient is odd), so the loop needs no switch.
 */
export interface SafeDivisor {
  readonly denominator: number;
  readonly reciprocal: number;
  readonly threshold: number;
  readonly tiesToEven: boolean;
}

export function safeDivisor(denominator: number, mode: RoundingMode): SafeDivisor {
  assert(Number.isSafeInteger(denominator) && denominator > 0, 'safeDivisor: not a positive safe integer');
  return {
    denominator,
    reciprocal: 1 / denominator,
    threshold: roundUpThreshold(denominator, mode),
    tiesToEven: mode === 'half_even',
  };
}

function roundUpThreshold(denominator: number, mode: RoundingMode): number {
  switch (mode) {
    case 'down':
      return denominator;
    case 'up':
      return 1;
    case 'half_up':
      return Math.ceil(denominator / 2);
    case 'half_even':
      return Math.floor(denominator / 2) + 1;
  }
}

/**
 * numerator / denominator rounded, for 0 ≤ numerator and numerator + denominator ≤ 2^53 − 1.
 * A multiplication by the reciprocal (cheaper than a division) proposes the quotient; with the
 * quotient below 2^52 its relative error of at most 2^-52 leaves it off by at most one, and the
 * exact integer remainder corrects it. The float proposes; integer arithmetic decides.
 */
export function divideBy(numerator: number, divisor: SafeDivisor): number {
  const denominator = divisor.denominator;
  let quotient = Math.floor(numerator * divisor.reciprocal);
  let remainder = numerator - quotient * denominator;
  if (remainder < 0) {
    quotient -= 1;
    remainder += denominator;
  } else if (remainder >= denominator) {
    quotient += 1;
    remainder -= denominator;
  }
  if (remainder >= divisor.threshold) return quotient + 1;
  if (divisor.tiesToEven && remainder * 2 === denominator && quotient % 2 === 1) return quotient + 1;
  return quotient;
}
