import type { Decimal } from 'decimal.js';
import { assert } from '../assert.ts';
import { dayCounts } from '../date/day-count.ts';
import { perPeriodRate } from '../date/frequency.ts';
import type { LocalDate } from '../date/local-date.ts';
import { divideRounded } from '../money/rounding.ts';
import { roundedPayment } from '../rate/annuity.ts';
import type { PeriodicRate } from '../rate/periodic-rate.ts';
import { annuityFactorFor, periodicRate } from '../rate/periodic-rate.ts';
import { rationalFromDecimal } from '../rate/rational.ts';
import type { DueDatePlan } from './periods.ts';
import type { Installment, ScheduleTotals } from './schedule.ts';
import type { LoanTerms } from './terms.ts';

// The common schedule — equal installment (等额本息) or equal principal (等额本金) at one periodic
// rate, no grace, principal within the safe-integer envelope — built in one pass straight into
// installments, with the same rules and the same results as the kernels and the bigint engine
// (property tests hold all three equal).
//
// Why bigint arithmetic wrapped in BigInt.asIntN(64, …): V8's optimizing compiler does such
// arithmetic on raw 64-bit integers and allocates only the values that are kept, so the loop pays
// for the installments' bigints and little else, where converting Numbers with BigInt(x) costs a
// runtime call per value (measured: about 3× slower for a 12-installment loop). It is exact here: the
// envelope, principal × rate numerator + rate denominator ≤ 2^53 − 1, keeps every intermediate
// value far below 2^63, so the wrap never changes a value.

export interface LevelSchedule {
  readonly paymentMinor: bigint | null;
  readonly installments: Installment[];
  readonly totals: ScheduleTotals;
}

const ratesByAnnual = new WeakMap<Decimal, Map<number, PeriodicRate>>();

/** The product's per-period rate, derived once per annual-rate Decimal, frequency and day count. */
function uniformRate(terms: LoanTerms): PeriodicRate {
  let byRhythm = ratesByAnnual.get(terms.annualRate);
  if (byRhythm === undefined) {
    byRhythm = new Map();
    ratesByAnnual.set(terms.annualRate, byRhythm);
  }
  const frequency = terms.frequency;
  const code =
    frequency.kind === 'days'
      ? 3 + frequency.days
      : frequency.kind === 'monthly'
        ? 0
        : frequency.kind === 'biweekly'
          ? 1
          : 2;
  const key = code * dayCounts.length + dayCounts.indexOf(terms.dayCount);
  const known = byRhythm.get(key);
  if (known !== undefined) return known;
  const rate = periodicRate(perPeriodRate(rationalFromDecimal(terms.annualRate), frequency, terms.dayCount));
  byRhythm.set(key, rate);
  return rate;
}

/**
 * The installments of a level schedule, or null when the principal is too small to split (a
 * balance would go negative), or undefined when the loan is not one this path builds.
 */
export function levelSchedule(
  terms: LoanTerms,
  plan: DueDatePlan,
  financed: bigint,
  fee: bigint,
): LevelSchedule | null | undefined {
  const method = terms.method;
  if (method !== 'equal_installment' && method !== 'equal_principal') return undefined;
  if (terms.interestPeriod !== 'per_period' || terms.graceTerms !== 0) return undefined;
  const rate = uniformRate(terms);
  // The envelope: principal × a + b ≤ 2^53 − 1, as one comparison with the bound kept per rate.
  if (financed > rate.principalSafeMax) return undefined;
  return method === 'equal_installment'
    ? equalInstallmentRows(terms, plan.dates, financed, Number(financed), fee, rate)
    : equalPrincipalRows(terms, plan.dates, financed, fee, rate);
}

// Conservation is asserted without summing the parts in the loop (which measured ~4 ns an
// installment): from quantities computed independently of the balance recursion — the level payment
// and the interest total for 等额本息, the regular part for 等额本金 — the principal parts must add
// up to exactly what was lent, and no component may be negative.

