import type { Decimal } from 'decimal.js';
import { dateParts, daysInMonth, yearOf } from '../date/local-date.ts';
import type { Issue } from '../issue.ts';
import { issue } from '../issue.ts';
import { amountMinorMax } from '../money/amount.ts';
import { decimalPlaces, rationalFromDecimal } from '../rate/rational.ts';
import type { LoanTerms } from './terms.ts';
import { methodHasPeriodFee } from './terms.ts';

// Semantic checks of loan terms. Expected bad input becomes issues with stable codes; paths name
// the quote request field, so the API can point at what the caller wrote.
//
// This runs for every schedule built, so the checks are one pass that only sets bits — nothing is
// allocated for valid terms, and each rate's verdict comes from a cache kept per Decimal (a
// product's rate is checked once however many loans use it). The issues, with their messages, are
// spelled out from the bits only when some check failed, in the order of the checks.

export const termCountMax = 600;
export const annualRateMax = 10;
export const periodFeeRateMax = 1;
export const rateDecimalPlacesMax = 12;
/** Keeps the last due date of the longest loan inside the LocalDate range. */
export const loanStartYearMax = 9000;

// One bit per check, in the order the issues are reported.
const principalNotPositive = 1 << 0;
const principalTooLarge = 1 << 1;
const termCountZero = 1 << 2;
const termCountInvalid = 1 << 3;
const graceTermsInvalid = 1 << 4;
const annualRateShift = 5; // negative, too large, precision exceeded: three bits each
const periodFeeRateShift = 8;
const penaltyRateShift = 11;
const upfrontFeeNegative = 1 << 14;
const upfrontFeeTooLarge = 1 << 15;
const upfrontFeeNotBelowPrincipal = 1 << 16;
const periodFeeNegative = 1 << 17;
const periodFeeRateNotSupported = 1 << 18;
const periodFeeNotSupported = 1 << 19;
const discountNegative = 1 << 20;
const discountAbovePayout = 1 << 21;
const startYearTooLate = 1 << 22;
const firstDueNotAfterStart = 1 << 23;
const dueDayInvalid = 1 << 24;
const dueDayNotMonthly = 1 << 25;
const firstDueNotOnDueDay = 1 << 26;
const dailyMethodPerPeriod = 1 << 27;
const lastInterestWithoutLevel = 1 << 28;
const graceWithoutPrincipal = 1 << 29;
const flatFeeWithRate = 1 << 30;

export function validateLoanTerms(terms: LoanTerms): Issue[] {
  const failed = failedChecks(terms);
  return failed === 0 ? [] : issuesOf(terms, failed);
}

/** No check fails: what buildSchedule asks first, without building a list. */
export function loanTermsValid(terms: LoanTerms): boolean {
  return failedChecks(terms) === 0;
}

function failedChecks(terms: LoanTerms): number {
  let failed = 0;
  const principal = terms.principalMinor;
  if (principal <= 0n) failed |= principalNotPositive;
  else if (principal > amountMinorMax) failed |= principalTooLarge;
  const termCount = terms.termCount;
  if (termCount === 0) failed |= termCountZero;
  else if (!Number.isInteger(termCount) || termCount < 0 || termCount > termCountMax)
    failed |= termCountInvalid;
  const grace = terms.graceTerms;
  if (!Number.isInteger(grace) || grace < 0 || (grace > 0 && grace >= termCount)) failed |= graceTermsInvalid;
  failed |= rateChecks(terms.annualRate, annualRateMax) << annualRateShift;
  failed |= rateChecks(terms.periodFeeRate, periodFeeRateMax) << periodFeeRateShift;
  if (terms.penaltyRate !== undefined)
    failed |= rateChecks(terms.penaltyRate, annualRateMax) << penaltyRateShift;
  failed |= feeChecks(terms);
  failed |= dateChecks(terms);
  failed |= combinationChecks(terms);
  return failed;
}

/** What validation needs to know of a rate, worked out once per Decimal (they are immutable). */
interface RateVerdict {
  readonly negative: boolean;
  /** Above each limit a rate is checked against. */
  readonly aboveAnnualMax: boolean;
  readonly abovePeriodFeeMax: boolean;
  readonly precisionExceeded: boolean;
}

