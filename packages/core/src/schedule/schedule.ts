import { assert } from '../assert.ts';
import type { LocalDate } from '../date/local-date.ts';
import type { Result } from '../issue.ts';
import { failed, issue, ok } from '../issue.ts';
import { divideRounded } from '../money/rounding.ts';
import { periodicRate } from '../rate/periodic-rate.ts';
import { rationalFromDecimal } from '../rate/rational.ts';
import type { SafeAmounts } from './amounts.ts';
import { equalInstallment, equalInstallmentSafe } from './equal-installment.ts';
import { equalPrincipal, equalPrincipalSafe } from './equal-principal.ts';
import { flatFee } from './flat-fee.ts';
import { interestFirst } from './interest-first.ts';
import type { Period } from './periods.ts';
import { hasRegularDates, loanPeriods } from './periods.ts';
import type { LoanTerms } from './terms.ts';
import { disbursedAmount, financedPrincipal, methodHasPeriodFee } from './terms.ts';
import { validateLoanTerms } from './validate.ts';

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
  const issues = validateLoanTerms(terms);
  if (issues.length > 0) return failed(issues);
  const periods = loanPeriods(terms);
  const financed = financedPrincipal(terms);
  const split = splitInstallments(terms, periods, financed);
  if (split === null) {
    return failed([
      issue(
        'principal_too_small_for_term_count',
        'principal',
        `${financed} minor units cannot be split over ${terms.termCount} installments without a negative balance`,
      ),
    ]);
  }
  return ok(assemble(terms, periods, financed, split, hasRegularDates(terms)));
}

/** The fee every installment carries: a fixed amount plus a rate on the financed principal. */
export function periodFee(terms: LoanTerms, financed: bigint): bigint {
  if (!methodHasPeriodFee(terms.method)) return 0n;
  const rate = rationalFromDecimal(terms.periodFeeRate);
  if (rate.num === 0n) return terms.periodFeeMinor;
  return terms.periodFeeMinor + divideRounded(financed * rate.num, rate.den, terms.rounding);
}

function splitInstallments(terms: LoanTerms, periods: readonly Period[], financed: bigint): Split | null {
  const fee = periodFee(terms, financed);
  const fast = fastSplit(terms, periods, financed, fee);
  if (fast !== undefined) return fast;
  return splitAmortizing(terms, periods, financed, fee);
}

/**
 * The common case — equal installment or equal principal at one periodic rate, no grace — on the
 * safe-integer kernels. Undefined when the loan falls outside their exact envelope.
 */
function fastSplit(
  terms: LoanTerms,
  periods: readonly Period[],
  financed: bigint,
  fee: bigint,
): Split | null | undefined {
  const method = terms.method;
  if (terms.interestPeriod !== 'per_period' || terms.graceTerms !== 0) return undefined;
  if (method !== 'equal_installment' && method !== 'equal_principal') return undefined;
  if (financed > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  const first = periods[0];
  assert(first !== undefined, 'fastSplit: no periods');
  const rate = periodicRate(first.rate);
  const principal = Number(financed);
  const amounts =
    method === 'equal_installment'
      ? equalInstallmentSafe(principal, rate, periods.length, terms.rounding, terms.remainder)
      : equalPrincipalSafe(principal, rate, periods.length, terms.rounding);
  if (amounts === undefined || amounts === null) return amounts;
  return fromSafe(amounts, method === 'equal_installment' ? BigInt(amounts.paymentMinor) + fee : null, fee);
}

function fromSafe(amounts: SafeAmounts, payment: bigint | null, fee: bigint): Split {
  const count = amounts.principalMinor.length;
  const principalParts: bigint[] = new Array<bigint>(count);
  const interestParts: bigint[] = new Array<bigint>(count);
  for (let k = 0; k < count; k += 1) {
    const principal = amounts.principalMinor[k];
    const interest = amounts.interestMinor[k];
    assert(principal !== undefined && interest !== undefined, 'fromSafe: ragged amounts');
    principalParts[k] = BigInt(principal);
    interestParts[k] = BigInt(interest);
  }
  return {
    paymentMinor: payment,
    principalMinor: principalParts,
    interestMinor: interestParts,
    feeMinor: principalParts.map(() => fee),
  };
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

function assemble(
  terms: LoanTerms,
  periods: readonly Period[],
  financed: bigint,
  split: Split,
  regularDates: boolean,
): Schedule {
  const installments = installmentsFromSplit(periods, financed, split);
  const totals = scheduleTotals(installments);
  // Conservation: the principal parts repay exactly what was lent, never a fen more or less.
  assert(totals.principalMinor === financed, 'assemble: principal parts do not sum to the principal');
  const disbursed = disbursedAmount(terms);
  return {
    terms,
    financedPrincipalMinor: financed,
    disbursedMinor: disbursed,
    merchantPayoutMinor: disbursed - terms.merchantDiscountMinor,
    prepaidPrincipalMinor: 0n,
    paymentMinor: split.paymentMinor,
    regularDates,
    installments,
    totals,
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
