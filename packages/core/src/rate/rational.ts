import type { Decimal } from 'decimal.js';
import { assert } from '../assert.ts';

// Rates enter as decimals (0.053) and are turned once into exact fractions (53/1000), so every
// interest amount is `balance × num / den` rounded by one explicit rule: no binary float and no
// decimal with a finite precision ever decides a cent.

export interface Rational {
  readonly num: bigint;
  /** Always positive; the fraction is kept in lowest terms. */
  readonly den: bigint;
}

function gcd(a: bigint, b: bigint): bigint {
  let x = a < 0n ? -a : a;
  let y = b;
  while (y !== 0n) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

export function rational(num: bigint, den: bigint): Rational {
  assert(den !== 0n, 'rational: zero denominator');
  const sign = den < 0n ? -1n : 1n;
  const divisor = gcd(num, den < 0n ? -den : den) || 1n;
  return { num: (sign * num) / divisor, den: (sign * den) / divisor };
}

// Decimal instances are immutable, so a product's rate converts once however many loans use it.
const fromDecimalCache = new WeakMap<Decimal, Rational>();

/** The exact value of a finite decimal. */
export function rationalFromDecimal(value: Decimal): Rational {
  const cached = fromDecimalCache.get(value);
  if (cached !== undefined) return cached;
  const converted = convertDecimal(value);
  fromDecimalCache.set(value, converted);
  return converted;
}

function convertDecimal(value: Decimal): Rational {
  assert(value.isFinite(), 'rationalFromDecimal: not finite');
  const text = value.toFixed();
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const num = BigInt(whole + fraction);
  return rational(negative ? -num : num, 10n ** BigInt(fraction.length));
}

const placesCache = new WeakMap<Rational, number>();

/** Decimal places needed to write the fraction exactly (its denominator's larger power of 2 or 5), or Infinity. */
export function decimalPlaces(rate: Rational): number {
  const cached = placesCache.get(rate);
  if (cached !== undefined) return cached;
  const places = countDecimalPlaces(rate);
  placesCache.set(rate, places);
  return places;
}

function countDecimalPlaces(rate: Rational): number {
  let den = rate.den;
  let twos = 0;
  let fives = 0;
  while (den % 2n === 0n) {
    den /= 2n;
    twos += 1;
  }
  while (den % 5n === 0n) {
    den /= 5n;
    fives += 1;
  }
  return den === 1n ? Math.max(twos, fives) : Number.POSITIVE_INFINITY;
}
