import { Decimal } from 'decimal.js';
import { assert } from '../assert.ts';

// Internal rate of return as the discount factor v = 1 / (1 + x) per time unit, with a bounded
// amount of work whatever the input.
//
// With every amount received before every amount paid (one sign change), NPV(v) = Σ a_i·v^t_i has
// exactly one positive root (Descartes / Norström): below it the NPV is negative, above it
// positive. The solver works in two phases:
//
// 1. Float phase (cheap, O(flows) per evaluation). In x = ln v, h(x) = ln P(v) − ln R(v), where P
//    and R are the sums of the paid and the received terms, is strictly increasing with
//    h'(x) = E_P[t] − E_R[t] ≥ (first payment time − last receipt time) ≥ 1, so its root lies
//    between 0 and −h(0), and a safeguarded Newton iteration on it converges in a few steps. P and
//    R are sums of positive terms computed as log-sum-exp, so no amount or power can overflow and
//    there is no cancellation: the float root is good to about 1e-12 relative for every accepted
//    input.
// 2. Exact phase (40-digit decimals). The float root only proposes: two exact evaluations must
//    show the NPV changing sign across v·(1 ± 1e-9), and a few safeguarded Newton steps inside
//    that bracket (quadratic convergence: ~1e-13 → ~1e-26 → the 40-digit floor) pin the root down
//    to the same 1e-32 relative step as before. Only if the float root fails the sign check does
//    the bracket widen (at most four times, up to the analytic bound) and the iteration fall back
//    to bisection steps; that recovers an estimate off by 1e-5 within the cap (tests), and accepted
//    input never needs it (tests: no widening on the worst inputs nor on arbitrary ones).
//
// Every exact NPV evaluation is counted against npvEvaluationsMax; when the budget runs out the
// solver says so instead of looping, and the caller reports a named issue.

export const IrrDecimal = Decimal.clone({ precision: 40, rounding: Decimal.ROUND_HALF_EVEN });

export interface TimedAmount {
  /** Whole periods (or days) after the first flow; ascending. */
  readonly time: number;
  /** Positive when the borrower pays, negative when the borrower receives. */
  readonly amount: Decimal;
}

/**
 * The hard cap on exact NPV evaluations per solve. Accepted input takes at most 6 — two sign
 * checks, one check of an exactly zero rate when the root is that close to it, three Newton steps
 * (tests: the worst accepted inputs, and a property over arbitrary ones); the rest is room for the
 * widened-bracket fallback.
 */
export const npvEvaluationsMax = 16;
/**
 * The float phase's cap. Bisection alone settles any bracket the bounds allow (|ln v| at most
 * ln(600 · 10^15 / 10^-12) ≈ 70 for an accepted APR request) to float resolution in about 60
 * halvings, and the safeguard takes a Newton step only when it at least halves the step before, so
 * the cap is never what stops the float phase on accepted input (tests: under 60).
 */
export const floatEvaluationsMax = 200;
/**
 * Times are below 2^22: periods number at most a few thousand, and days span at most 1900-01-01 to
 * 9999-12-31 (2,958,464 days). This bounds the squarings one evaluation needs for v^gap.
 */
export const timeBitsMax = 22;
/** Decimal operations per non-zero flow in one evaluation (see npv), besides powers for gaps above 1. */
export const npvOperationsPerFlowMax = 5;

/** Work done by one solve, counted rather than timed so tests can bound it on any machine. */
export interface IrrWork {
  /** Exact NPV evaluations (40-digit decimals over every flow). */
  npvEvaluations: number;
  /** Decimal multiplications, divisions and additions inside those evaluations. */
  decimalOperations: number;
  /** Float evaluations of h over every flow. */
  floatEvaluations: number;
  /** Times the float root failed the exact sign check and the bracket had to widen. */
  bracketWidenings: number;
}

export function irrWork(): IrrWork {
  return { npvEvaluations: 0, decimalOperations: 0, floatEvaluations: 0, bracketWidenings: 0 };
}

const tolerance = new IrrDecimal('1e-32');
const bracketHalfWidth = new IrrDecimal('1e-9');
/** Distances in x = ln v the bracket widens to, before the analytic bound, when the float root fails. */
const fallbackWidths = [1e-6, 1e-3, 1];

interface Evaluation {
  readonly value: Decimal;
  /** dNPV/dv; zero when not asked for. */
  readonly slope: Decimal;
}

