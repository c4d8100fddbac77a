import { Decimal } from 'decimal.js';
import type { LocalDate } from '../date/local-date.ts';
import type { Issue, Result } from '../issue.ts';
import { failed, issue, ok } from '../issue.ts';
import { divideRounded } from '../money/rounding.ts';
import type { PenaltyTerms } from '../penalty/penalty-interest.ts';
import { penaltyInterest, penaltyTermsFor } from '../penalty/penalty-interest.ts';
import { rationalFromDecimal } from '../rate/rational.ts';
import type { Installment, Schedule } from '../schedule/schedule.ts';
import { accruedInterestTo } from '../servicing/accrual.ts';

// Early payoff (提前结清) on any date. The borrower owes:
//   every installment already due — its unpaid principal, interest and fee, plus penalty interest
//     from its due date;
//   the current period — interest (and the per-period fee) either accrued to the date (pro rata by
//     days; actual-day products: opening balance × annual × days / basis) or for the whole period,
//     as the product says; 随借随还 (daily) loans always accrue to the date;
//   all principal not yet due, and a prepayment fee as a percentage of that prepaid principal.
// Future periods carry no interest or fee. On the start date this is exactly the principal.

export const payoffInterestRules = ['accrued_to_date', 'full_period'] as const;
export type PayoffInterestRule = (typeof payoffInterestRules)[number];

/** What has been paid toward one installment so far (servicing state). */
export interface InstallmentPaid {
  readonly number: number;
  readonly principalMinor: bigint;
  readonly interestMinor: bigint;
  readonly feeMinor: bigint;
  readonly penaltyMinor: bigint;
}

export interface PayoffOptions {
  readonly interestRule: PayoffInterestRule;
  /** Fraction of the prepaid principal charged as a prepayment fee; default 0. */
  readonly prepaymentFeeRate: Decimal;
  readonly penalty: PenaltyTerms;
}

export interface PayoffQuote {
  readonly asOf: LocalDate;
  readonly principalMinor: bigint;
  readonly interestMinor: bigint;
  readonly feeMinor: bigint;
  readonly penaltyMinor: bigint;
  readonly prepaymentFeeMinor: bigint;
  /** Principal of installments not yet due on `asOf` (the base of the prepayment fee). */
  readonly prepaidPrincipalMinor: bigint;
  readonly totalMinor: bigint;
}

const nothingPaid = (number: number): InstallmentPaid => ({
  number,
  principalMinor: 0n,
  interestMinor: 0n,
  feeMinor: 0n,
  penaltyMinor: 0n,
});

export function payoffQuote(
  schedule: Schedule,
  asOf: LocalDate,
  paid: readonly InstallmentPaid[] = [],
  options: Partial<PayoffOptions> = {},
): Result<PayoffQuote> {
  const terms = schedule.terms;
  const rule = terms.method === 'daily' ? 'accrued_to_date' : (options.interestRule ?? 'accrued_to_date');
  const feeRate = options.prepaymentFeeRate ?? new Decimal(0);
  const penaltyTerms = options.penalty ?? penaltyTermsFor(terms);
  const issues: Issue[] = [];
  if (asOf < terms.startDate)
    issues.push(issue('date_out_of_schedule', 'asOf', 'a payoff cannot be before the start date'));
  if (feeRate.lessThan(0)) {
    issues.push(issue('rate_negative', 'prepaymentFeeRate', 'prepaymentFeeRate must not be negative'));
  }
  const paidByNumber = new Map(paid.map((entry) => [entry.number, entry]));
  for (const installment of schedule.installments) {
    const entry = paidByNumber.get(installment.number);
    if (entry !== undefined && !paidWithinDue(installment, entry)) {
      issues.push(
        issue('paid_exceeds_due', `paid[${installment.number}]`, 'paid amounts exceed the installment'),
      );
    }
  }
  if (issues.length > 0) return failed(issues);
  let principal = 0n;
  let interest = 0n;
  let fee = 0n;
  let penalty = 0n;
  let prepaid = 0n;
  for (const installment of schedule.installments) {
    const done = paidByNumber.get(installment.number) ?? nothingPaid(installment.number);
    const unpaidPrincipal = installment.principalMinor - done.principalMinor;
    const unpaidInterest = installment.interestMinor - done.interestMinor;
    const unpaidFee = installment.feeMinor - done.feeMinor;
    principal += unpaidPrincipal;
    if (installment.dueDate <= asOf) {
      interest += unpaidInterest;
      fee += unpaidFee;
      const overdue = { principalMinor: unpaidPrincipal, interestMinor: unpaidInterest, feeMinor: unpaidFee };
      const owed = penaltyInterest(overdue, installment.dueDate, asOf, penaltyTerms) - done.penaltyMinor;
      penalty += owed > 0n ? owed : 0n;
      continue;
    }
    prepaid += unpaidPrincipal;
    if (installment.periodStart > asOf) continue;
    const current = rule === 'full_period' ? installment : accruedInterestTo(terms, installment, asOf);
    const currentInterest = current.interestMinor - done.interestMinor;
    const currentFee = current.feeMinor - done.feeMinor;
    interest += currentInterest > 0n ? currentInterest : 0n;
    fee += currentFee > 0n ? currentFee : 0n;
  }
  const rate = rationalFromDecimal(feeRate);
  const prepaymentFee = divideRounded(prepaid * rate.num, rate.den, terms.rounding);
  return ok({
    asOf,
    principalMinor: principal,
    interestMinor: interest,
    feeMinor: fee,
    penaltyMinor: penalty,
    prepaymentFeeMinor: prepaymentFee,
    prepaidPrincipalMinor: prepaid,
    totalMinor: principal + interest + fee + penalty + prepaymentFee,
  });
}

function paidWithinDue(installment: Installment, paid: InstallmentPaid): boolean {
  const within = (amount: bigint, due: bigint) => amount >= 0n && amount <= due;
  return (
    within(paid.principalMinor, installment.principalMinor) &&
    within(paid.interestMinor, installment.interestMinor) &&
    within(paid.feeMinor, installment.feeMinor) &&
    paid.penaltyMinor >= 0n
  );
}
