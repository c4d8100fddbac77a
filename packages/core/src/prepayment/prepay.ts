import { Decimal } from 'decimal.js';
import { assert } from '../assert.ts';
import type { LocalDate } from '../date/local-date.ts';
import type { Issue, Result } from '../issue.ts';
import { failed, issue, ok } from '../issue.ts';
import { divideRounded } from '../money/rounding.ts';
import { rationalFromDecimal } from '../rate/rational.ts';
import type { Period } from '../schedule/periods.ts';
import { loanPeriods } from '../schedule/periods.ts';
import type { Installment, Schedule, Split } from '../schedule/schedule.ts';
import { installmentsFromSplit, scheduleTotals, splitAmortizing } from '../schedule/schedule.ts';

// Partial prepayment (部分提前还款) right after an installment is settled (or on the start date):
// the extra amount repays principal, a prepayment fee may be charged on it, and the rest of the
// loan is re-amortized over the same remaining due dates —
//   reduce_payment: same number of installments, a smaller payment (equal principal: smaller parts);
//   reduce_term:    the same payment (equal principal: the same principal part), fewer installments.
// Installments already settled are kept as they were. Money is conserved: principal in the new
// installments plus everything prepaid equals the financed principal.

export const prepaymentModes = ['reduce_payment', 'reduce_term'] as const;
export type PrepaymentMode = (typeof prepaymentModes)[number];

export interface PrepaymentRequest {
  /** The installment just settled; 0 prepays on the start date. */
  readonly afterInstallment: number;
  readonly amountMinor: bigint;
  readonly mode: PrepaymentMode;
  readonly prepaymentFeeRate?: Decimal;
}

export interface Prepayment {
  readonly date: LocalDate;
  readonly principalPrepaidMinor: bigint;
  readonly prepaymentFeeMinor: bigint;
  readonly schedule: Schedule;
}

export function prepay(schedule: Schedule, request: PrepaymentRequest): Result<Prepayment> {
  const issues = prepaymentIssues(schedule, request);
  if (issues.length > 0) return failed(issues);
  const terms = schedule.terms;
  const k = request.afterInstallment;
  const kept = schedule.installments.slice(0, k);
  const remaining = schedule.installments.slice(k);
  const balance = balanceAfter(schedule, k) - request.amountMinor;
  const periods = loanPeriods(terms).slice(k, k + remaining.length);
  const fee = remaining[0]?.feeMinor ?? 0n;
  const graceLeft = Math.max(0, terms.graceTerms - k);
  const split =
    request.mode === 'reduce_payment'
      ? splitAmortizing({ ...terms, graceTerms: graceLeft }, periods, balance, fee)
      : reducedTerm(schedule, remaining, periods, balance, graceLeft);
  if (split === null) {
    return failed([
      issue(
        'principal_too_small_for_term_count',
        'amount',
        'the balance left is too small to spread over the remaining installments',
      ),
    ]);
  }
  const reamortized = installmentsFromSplit(periods.slice(0, split.principalMinor.length), balance, split);
  const installments = [...kept, ...reamortized];
  const prepaid = schedule.prepaidPrincipalMinor + request.amountMinor;
  const totals = scheduleTotals(installments);
  assert(
    totals.principalMinor + prepaid === schedule.financedPrincipalMinor,
    'prepay: principal not conserved',
  );
  const rate = rationalFromDecimal(request.prepaymentFeeRate ?? new Decimal(0));
  return ok({
    date: kept.at(-1)?.dueDate ?? terms.startDate,
    principalPrepaidMinor: request.amountMinor,
    prepaymentFeeMinor: divideRounded(request.amountMinor * rate.num, rate.den, terms.rounding),
    schedule: {
      ...schedule,
      prepaidPrincipalMinor: prepaid,
      paymentMinor: request.mode === 'reduce_payment' ? split.paymentMinor : schedule.paymentMinor,
      installments,
      totals,
    },
  });
}

function prepaymentIssues(schedule: Schedule, request: PrepaymentRequest): Issue[] {
  const method = schedule.terms.method;
  const count = schedule.installments.length;
  const issues: Issue[] = [];
  // 随借随还 (daily) repays principal in equal parts with interest on the balance, so it is
  // re-amortized exactly as equal principal is; flat fee (fees on the original principal) and
  // bullet (one installment) have no later installments to re-amortize.
  if (
    method !== 'equal_installment' &&
    method !== 'equal_principal' &&
    method !== 'interest_first' &&
    method !== 'daily'
  ) {
    issues.push(
      issue('prepayment_not_supported_by_method', 'method', `${method} has no schedule to re-amortize`),
    );
  } else if (method === 'interest_first' && request.mode === 'reduce_term') {
    issues.push(
      issue(
        'unsupported_combination',
        'mode',
        'interest_first repays principal at the end: use reduce_payment',
      ),
    );
  }
  const k = request.afterInstallment;
  if (!Number.isInteger(k) || k < 0 || k >= count) {
    issues.push(
      issue('date_out_of_schedule', 'afterInstallment', `afterInstallment must be from 0 to ${count - 1}`),
    );
    return issues;
  }
  if (request.amountMinor <= 0n || request.amountMinor >= balanceAfter(schedule, k)) {
    issues.push(
      issue(
        'prepayment_amount_invalid',
        'amount',
        'a partial prepayment must be above zero and below the balance (use a payoff)',
      ),
    );
  }
  const feeRate = request.prepaymentFeeRate;
  if (feeRate?.lessThan(0)) {
    issues.push(issue('rate_negative', 'prepaymentFeeRate', 'prepaymentFeeRate must not be negative'));
  }
  return issues;
}

/**
 * The principal still owed after installment `k`: the financed principal less everything prepaid
 * and the installments kept. Not installment k's balanceMinor, which is the balance before any
 * prepayment made after it (a second prepayment after the same installment would re-amortize the
 * first one's principal again).
 */
function balanceAfter(schedule: Schedule, k: number): bigint {
  const kept = schedule.installments.slice(0, k).reduce((sum, i) => sum + i.principalMinor, 0n);
  return schedule.financedPrincipalMinor - schedule.prepaidPrincipalMinor - kept;
}

/** Keeps the payment (or principal part) and stops as soon as the smaller balance is repaid. */
function reducedTerm(
  schedule: Schedule,
  remaining: readonly Installment[],
  periods: readonly Period[],
  balance: bigint,
  graceLeft: number,
): Split {
  const terms = schedule.terms;
  const fee = remaining[0]?.feeMinor ?? 0n;
  const principalParts: bigint[] = [];
  const interestParts: bigint[] = [];
  const level =
    terms.method === 'equal_installment'
      ? (schedule.paymentMinor ?? 0n) - fee
      : (remaining[graceLeft]?.principalMinor ?? balance);
  let left = balance;
  for (const [index, period] of periods.entries()) {
    const interest = divideRounded(left * period.rate.num, period.rate.den, terms.rounding);
    const isLast = index === periods.length - 1;
    let principal: bigint;
    if (index < graceLeft) principal = 0n;
    else if (terms.method === 'equal_installment')
      principal = isLast || left + interest <= level ? left : level - interest;
    else principal = isLast || left <= level ? left : level;
    assert(principal >= 0n, 'reducedTerm: the payment no longer covers the interest');
    principalParts.push(principal);
    interestParts.push(interest);
    left -= principal;
    if (left === 0n) break;
  }
  return {
    paymentMinor: schedule.paymentMinor,
    principalMinor: principalParts,
    interestMinor: interestParts,
    feeMinor: principalParts.map(() => fee),
  };
}