/**
 * NPV(v) exactly at 40 digits, and its slope when asked. Per non-zero flow: one multiplication to
 * advance the power, one for the term, one addition, and for the slope one multiplication and one
 * addition (npvOperationsPerFlowMax). A gap of g > 1 between flows multiplies in v^g, built from
 * the squarings v^(2^k) (at most timeBitsMax − 1 per evaluation) and popcount(g) − 1 further
 * multiplications, once per distinct gap (monthly schedules have four).
 */
export function npv(
  flows: readonly TimedAmount[],
  v: Decimal,
  withSlope: boolean,
  work: IrrWork,
): Evaluation {
  work.npvEvaluations += 1;
  const squares: Decimal[] = [v];
  const byGap = new Map<number, Decimal>([[1, v]]);
  const square = (bit: number): Decimal => {
    let known = squares[bit];
    if (known !== undefined) return known;
    const half = square(bit - 1);
    known = half.times(half);
    work.decimalOperations += 1;
    squares[bit] = known;
    return known;
  };
  const powerOf = (gap: number): Decimal => {
    const known = byGap.get(gap);
    if (known !== undefined) return known;
    let result: Decimal | undefined;
    for (let bit = 0, rest = gap; rest > 0; bit += 1, rest = Math.floor(rest / 2)) {
      if (rest % 2 === 0) continue;
      const factor = square(bit);
      if (result === undefined) result = factor;
      else {
        result = result.times(factor);
        work.decimalOperations += 1;
      }
    }
    assert(result !== undefined, 'npv: a gap of zero has no power');
    byGap.set(gap, result);
    return result;
  };
  let value = new IrrDecimal(0);
  let slope = new IrrDecimal(0);
  let power = new IrrDecimal(1);
  let time = 0;
  let operations = 0;
  for (const flow of flows) {
    if (flow.amount.isZero()) continue;
    if (flow.time > time) {
      power = power.times(powerOf(flow.time - time));
      operations += 1;
      time = flow.time;
    }
    const term = flow.amount.times(power);
    value = value.plus(term);
    operations += 2;
    if (withSlope && flow.time > 0) {
      slope = slope.plus(term.times(flow.time));
      operations += 2;
    }
  }
  if (withSlope) {
    slope = slope.div(v);
    operations += 1;
  }
  work.decimalOperations += operations;
  return { value, slope };
}

/** ln |d| in float, for any magnitude a Decimal can hold. */
function lnAbs(d: Decimal): number {
  const direct = Math.abs(d.toNumber());
  if (direct > 1e-300 && direct < 1e300) return Math.log(direct);
  const [mantissa = '1', exponent = '0'] = d.abs().toExponential(16).split('e');
  return Math.log(Number(mantissa)) + Number(exponent) * Math.LN10;
}

interface FloatTerm {
  readonly time: number;
  readonly lnAmount: number;
}

/** h(x) = ln P − ln R and h'(x) = E_P[t] − E_R[t], by log-sum-exp. */
function floatH(paid: readonly FloatTerm[], received: readonly FloatTerm[], x: number): [number, number] {
  const [lnPaid, meanPaid] = logSumExp(paid, x);
  const [lnReceived, meanReceived] = logSumExp(received, x);
  return [lnPaid - lnReceived, meanPaid - meanReceived];
}

/** ln Σ exp(lnAmount + time·x) and the exp-weighted mean time. */
function logSumExp(terms: readonly FloatTerm[], x: number): [number, number] {
  let top = Number.NEGATIVE_INFINITY;
  for (const term of terms) top = Math.max(top, term.lnAmount + term.time * x);
  let sum = 0;
  let weightedTime = 0;
  for (const term of terms) {
    const weight = Math.exp(term.lnAmount + term.time * x - top);
    sum += weight;
    weightedTime += weight * term.time;
  }
  return [top + Math.log(sum), weightedTime / sum];
}

export interface FloatRoot {
  /** The float estimate of ln v at the root. */
  readonly x: number;
  /** |x| cannot exceed this: |h(0)| / (first payment time − last receipt time). */
  readonly xBound: number;
}

