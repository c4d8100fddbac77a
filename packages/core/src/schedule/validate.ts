import type { Decimal } from 'decimal.js';
import { dateParts, daysInMonth } from '../date/local-date.ts';
import type { Issue } from '../issue.ts';
import { issue } from '../issue.ts';
import { amountMinorMax } from '../money/amount.ts';
import { decimalPlaces, rationalFromDecimal } from '../rate/rational.ts';
import type { LoanTerms } from './terms.ts';
import { methodHasPeriodFee } from './terms.ts';

// Semantic checks of loan terms. Expected bad input becomes issues with stable codes; paths name
// the quote request field, so the API can point at what the caller wrote.

export const termCountMax = 600;
export const annualRateMax = 10;
export const periodFeeRateMax = 1;
export const rateDecimalPlacesMax = 12;
/** Keeps the last due date of the longest loan inside the LocalDate range. */
export const loanStartYearMax = 9000;

export function validateLoanTerms(terms: LoanTerms): Issue[] {
  return [
    ...principalIssues(terms),
    ...termIssues(terms),
    ...rateIssues(terms.annualRate, 'annualRate', annualRateMax),
    ...rateIssues(terms.periodFeeRate, 'periodFeeRate', periodFeeRateMax),
    ...(terms.penaltyRate === undefined ? [] : rateIssues(terms.penaltyRate, 'penaltyRate', annualRateMax)),
    ...feeIssues(terms),
    ...dateIssues(terms),
    ...combinationIssues(terms),
  ];
}

function principalIssues(terms: LoanTerms): Issue[] {
  if (terms.principalMinor <= 0n)
    return [issue('principal_not_positive', 'principal', 'principal must be above zero')];
  if (terms.principalMinor > amountMinorMax) {
    return [
      issue('amount_too_large', 'principal', `principal must be at most ${amountMinorMax} minor units`),
    ];
  }
  return [];
}

function termIssues(terms: LoanTerms): Issue[] {
  const issues: Issue[] = [];
  if (terms.termCount === 0)
    issues.push(issue('term_count_zero', 'termCount', 'termCount must be at least 1'));
  else if (!Number.isInteger(terms.termCount) || terms.termCount < 0 || terms.termCount > termCountMax) {
    issues.push(
      issue('term_count_invalid', 'termCount', `termCount must be an integer from 1 to ${termCountMax}`),
    );
  }
  const grace = terms.graceTerms;
  if (!Number.isInteger(grace) || grace < 0 || (grace > 0 && grace >= terms.termCount)) {
    issues.push(
      issue('grace_terms_invalid', 'graceTerms', 'graceTerms must be an integer from 0 to termCount − 1'),
    );
  }
  return issues;
}

function rateIssues(rate: Decimal, path: string, max: number): Issue[] {
  // On the rate's exact fraction (converted once per product rate) rather than on Decimal calls.
  const exact = rationalFromDecimal(rate);
  if (exact.num < 0n) return [issue('rate_negative', path, `${path} must not be negative`)];
  if (exact.num > BigInt(max) * exact.den)
    return [issue('rate_too_large', path, `${path} must be at most ${max}`)];
  if (decimalPlaces(exact) > rateDecimalPlacesMax) {
    return [
      issue(
        'rate_precision_exceeded',
        path,
        `${path} may have at most ${rateDecimalPlacesMax} decimal places`,
      ),
    ];
  }
  return [];
}