function equalInstallmentRows(
  terms: LoanTerms,
  dates: readonly LocalDate[],
  financed: bigint,
  principal: number,
  fee: bigint,
  rate: PeriodicRate,
): LevelSchedule | null {
  const n = dates.length;
  const mode = terms.rounding;
  // Operands pass through BigInt.asIntN(64, …) once here so the loop works on 64-bit integers.
  const a = BigInt.asIntN(64, rate.rational.num);
  const b = BigInt.asIntN(64, rate.rational.den);
  const offset = BigInt.asIntN(64, rate.offsetsByMode[mode]);
  const evenTies = mode === 'half_even' && rate.evenDen;
  const payment = bigintOfSafe(roundedPayment(principal, annuityFactorFor(rate, n), mode));
  const total = BigInt.asIntN(64, payment + fee);
  const installments: Installment[] = new Array<Installment>(n);
  let balance = BigInt.asIntN(64, financed);
  let interestSum = 0n;
  let periodStart = terms.startDate;
  // Interest is round(balance × a / b) = floor((balance × a + offset) / b) (rounding.ts). The first
  // interest is the largest (round(P·r) ≤ M, as F > r): while parts are ≥ 0 the balance falls and
  // so does the interest, so every part is ≥ 0 until the balance goes negative, after which it only
  // falls — the balance left for the last installment tells whether the loan splits.
  for (let k = 0; k < n - 1; k += 1) {
    const shifted = BigInt.asIntN(64, balance * a + offset);
    let interest = BigInt.asIntN(64, shifted / b);
    if (evenTies && BigInt.asIntN(64, interest * b) === shifted && (interest & 1n) === 1n)
      interest = BigInt.asIntN(64, interest - 1n);
    const part = BigInt.asIntN(64, payment - interest);
    balance = BigInt.asIntN(64, balance - part);
    interestSum = BigInt.asIntN(64, interestSum + interest);
    const dueDate = dates[k] ?? periodStart;
    installments[k] = {
      number: k + 1,
      periodStart,
      dueDate,
      principalMinor: part,
      interestMinor: interest,
      feeMinor: fee,
      totalMinor: total,
      balanceMinor: balance,
    };
    periodStart = dueDate;
  }
  if (balance < 0n) return null;
  const lastShifted = BigInt.asIntN(64, balance * a + offset);
  let own = BigInt.asIntN(64, lastShifted / b);
  if (evenTies && BigInt.asIntN(64, own * b) === lastShifted && (own & 1n) === 1n)
    own = BigInt.asIntN(64, own - 1n);
  const levelInterest = BigInt.asIntN(64, payment - balance);
  const level = terms.remainder === 'last_interest' && a !== 0n && levelInterest >= 0n;
  const lastInterest = level ? levelInterest : own;
  installments[n - 1] = {
    number: n,
    periodStart,
    dueDate: dates[n - 1] ?? periodStart,
    principalMinor: balance,
    interestMinor: lastInterest,
    feeMinor: fee,
    totalMinor: BigInt.asIntN(64, balance + lastInterest + fee),
    balanceMinor: 0n,
  };
  // The parts before the last are (n − 1)·M − their interest; with the last, exactly the principal.
  const partsBeforeLast = payment * BigInt(n - 1) - interestSum;
  assert(
    partsBeforeLast + balance === financed,
    'levelSchedule: principal parts do not sum to the principal',
  );
  const firstInterest = installments[0]?.interestMinor ?? lastInterest;
  assert(firstInterest <= payment && lastInterest >= 0n, 'levelSchedule: a negative component');
  return withTotals(installments, financed, interestSum + lastInterest, fee, total);
}

