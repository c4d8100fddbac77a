import type { RoundingMode } from '../money/rounding.ts';
import type { AnnuityFactor } from './annuity.ts';
import { annuityFactor } from './annuity.ts';
import type { Rational } from './rational.ts';

// A periodic rate prepared for the hot loop: the exact fraction, the same fraction as safe-integer
// Numbers when it fits, and the annuity factors already computed for it. Rates are interned, so a
// product's rate is derived once and every loan of that product reuses the cached factors.

export interface PeriodicRate {
  readonly rational: Rational;
  /** num and den as Numbers, or -1 when either exceeds 2^53 (then only bigint paths apply). */
  readonly numSafe: number;
  readonly denSafe: number;
  /** 1 / denSafe, for the hot loops' reciprocal-proposed division. */
  readonly reciprocal: number;
  /**
   * The offsets with which floor((x + offset) / den) rounds x / den by each mode (rounding.ts), as
   * bigints for the schedule builder's integer loop.
   */
  readonly offsetsByMode: Readonly<Record<RoundingMode, bigint>>;
  /** An even denominator: only then can half_even meet an exact tie. */
  readonly evenDen: boolean;
  /**
   * The largest principal with principal × num + den ≤ 2^53 − 1 (the safe-integer envelope of the
   * fast paths), or −1 when the rate itself is outside it.
   */
  readonly principalSafeMax: bigint;
  readonly factorsByPeriods: Array<AnnuityFactor | undefined>;
}

/** Bounds the intern table; distinct rates in a book number in the tens, so this never churns. */
export const periodicRatesCachedMax = 4096;

const interned = new Map<string, PeriodicRate>();
const byRational = new WeakMap<Rational, PeriodicRate>();

export function periodicRate(rate: Rational): PeriodicRate {
  const known = byRational.get(rate);
  if (known !== undefined) return known;
  const found = internedRate(rate);
  byRational.set(rate, found);
  return found;
}

function internedRate(rate: Rational): PeriodicRate {
  const key = `${rate.num}/${rate.den}`;
  const cached = interned.get(key);
  if (cached !== undefined) return cached;
  if (interned.size >= periodicRatesCachedMax) interned.clear();
  const safe = rate.num <= BigInt(Number.MAX_SAFE_INTEGER) && rate.den <= BigInt(Number.MAX_SAFE_INTEGER);
  const created: PeriodicRate = {
    rational: rate,
    numSafe: safe ? Number(rate.num) : -1,
    denSafe: safe ? Number(rate.den) : -1,
    reciprocal: safe ? 1 / Number(rate.den) : Number.NaN,
    offsetsByMode: {
      down: 0n,
      up: rate.den - 1n,
      half_up: rate.den / 2n,
      half_even: rate.den / 2n,
    },
    evenDen: rate.den % 2n === 0n,
    principalSafeMax: safeEnvelope(rate),
    factorsByPeriods: [],
  };
  interned.set(key, created);
  return created;
}

const safeMax = BigInt(Number.MAX_SAFE_INTEGER);

function safeEnvelope(rate: Rational): bigint {
  if (rate.num < 0n || rate.den > safeMax) return -1n;
  if (rate.num === 0n) return safeMax - rate.den;
  return (safeMax - rate.den) / rate.num;
}

export function annuityFactorFor(rate: PeriodicRate, periods: number): AnnuityFactor {
  const cached = rate.factorsByPeriods[periods];
  if (cached !== undefined) return cached;
  const factor = annuityFactor(rate.rational, periods);
  rate.factorsByPeriods[periods] = factor;
  return factor;
}