const verdicts = new WeakMap<Decimal, RateVerdict>();

function verdictOf(rate: Decimal): RateVerdict {
  const known = verdicts.get(rate);
  if (known !== undefined) return known;
  // On the rate's exact fraction rather than on Decimal calls.
  const exact = rationalFromDecimal(rate);
  const verdict: RateVerdict = {
    negative: exact.num < 0n,
    aboveAnnualMax: exact.num > BigInt(annualRateMax) * exact.den,
    abovePeriodFeeMax: exact.num > BigInt(periodFeeRateMax) * exact.den,
    precisionExceeded: decimalPlaces(exact) > rateDecimalPlacesMax,
  };
  verdicts.set(rate, verdict);
  return verdict;
}

/** Bit 0 negative, bit 1 above `max`, bit 2 too many places; zero — most fee rates — passes all. */
function rateChecks(rate: Decimal, max: number): number {
  if (rate.isZero()) return 0;
  const verdict = verdictOf(rate);
  if (verdict.negative) return 1;
  if (max === annualRateMax ? verdict.aboveAnnualMax : verdict.abovePeriodFeeMax) return 2;
  return verdict.precisionExceeded ? 4 : 0;
}

function feeChecks(terms: LoanTerms): number {
  let failed = 0;
  const fee = terms.upfrontFeeMinor;
  if (fee < 0n) failed |= upfrontFeeNegative;
  else if (fee > amountMinorMax) failed |= upfrontFeeTooLarge;
  else if (terms.upfrontFeeMode === 'deducted' && terms.principalMinor > 0n && fee >= terms.principalMinor)
    failed |= upfrontFeeNotBelowPrincipal;
  if (terms.periodFeeMinor < 0n) failed |= periodFeeNegative;
  if (!methodHasPeriodFee(terms.method)) {
    if (!terms.periodFeeRate.isZero()) failed |= periodFeeRateNotSupported;
    if (terms.periodFeeMinor !== 0n) failed |= periodFeeNotSupported;
  }
  const discount = terms.merchantDiscountMinor;
  if (discount < 0n) failed |= discountNegative;
  // (Both zero, the usual case, can never exceed a positive principal: no subtraction needed.)
  else if (
    (discount !== 0n || fee !== 0n) &&
    terms.principalMinor > 0n &&
    discount > terms.principalMinor - fee
  )
    failed |= discountAbovePayout;
  return failed;
}

function dateChecks(terms: LoanTerms): number {
  let failed = 0;
  if (yearOf(terms.startDate) > loanStartYearMax) failed |= startYearTooLate;
  const first = terms.firstDueDate;
  if (first !== undefined && first <= terms.startDate) failed |= firstDueNotAfterStart;
  const dueDay = terms.dueDay;
  if (dueDay === undefined) return failed;
  if (!Number.isInteger(dueDay) || dueDay < 1 || dueDay > 31) return failed | dueDayInvalid;
  if (terms.frequency.kind !== 'monthly') return failed | dueDayNotMonthly;
  if (first !== undefined) {
    const { year, month, day } = dateParts(first);
    if (day !== Math.min(dueDay, daysInMonth(year, month))) failed |= firstDueNotOnDueDay;
  }
  return failed;
}

function combinationChecks(terms: LoanTerms): number {
  let failed = 0;
  const method = terms.method;
  if ((method === 'bullet' || method === 'daily') && terms.interestPeriod === 'per_period')
    failed |= dailyMethodPerPeriod;
  if (terms.remainder === 'last_interest' && method !== 'equal_installment' && method !== 'flat_fee')
    failed |= lastInterestWithoutLevel;
  if (
    terms.graceTerms > 0 &&
    method !== 'equal_installment' &&
    method !== 'equal_principal' &&
    method !== 'flat_fee'
  )
    failed |= graceWithoutPrincipal;
  if (method === 'flat_fee' && !terms.annualRate.isZero()) failed |= flatFeeWithRate;
  return failed;
}