function equalPrincipalRows(
  terms: LoanTerms,
  dates: readonly LocalDate[],
  financed: bigint,
  fee: bigint,
  rate: PeriodicRate,
): LevelSchedule | null {
  const n = dates.length;
  const mode = terms.rounding;
  const part = divideRounded(financed, BigInt(n), mode);
  const lastPart = financed - part * BigInt(n - 1);
  if (lastPart < 0n) return null;
  // Operands pass through BigInt.asIntN(64, …) once here so the loop works on 64-bit integers
  // throughout; the stored principal and fee are the original bigints, shared by every row.
  const a = BigInt.asIntN(64, rate.rational.num);
  const b = BigInt.asIntN(64, rate.rational.den);
  const step = BigInt.asIntN(64, part);
  const fee64 = BigInt.asIntN(64, fee);
  const evenTies = mode === 'half_even' && rate.evenDen;
  // The balance falls by the same part every period, so the interest numerator
  // balance × a + offset falls by part × a = stepQuotient × b + stepRemainder: the quotient and
  // remainder of each period follow from the last by subtraction and one borrow, exactly, without
  // a 64-bit division per installment (the costliest operation of the loop).
  const stepQuotient = BigInt.asIntN(64, (step * a) / b);
  const stepRemainder = BigInt.asIntN(64, step * a - stepQuotient * b);
  const first = BigInt.asIntN(64, financed * a + rate.offsetsByMode[mode]);
  let quotient = BigInt.asIntN(64, first / b);
  let remainder = BigInt.asIntN(64, first - quotient * b);
  const installments: Installment[] = new Array<Installment>(n);
  let balance = BigInt.asIntN(64, financed);
  let interestSum = 0n;
  let periodStart = terms.startDate;
  const last = n - 1;
  for (let k = 0; k < last; k += 1) {
    // An exact tie (remainder 0) on an odd quotient goes down to the even neighbour under half_even.
    const interest =
      evenTies && remainder === 0n && (quotient & 1n) === 1n ? BigInt.asIntN(64, quotient - 1n) : quotient;
    balance = BigInt.asIntN(64, balance - step);
    interestSum = BigInt.asIntN(64, interestSum + interest);
    const dueDate = dates[k] ?? periodStart;
    installments[k] = {
      number: k + 1,
      periodStart,
      dueDate,
      principalMinor: part,
      interestMinor: interest,
      feeMinor: fee,
      totalMinor: BigInt.asIntN(64, step + interest + fee64),
      balanceMinor: balance,
    };
    periodStart = dueDate;
    quotient = BigInt.asIntN(64, quotient - stepQuotient);
    remainder = BigInt.asIntN(64, remainder - stepRemainder);
    if (remainder < 0n) {
      remainder = BigInt.asIntN(64, remainder + b);
      quotient = BigInt.asIntN(64, quotient - 1n);
    }
  }
  const lastInterest =
    evenTies && remainder === 0n && (quotient & 1n) === 1n ? BigInt.asIntN(64, quotient - 1n) : quotient;
  balance = BigInt.asIntN(64, balance - lastPart);
  interestSum = BigInt.asIntN(64, interestSum + lastInterest);
  installments[last] = {
    number: n,
    periodStart,
    dueDate: dates[last] ?? periodStart,
    principalMinor: lastPart,
    interestMinor: lastInterest,
    feeMinor: fee,
    totalMinor: BigInt.asIntN(64, lastPart + lastInterest + fee64),
    balanceMinor: 0n,
  };
  // n − 1 regular parts and the last repay the principal, and the balance the loop carried ends at
  // zero; every component is ≥ 0 (parts by construction, interest as the balance never is below 0).
  assert(balance === 0n && part >= 0n, 'levelSchedule: principal parts do not sum to the principal');
  assert(lastInterest >= 0n, 'levelSchedule: a negative component');
  return withTotals(installments, financed, interestSum, fee, null);
}

function withTotals(
  installments: Installment[],
  financed: bigint,
  interestSum: bigint,
  fee: bigint,
  payment: bigint | null,
): LevelSchedule {
  const feeSum = fee === 0n ? 0n : fee * BigInt(installments.length);
  return {
    paymentMinor: payment,
    installments,
    totals: {
      principalMinor: financed,
      interestMinor: interestSum,
      feeMinor: feeSum,
      totalMinor: financed + interestSum + feeSum,
    },
  };
}

// Number → bigint through a 64-bit view: measured about twice as fast as BigInt(x), which is a
// runtime call. Exact for safe integers ≥ 0: the two 32-bit halves are exact in a double.
const conversion = new ArrayBuffer(8);
const conversionHalves = new Uint32Array(conversion);
const conversionWhole = new BigInt64Array(conversion);
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function bigintOfSafe(value: number): bigint {
  assert(Number.isSafeInteger(value) && value >= 0, 'bigintOfSafe: not a safe non-negative integer');
  const high = Math.floor(value / 4_294_967_296);
  conversionHalves[littleEndian ? 0 : 1] = value - high * 4_294_967_296;
  conversionHalves[littleEndian ? 1 : 0] = high;
  return conversionWhole[0] ?? BigInt(value);
}