/** Phase 1: the float estimate of ln v at the root. */
export function floatRoot(flows: readonly TimedAmount[], work: IrrWork): FloatRoot {
  const paid: FloatTerm[] = [];
  const received: FloatTerm[] = [];
  for (const flow of flows) {
    if (flow.amount.isZero()) continue;
    (flow.amount.isPositive() ? paid : received).push({ time: flow.time, lnAmount: lnAbs(flow.amount) });
  }
  const firstPaid = paid[0];
  const lastReceived = received.at(-1);
  assert(firstPaid !== undefined && lastReceived !== undefined, 'floatRoot: needs a receipt and a payment');
  const gap = firstPaid.time - lastReceived.time;
  assert(gap >= 1, 'floatRoot: receipts must precede payments');
  const evaluate = (x: number): [number, number] => {
    work.floatEvaluations += 1;
    return floatH(paid, received, x);
  };
  const [h0, slope0] = evaluate(0);
  const xBound = Math.abs(h0) / gap;
  // A hair wider than the analytic bound, so that a root on the bound (one payment: h is linear
  // with slope gap) is strictly inside and the first Newton step is accepted.
  const reach = xBound * (1 + 1e-9) + 1e-9;
  let low = h0 < 0 ? 0 : -reach;
  let high = h0 < 0 ? reach : 0;
  let x = 0;
  let h = h0;
  let slope = slope0;
  // Safeguarded Newton (as rtsafe): a bisection step whenever Newton would leave the bracket or
  // would not at least halve the previous step, so the bracket shrinks geometrically even where h
  // bends sharply (far from the root, one payment's term can dominate h and its slope).
  let stepBefore = Number.POSITIVE_INFINITY;
  while (h !== 0 && work.floatEvaluations < floatEvaluationsMax) {
    if (h < 0) low = x;
    else high = x;
    const newtonStep = h / slope;
    const newton = x - newtonStep;
    const bisect = !(newton > low && newton < high) || Math.abs(2 * newtonStep) > Math.abs(stepBefore);
    const next = bisect ? (low + high) / 2 : newton;
    stepBefore = bisect ? (high - low) / 2 : newtonStep;
    const settled = Math.abs(next - x) <= 4e-16 * Math.max(1, Math.abs(x)) || next === low || next === high;
    x = next;
    if (settled) break;
    [h, slope] = evaluate(x);
  }
  return { x, xBound };
}

function vOf(x: number): Decimal {
  const direct = Math.exp(x);
  return direct > 1e-300 && direct < 1e300 ? new IrrDecimal(direct) : new IrrDecimal(x).exp();
}

interface Bracket {
  low: Decimal;
  high: Decimal;
}

type Sign = -1 | 0 | 1;

/** A meter and the evaluation count it may not pass in this solve. */
interface Budget {
  readonly work: IrrWork;
  readonly evaluationsUntil: number;
}

const spent = (budget: Budget) => budget.work.npvEvaluations >= budget.evaluationsUntil;

function signAt(flows: readonly TimedAmount[], v: Decimal, budget: Budget): Sign | undefined {
  if (spent(budget)) return undefined;
  const work = budget.work;
  const { value } = npv(flows, v, false, work);
  return value.isZero() ? 0 : value.isNegative() ? -1 : 1;
}

/**
 * A bracket [low, high] with NPV(low) < 0 < NPV(high) proven exactly, or the root itself when an
 * end lands on it, or undefined when the budget ran out.
 */
function exactBracket(
  flows: readonly TimedAmount[],
  root: FloatRoot,
  guess: Decimal,
  budget: Budget,
): Bracket | Decimal | undefined {
  const one = new IrrDecimal(1);
  let low = guess.times(one.minus(bracketHalfWidth));
  let high = guess.times(one.plus(bracketHalfWidth));
  const lowSign = signAt(flows, low, budget);
  if (lowSign === undefined) return undefined;
  if (lowSign === 0) return low;
  if (lowSign > 0) {
    // The root is below the float guess by more than 1e-9: step down until the NPV is negative.
    for (const x of fallbackSteps(root, -1)) {
      budget.work.bracketWidenings += 1;
      high = low;
      low = vOf(x);
      const sign = signAt(flows, low, budget);
      if (sign === undefined) return undefined;
      if (sign === 0) return low;
      if (sign < 0) return { low, high };
    }
    assert(false, 'exactBracket: the root is below the analytic bound');
  }
  const highSign = signAt(flows, high, budget);
  if (highSign === undefined) return undefined;
  if (highSign === 0) return high;
  if (highSign < 0) {
    for (const x of fallbackSteps(root, 1)) {
      budget.work.bracketWidenings += 1;
      low = high;
      high = vOf(x);
      const sign = signAt(flows, high, budget);
      if (sign === undefined) return undefined;
      if (sign === 0) return high;
      if (sign > 0) return { low, high };
    }
    assert(false, 'exactBracket: the root is above the analytic bound');
  }
  return { low, high };
}

