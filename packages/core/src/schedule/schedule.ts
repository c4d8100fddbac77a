import { assert } from '../assert.ts';
import type { LocalDate } from '../date/local-date.ts';
import type { Result } from '../issue.ts';
import { failed, issue, ok } from '../issue.ts';
import { divideRounded } from '../money/rounding.ts';
import { rationalFromDecimal } from '../rate/rational.ts';
import { equalInstallment } from './equal-installment.ts';
import { equalPrincipal } from './equal-principal.ts';
import { flatFee } from './flat-fee.ts';
import { interestFirst } from './interest-first.ts';
import { levelSchedule } from './level-schedule.ts';
import type { Period } from './periods.ts';
import { dueDatePlan, loanPeriods } from './periods.ts';
import type { LoanTerms } from './terms.ts';
import { disbursedAmount, financedPrincipal, methodHasPeriodFee } from './terms.ts';
import { loanTermsValid, validateLoanTerms } from './validate.ts';

export interface Installment {
  readonly number: number;
  readonly periodStart: LocalDate;
  readonly dueDate: LocalDate;
  readonly principalMinor: bigint;
  readonly interestMinor: bigint;
  readonly feeMinor: bigint;
  readonly totalMinor: bigint;
  /** Outstanding principal once this installment is paid. */
  readonly balanceMinor: bigint;
}

export interface ScheduleTotals {
  readonly principalMinor: bigint;
  readonly interestMinor: bigint;
  readonly feeMinor: bigint;
  readonly totalMinor: bigint;
}

export interface Schedule {
  readonly terms: LoanTerms;
  /** The principal amortized: the borrower's principal plus a financed up-front fee. */
  readonly financedPrincipalMinor: bigint;
  /** What the borrower receives: principal less a deducted up-front fee. */
  readonly disbursedMinor: bigint;
  /** What the merchant is paid: the disbursed amount less the merchant discount (贴息). */
  readonly merchantPayoutMinor: bigint;
  /** Principal repaid early by partial prepayments: the installments' principal plus this is the financed principal. */
  readonly prepaidPrincipalMinor: bigint;
  /** The regular installment total, or null when the method has none (equal principal, bullet, daily). */
  readonly paymentMinor: bigint | null;
  /** Every due date is the start plus whole periods, so a periodic IRR describes the cash flows. */
  readonly regularDates: boolean;
  readonly installments: readonly Installment[];
  readonly totals: ScheduleTotals;
}

export interface Split {
  readonly paymentMinor: bigint | null;
  readonly principalMinor: readonly bigint[];
  readonly interestMinor: readonly bigint[];
  readonly feeMinor: readonly bigint[];
}

/** Builds the contractual schedule, or the issues that make the terms unusable. */
export function buildSchedule(terms: LoanTerms): Result<Schedule> {
  if (!loanTermsValid(terms)) return failed(validateLoanTerms(terms));
  const financed = financedPrincipal(terms);
  const fee = periodFee(terms, financed);
  const plan = dueDatePlan(terms);
  const level = levelSchedule(terms, plan, financed, fee);
  if (level !== undefined) {
    if (level === null) return tooSmall(terms, financed);
    return ok(scheduleOf(terms, financed, level, plan.regular));
  }
  const periods = loanPeriods(terms);
  const split = splitAmortizing(terms, periods, financed, fee);
  if (split === null) return tooSmall(terms, financed);
  const installments = installmentsFromSplit(periods, financed, split);
  const totals = scheduleTotals(installments);
  // Conservation: the principal parts repay exactly what was lent, never a fen more or less.
  assert(totals.principalMinor === financed, 'buildSchedule: principal parts do not sum to the principal');
  return ok(
    scheduleOf(terms, financed, { paymentMinor: split.paymentMinor, installments, totals }, plan.regular),
  );
}

function tooSmall(terms: LoanTerms, financed: bigint): Result<Schedule> {
  return failed([
    issue(
      'principal_too_small_for_term_count',
      'principal',
      `${financed} minor units cannot be split over ${terms.termCount} installments without a negative balance`,
    ),
  ]);
}

/** The fee every installment carries: a fixed amount plus a rate on the financed principal. */
export function periodFee(terms: LoanTerms, financed: bigint): bigint {
  if (!methodHasPeriodFee(terms.method)) return 0n;
  if (terms.periodFeeRate.isZero()) return terms.periodFeeMinor;
  const rate = rationalFromDecimal(terms.periodFeeRate);
  return terms.periodFeeMinor + divideRounded(financed * rate.num, rate.den, terms.rounding);
}

