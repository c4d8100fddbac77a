import type { Decimal } from 'decimal.js';
import type { TimedAmount } from '../apr/irr.ts';
import { IrrDecimal } from '../apr/irr.ts';
import { assert } from '../assert.ts';

// The reference the bounded solver (apr/irr.ts) is checked against: the solver it replaced, kept
// verbatim for tests only — a safeguarded Newton iteration on the discount factor in 40-digit
// decimals inside a bracket where the exact NPV changes sign, with up to 400 iterations and 240
// bracket-search steps of exact evaluations. Correct but unbounded in practice (about 1.35 million
// Decimal operations for 2,400 daily payments of 999,999,999,999.99), so only small inputs here.

const iterationsMax = 400;
const bracketSteps = 240;
const tolerance = new IrrDecimal('1e-32');

function npv(flows: readonly TimedAmount[], v: Decimal): { value: Decimal; slope: Decimal } {
  let value = new IrrDecimal(0);
  let slope = new IrrDecimal(0);
  let power = new IrrDecimal(1);
  let time = 0;
  for (const flow of flows) {
    const gap = flow.time - time;
    if (gap === 1) power = power.times(v);
    else if (gap > 1) power = power.times(v.pow(gap));
    time = flow.time;
    value = value.plus(flow.amount.times(power));
    if (flow.time > 0) slope = slope.plus(flow.amount.times(power).times(flow.time));
  }
  return { value, slope: slope.div(v) };
}

interface Bracket {
  low: Decimal;
  high: Decimal;
}

/**
 * A tight bracket around a float estimate of the root. The float only proposes where to look: the
 * bracket is accepted only if the exact NPV changes sign across it, so it never decides the result.
 */
function guessedBracket(flows: readonly TimedAmount[]): Bracket | undefined {
  const direct = flows.map((flow) => flow.amount.toNumber());
  const scale = flows[0]?.amount.abs();
  if (scale === undefined || scale.isZero()) return undefined;
  const amounts = direct.every(Number.isFinite)
    ? direct
    : flows.map((flow) => flow.amount.div(scale).toNumber());
  const floatNpv = (v: number) => flows.reduce((sum, flow, i) => sum + (amounts[i] ?? 0) * v ** flow.time, 0);
  let low = 0;
  let high = 1;
  while (floatNpv(high) < 0 && high < 2 ** 60) high *= 2;
  for (let step = 0; step < 200 && high - low > high * 1e-15; step += 1) {
    const mid = (low + high) / 2;
    if (floatNpv(mid) < 0) low = mid;
    else high = mid;
  }
  const guess = (low + high) / 2;
  if (!Number.isFinite(guess) || guess <= 0) return undefined;
  const lowDecimal = new IrrDecimal(guess).times('0.999999999');
  const highDecimal = new IrrDecimal(guess).times('1.000000001');
  const fits =
    npv(flows, lowDecimal).value.lessThanOrEqualTo(0) &&
    npv(flows, highDecimal).value.greaterThanOrEqualTo(0);
  return fits ? { low: lowDecimal, high: highDecimal } : undefined;
}

/** Doubles or halves from v = 1 until the exact NPV changes sign. */
function searchedBracket(flows: readonly TimedAmount[]): Bracket | undefined {
  const one = new IrrDecimal(1);
  if (npv(flows, one).value.isPositive()) {
    let high = one;
    let low = one.div(2);
    for (let step = 0; npv(flows, low).value.isPositive(); step += 1) {
      if (step >= bracketSteps) return undefined;
      high = low;
      low = low.div(2);
    }
    return { low, high };
  }
  let low = one;
  let high = new IrrDecimal(2);
  for (let step = 0; npv(flows, high).value.isNegative(); step += 1) {
    if (step >= bracketSteps) return undefined;
    low = high;
    high = high.times(2);
  }
  return { low, high };
}

/** The discount factor per time unit that sets the NPV to zero, or undefined when there is none. */
export function referenceDiscountFactor(flows: readonly TimedAmount[]): Decimal | undefined {
  assert(flows.length >= 2, 'solveDiscountFactor: need two flows');
  let sawPayment = false;
  for (const [index, flow] of flows.entries()) {
    assert(
      index === 0 || flow.time >= (flows[index - 1]?.time ?? 0),
      'solveDiscountFactor: times must ascend',
    );
    if (flow.amount.isPositive() && !flow.amount.isZero()) sawPayment = true;
    else assert(!sawPayment || flow.amount.isZero(), 'solveDiscountFactor: receipts must precede payments');
  }
  const one = new IrrDecimal(1);
  if (npv(flows, one).value.isZero()) return one;
  const bracket = guessedBracket(flows) ?? searchedBracket(flows);
  if (bracket === undefined) return undefined;
  let { low, high } = bracket;
  let v = low.plus(high).div(2);
  for (let iteration = 0; iteration < iterationsMax; iteration += 1) {
    const { value, slope } = npv(flows, v);
    if (value.isZero()) return v;
    if (value.isPositive()) high = v;
    else low = v;
    const newton = slope.isZero() ? undefined : v.minus(value.div(slope));
    const next = newton?.greaterThan(low) && newton.lessThan(high) ? newton : low.plus(high).div(2);
    if (next.minus(v).abs().lessThanOrEqualTo(tolerance.times(v))) return next;
    v = next;
  }
  assert(false, 'solveDiscountFactor: no convergence within the iteration limit');
}