/**
 * Where a failed bracket end moves to, in x = ln v, going down (−1) or up (+1): a thousand times
 * further from the float root each time, and last to the analytic bound |x| ≤ xBound (plus a margin
 * for the float rounding of xBound itself), beyond which the root cannot lie.
 */
function fallbackSteps(root: FloatRoot, direction: -1 | 1): number[] {
  const limit = direction * (root.xBound + 1);
  const steps = fallbackWidths
    .map((width) => root.x + direction * width)
    .filter((x) => (direction < 0 ? x > limit : x < limit));
  return [...steps, limit];
}

/** The middle of a bracket: arithmetic when narrow, geometric (bisection in ln v) when wide. */
function middle(bracket: Bracket): Decimal {
  return bracket.high.lessThan(bracket.low.times(2))
    ? bracket.low.plus(bracket.high).div(2)
    : bracket.low.times(bracket.high).sqrt();
}

export interface IrrSolution {
  /** The discount factor per time unit, or undefined when the evaluation budget ran out first. */
  readonly v: Decimal | undefined;
  readonly work: IrrWork;
}

/**
 * The discount factor per time unit that sets the NPV to zero, and the work it took (added to
 * `work`). At most `evaluationsMax` exact NPV evaluations are spent on it.
 */
export function solveDiscountFactor(
  flows: readonly TimedAmount[],
  work: IrrWork = irrWork(),
  evaluationsMax: number = npvEvaluationsMax,
): IrrSolution {
  assert(flows.length >= 2, 'solveDiscountFactor: need two flows');
  let sawPayment = false;
  for (const [index, flow] of flows.entries()) {
    assert(
      Number.isSafeInteger(flow.time) && flow.time >= 0 && flow.time < 2 ** timeBitsMax,
      'solveDiscountFactor: times must be integers below 2^timeBitsMax',
    );
    assert(
      index === 0 || flow.time >= (flows[index - 1]?.time ?? 0),
      'solveDiscountFactor: times must ascend',
    );
    if (flow.amount.isPositive() && !flow.amount.isZero()) sawPayment = true;
    else assert(!sawPayment || flow.amount.isZero(), 'solveDiscountFactor: receipts must precede payments');
  }
  return exactDiscountFactor(flows, floatRoot(flows, work), work, evaluationsMax);
}

/**
 * Phase 2: the exact root from a float estimate, which only proposes where to look (a poor one
 * costs evaluations, never correctness).
 */
export function exactDiscountFactor(
  flows: readonly TimedAmount[],
  root: FloatRoot,
  work: IrrWork,
  evaluationsMax: number = npvEvaluationsMax,
): IrrSolution {
  const budget: Budget = { work, evaluationsUntil: work.npvEvaluations + evaluationsMax };
  const guess = vOf(root.x);
  const found = exactBracket(flows, root, guess, budget);
  if (found === undefined) return { v: undefined, work };
  if (Decimal.isDecimal(found)) return { v: found, work };
  const bracket = found;
  const one = new IrrDecimal(1);
  // An IRR of exactly zero (everything received paid back, nothing more) must come out as exactly
  // zero, not as a 40-digit neighbour of it.
  if (bracket.low.lessThan(one) && bracket.high.greaterThan(one)) {
    const sign = signAt(flows, one, budget);
    if (sign === undefined) return { v: undefined, work };
    if (sign === 0) return { v: one, work };
    if (sign < 0) bracket.low = one;
    else bracket.high = one;
  }
  let v = guess.greaterThan(bracket.low) && guess.lessThan(bracket.high) ? guess : middle(bracket);
  while (!spent(budget)) {
    const { value, slope } = npv(flows, v, true, work);
    if (value.isZero()) return { v, work };
    if (value.isPositive()) bracket.high = v;
    else bracket.low = v;
    const newton = slope.isZero() ? undefined : v.minus(value.div(slope));
    const inBracket =
      newton?.greaterThanOrEqualTo(bracket.low) && newton.lessThanOrEqualTo(bracket.high)
        ? newton
        : undefined;
    // A Newton step below the tolerance ends the search even when it lands on a bracket end: at 40
    // digits the step can be too small to move v at all.
    if (inBracket?.minus(v).abs().lessThanOrEqualTo(tolerance.times(v))) return { v: inBracket, work };
    const next =
      inBracket?.greaterThan(bracket.low) && inBracket.lessThan(bracket.high) ? inBracket : middle(bracket);
    if (next.minus(v).abs().lessThanOrEqualTo(tolerance.times(v))) return { v: next, work };
    v = next;
  }
  return { v: undefined, work };
}