/** The general engine: any method, grace periods, per-period or actual-day rates, bigint throughout. */
export function splitAmortizing(
  terms: LoanTerms,
  periods: readonly Period[],
  financed: bigint,
  fee: bigint,
): Split | null {
  const mode = terms.rounding;
  const rates = periods.map((period) => period.rate);
  const grace = terms.graceTerms;
  const graceInterest = rates
    .slice(0, grace)
    .map((rate) => divideRounded(financed * rate.num, rate.den, mode));
  const graceZeros = graceInterest.map(() => 0n);
  const rest = rates.slice(grace);
  const fees = rates.map(() => fee);
  switch (terms.method) {
    case 'equal_installment': {
      const amounts = equalInstallment(financed, rest, mode, terms.remainder);
      if (amounts === null) return null;
      const payment = amounts.paymentMinor;
      assert(payment !== undefined, 'equal installment without a payment');
      return {
        paymentMinor: payment + fee,
        principalMinor: [...graceZeros, ...amounts.principalMinor],
        interestMinor: [...graceInterest, ...amounts.interestMinor],
        feeMinor: fees,
      };
    }
    case 'equal_principal':
    case 'daily': {
      const amounts = equalPrincipal(financed, rest, mode);
      if (amounts === null) return null;
      return {
        paymentMinor: null,
        principalMinor: [...graceZeros, ...amounts.principalMinor],
        interestMinor: [...graceInterest, ...amounts.interestMinor],
        feeMinor: fees,
      };
    }
    case 'flat_fee': {
      const amounts = flatFee(financed, rest.length, fee, mode, terms.remainder);
      if (amounts === null) return null;
      return {
        paymentMinor: amounts.paymentMinor,
        principalMinor: [...graceZeros, ...amounts.principalMinor],
        interestMinor: rates.map(() => 0n),
        feeMinor: [...graceZeros.map(() => fee), ...amounts.feeMinor],
      };
    }
    case 'interest_first':
    case 'bullet': {
      const amounts = interestFirst(financed, rates, mode);
      const regular = terms.method === 'interest_first' && terms.interestPeriod === 'per_period';
      const firstInterest = amounts.interestMinor[0];
      return {
        paymentMinor: regular && firstInterest !== undefined && rates.length > 1 ? firstInterest + fee : null,
        principalMinor: amounts.principalMinor,
        interestMinor: amounts.interestMinor,
        feeMinor: fees,
      };
    }
  }
}

function scheduleOf(
  terms: LoanTerms,
  financed: bigint,
  built: {
    readonly paymentMinor: bigint | null;
    readonly installments: Installment[];
    readonly totals: ScheduleTotals;
  },
  regularDates: boolean,
): Schedule {
  const disbursed = disbursedAmount(terms);
  return {
    terms,
    financedPrincipalMinor: financed,
    disbursedMinor: disbursed,
    merchantPayoutMinor:
      terms.merchantDiscountMinor === 0n ? disbursed : disbursed - terms.merchantDiscountMinor,
    prepaidPrincipalMinor: 0n,
    paymentMinor: built.paymentMinor,
    regularDates,
    installments: built.installments,
    totals: built.totals,
  };
}

/** Installments for `periods` repaying `openingBalance` exactly; the balance ends at zero. */
export function installmentsFromSplit(
  periods: readonly Period[],
  openingBalance: bigint,
  split: Split,
): Installment[] {
  const installments: Installment[] = [];
  let balance = openingBalance;
  for (let index = 0; index < periods.length; index += 1) {
    const period = periods[index];
    const principal = split.principalMinor[index];
    const interest = split.interestMinor[index];
    const fee = split.feeMinor[index];
    assert(
      period !== undefined && principal !== undefined && interest !== undefined && fee !== undefined,
      'installments: ragged split',
    );
    assert(principal >= 0n && interest >= 0n && fee >= 0n, 'installments: negative component');
    balance -= principal;
    assert(balance >= 0n, 'installments: negative balance');
    installments.push({
      number: period.number,
      periodStart: period.start,
      dueDate: period.due,
      principalMinor: principal,
      interestMinor: interest,
      feeMinor: fee,
      totalMinor: principal + interest + fee,
      balanceMinor: balance,
    });
  }
  assert(balance === 0n, 'installments: the balance does not end at zero');
  return installments;
}

export function scheduleTotals(installments: readonly Installment[]): ScheduleTotals {
  let principal = 0n;
  let interest = 0n;
  let fee = 0n;
  for (const installment of installments) {
    principal += installment.principalMinor;
    interest += installment.interestMinor;
    fee += installment.feeMinor;
  }
  return {
    principalMinor: principal,
    interestMinor: interest,
    feeMinor: fee,
    totalMinor: principal + interest + fee,
  };
}