function issuesOf(terms: LoanTerms, failed: number): Issue[] {
  const issues: Issue[] = [];
  const add = (bit: number, found: Issue) => {
    if ((failed & bit) !== 0) issues.push(found);
  };
  add(principalNotPositive, issue('principal_not_positive', 'principal', 'principal must be above zero'));
  add(
    principalTooLarge,
    issue('amount_too_large', 'principal', `principal must be at most ${amountMinorMax} minor units`),
  );
  add(termCountZero, issue('term_count_zero', 'termCount', 'termCount must be at least 1'));
  add(
    termCountInvalid,
    issue('term_count_invalid', 'termCount', `termCount must be an integer from 1 to ${termCountMax}`),
  );
  add(
    graceTermsInvalid,
    issue('grace_terms_invalid', 'graceTerms', 'graceTerms must be an integer from 0 to termCount − 1'),
  );
  for (const [shift, path, max] of [
    [annualRateShift, 'annualRate', annualRateMax],
    [periodFeeRateShift, 'periodFeeRate', periodFeeRateMax],
    [penaltyRateShift, 'penaltyRate', annualRateMax],
  ] as const) {
    add(1 << shift, issue('rate_negative', path, `${path} must not be negative`));
    add(2 << shift, issue('rate_too_large', path, `${path} must be at most ${max}`));
    add(
      4 << shift,
      issue(
        'rate_precision_exceeded',
        path,
        `${path} may have at most ${rateDecimalPlacesMax} decimal places`,
      ),
    );
  }
  add(upfrontFeeNegative, issue('amount_negative', 'upfrontFee', 'upfrontFee must not be negative'));
  add(upfrontFeeTooLarge, issue('amount_too_large', 'upfrontFee', 'upfrontFee is too large'));
  add(
    upfrontFeeNotBelowPrincipal,
    issue('upfront_fee_too_large', 'upfrontFee', 'a deducted upfrontFee must be below the principal'),
  );
  add(periodFeeNegative, issue('amount_negative', 'periodFee', 'periodFee must not be negative'));
  const noPeriods = `${terms.method} has no regular periods to charge a fee on`;
  add(periodFeeRateNotSupported, issue('fee_rate_not_supported_by_method', 'periodFeeRate', noPeriods));
  add(periodFeeNotSupported, issue('fee_rate_not_supported_by_method', 'periodFee', noPeriods));
  add(
    discountNegative,
    issue('amount_negative', 'merchantDiscount', 'merchantDiscount must not be negative'),
  );
  add(
    discountAbovePayout,
    issue('amount_too_large', 'merchantDiscount', 'merchantDiscount must not exceed the amount paid out'),
  );
  add(
    startYearTooLate,
    issue('date_invalid', 'startDate', `startDate must be in or before ${loanStartYearMax}`),
  );
  add(
    firstDueNotAfterStart,
    issue('first_due_date_before_start', 'firstDueDate', 'firstDueDate must be after startDate'),
  );
  add(dueDayInvalid, issue('due_day_invalid', 'dueDay', 'dueDay must be an integer from 1 to 31'));
  add(
    dueDayNotMonthly,
    issue('unsupported_combination', 'dueDay', 'dueDay applies to monthly frequency only'),
  );
  add(
    firstDueNotOnDueDay,
    issue('first_due_date_not_on_due_day', 'firstDueDate', `firstDueDate must fall on day ${terms.dueDay}`),
  );
  add(
    dailyMethodPerPeriod,
    issue(
      'unsupported_combination',
      'interestPeriod',
      `${terms.method} accrues interest by actual days: use interestPeriod daily`,
    ),
  );
  add(
    lastInterestWithoutLevel,
    issue(
      'unsupported_combination',
      'remainder',
      'last_interest needs level payments (equal_installment or flat_fee)',
    ),
  );
  add(
    graceWithoutPrincipal,
    issue('unsupported_combination', 'graceTerms', `${terms.method} has no principal to defer`),
  );
  add(
    flatFeeWithRate,
    issue(
      'unsupported_combination',
      'annualRate',
      'flat_fee charges periodFeeRate on the original principal, not interest',
    ),
  );
  return issues;
}