function feeIssues(terms: LoanTerms): Issue[] {
  const issues: Issue[] = [];
  const fee = terms.upfrontFeeMinor;
  if (fee < 0n) issues.push(issue('amount_negative', 'upfrontFee', 'upfrontFee must not be negative'));
  else if (fee > amountMinorMax)
    issues.push(issue('amount_too_large', 'upfrontFee', 'upfrontFee is too large'));
  else if (terms.upfrontFeeMode === 'deducted' && terms.principalMinor > 0n && fee >= terms.principalMinor) {
    issues.push(
      issue('upfront_fee_too_large', 'upfrontFee', 'a deducted upfrontFee must be below the principal'),
    );
  }
  if (terms.periodFeeMinor < 0n)
    issues.push(issue('amount_negative', 'periodFee', 'periodFee must not be negative'));
  if (!methodHasPeriodFee(terms.method)) {
    if (!terms.periodFeeRate.isZero()) {
      issues.push(
        issue(
          'fee_rate_not_supported_by_method',
          'periodFeeRate',
          `${terms.method} has no regular periods to charge a fee on`,
        ),
      );
    }
    if (terms.periodFeeMinor !== 0n) {
      issues.push(
        issue(
          'fee_rate_not_supported_by_method',
          'periodFee',
          `${terms.method} has no regular periods to charge a fee on`,
        ),
      );
    }
  }
  const discount = terms.merchantDiscountMinor;
  if (discount < 0n)
    issues.push(issue('amount_negative', 'merchantDiscount', 'merchantDiscount must not be negative'));
  else if (discount > terms.principalMinor - terms.upfrontFeeMinor && terms.principalMinor > 0n) {
    issues.push(
      issue('amount_too_large', 'merchantDiscount', 'merchantDiscount must not exceed the amount paid out'),
    );
  }
  return issues;
}

function dateIssues(terms: LoanTerms): Issue[] {
  const issues: Issue[] = [];
  if (dateParts(terms.startDate).year > loanStartYearMax) {
    issues.push(issue('date_invalid', 'startDate', `startDate must be in or before ${loanStartYearMax}`));
  }
  const first = terms.firstDueDate;
  if (first !== undefined && first <= terms.startDate) {
    issues.push(issue('first_due_date_before_start', 'firstDueDate', 'firstDueDate must be after startDate'));
  }
  const dueDay = terms.dueDay;
  if (dueDay === undefined) return issues;
  if (!Number.isInteger(dueDay) || dueDay < 1 || dueDay > 31) {
    issues.push(issue('due_day_invalid', 'dueDay', 'dueDay must be an integer from 1 to 31'));
    return issues;
  }
  if (terms.frequency.kind !== 'monthly') {
    issues.push(issue('unsupported_combination', 'dueDay', 'dueDay applies to monthly frequency only'));
  } else if (first !== undefined) {
    const { year, month, day } = dateParts(first);
    if (day !== Math.min(dueDay, daysInMonth(year, month))) {
      issues.push(
        issue('first_due_date_not_on_due_day', 'firstDueDate', `firstDueDate must fall on day ${dueDay}`),
      );
    }
  }
  return issues;
}

function combinationIssues(terms: LoanTerms): Issue[] {
  const issues: Issue[] = [];
  const method = terms.method;
  if ((method === 'bullet' || method === 'daily') && terms.interestPeriod === 'per_period') {
    issues.push(
      issue(
        'unsupported_combination',
        'interestPeriod',
        `${method} accrues interest by actual days: use interestPeriod daily`,
      ),
    );
  }
  if (terms.remainder === 'last_interest' && method !== 'equal_installment' && method !== 'flat_fee') {
    issues.push(
      issue(
        'unsupported_combination',
        'remainder',
        'last_interest needs level payments (equal_installment or flat_fee)',
      ),
    );
  }
  if (
    terms.graceTerms > 0 &&
    method !== 'equal_installment' &&
    method !== 'equal_principal' &&
    method !== 'flat_fee'
  ) {
    issues.push(issue('unsupported_combination', 'graceTerms', `${method} has no principal to defer`));
  }
  if (method === 'flat_fee' && !terms.annualRate.isZero()) {
    issues.push(
      issue(
        'unsupported_combination',
        'annualRate',
        'flat_fee charges periodFeeRate on the original principal, not interest',
      ),
    );
  }
  return issues;
}
