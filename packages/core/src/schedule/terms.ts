import { Decimal } from 'decimal.js';
import type { DayCount } from '../date/day-count.ts';
import type { Frequency } from '../date/frequency.ts';
import type { LocalDate } from '../date/local-date.ts';
import type { Currency } from '../money/currency.ts';
import { CNY } from '../money/currency.ts';
import type { RoundingMode } from '../money/rounding.ts';
import type { RemainderPolicy } from './amounts.ts';

export type { RemainderPolicy } from './amounts.ts';

export const repaymentMethods = [
  'equal_installment',
  'equal_principal',
  'interest_first',
  'flat_fee',
  'bullet',
  'daily',
] as const;
export type RepaymentMethod = (typeof repaymentMethods)[number];

export const interestPeriods = ['per_period', 'daily'] as const;
export type InterestPeriod = (typeof interestPeriods)[number];

export const remainderPolicies = ['last_principal', 'last_interest'] as const;

export const upfrontFeeModes = ['deducted', 'financed'] as const;
export type UpfrontFeeMode = (typeof upfrontFeeModes)[number];

/** Methods that repay in one amount or on demand have no regular periods to charge a fee on. */
export function methodHasPeriodFee(method: RepaymentMethod): boolean {
  return method !== 'bullet' && method !== 'daily';
}

/** Interest of bullet and daily loans is by definition P × annual × days / basis. */
export function defaultInterestPeriod(method: RepaymentMethod): InterestPeriod {
  return method === 'bullet' || method === 'daily' ? 'daily' : 'per_period';
}

/** Everything a schedule depends on, fully spelled out: there are no hidden defaults past this type. */
export interface LoanTerms {
  /** What the borrower asks for: the cash drawn or the price of the goods, in minor units. */
  readonly principalMinor: bigint;
  readonly currency: Currency;
  readonly method: RepaymentMethod;
  readonly annualRate: Decimal;
  /** Per-period fee as a fraction of the financed principal (等本等息 手续费率, or a monthly service fee). */
  readonly periodFeeRate: Decimal;
  /** A fixed fee charged with every installment. */
  readonly periodFeeMinor: bigint;
  readonly termCount: number;
  readonly frequency: Frequency;
  readonly startDate: LocalDate;
  /** A first due date that breaks the regular rhythm (a long or short first period). */
  readonly firstDueDate: LocalDate | undefined;
  /** A fixed day of the month for monthly due dates (31 means the last day of shorter months). */
  readonly dueDay: number | undefined;
  readonly interestPeriod: InterestPeriod;
  readonly dayCount: DayCount;
  readonly remainder: RemainderPolicy;
  readonly rounding: RoundingMode;
  readonly upfrontFeeMinor: bigint;
  readonly upfrontFeeMode: UpfrontFeeMode;
  /** Principal grace: the first k installments pay interest (and fees) only. */
  readonly graceTerms: number;
  /** Annual penalty rate on overdue amounts; undefined means the contract rate + 50 %. */
  readonly penaltyRate: Decimal | undefined;
  /**
   * 贴息: the discount a merchant gives up to fund a promotional rate. It reduces what the merchant
   * is paid and never touches the borrower's cash flows, so the borrower's APR stays what they pay.
   */
  readonly merchantDiscountMinor: bigint;
}

export type LoanTermsInput = Pick<LoanTerms, 'principalMinor' | 'method' | 'termCount' | 'startDate'> &
  Partial<Omit<LoanTerms, 'principalMinor' | 'method' | 'termCount' | 'startDate'>>;

/** PBOC rule of thumb for overdue loans: contract rate plus 30–50 %; Fenqi defaults to +50 %. */
export const penaltyRateMultiplierDefault = new Decimal('1.5');

/** The penalty rate in force: the product's, or the contract rate + 50 %. */
export function effectivePenaltyRate(terms: LoanTerms): Decimal {
  return terms.penaltyRate ?? terms.annualRate.times(penaltyRateMultiplierDefault);
}

// Defaults are shared objects (Decimal is immutable, a frequency is never mutated), so the
// per-rate caches of validation and rate derivation hit for every loan that takes the default.
const rateZero = new Decimal(0);
const monthly: Frequency = Object.freeze({ kind: 'monthly' });

/** Fills the documented defaults; an explicit value always wins. */
export function loanTerms(input: LoanTermsInput): LoanTerms {
  const annualRate = input.annualRate ?? rateZero;
  return {
    principalMinor: input.principalMinor,
    currency: input.currency ?? CNY,
    method: input.method,
    annualRate,
    periodFeeRate: input.periodFeeRate ?? rateZero,
    periodFeeMinor: input.periodFeeMinor ?? 0n,
    termCount: input.termCount,
    frequency: input.frequency ?? monthly,
    startDate: input.startDate,
    firstDueDate: input.firstDueDate,
    dueDay: input.dueDay,
    interestPeriod: input.interestPeriod ?? defaultInterestPeriod(input.method),
    dayCount: input.dayCount ?? 'ACT_360',
    remainder: input.remainder ?? 'last_principal',
    rounding: input.rounding ?? 'half_up',
    upfrontFeeMinor: input.upfrontFeeMinor ?? 0n,
    upfrontFeeMode: input.upfrontFeeMode ?? 'deducted',
    graceTerms: input.graceTerms ?? 0,
    penaltyRate: input.penaltyRate,
    merchantDiscountMinor: input.merchantDiscountMinor ?? 0n,
  };
}

/** The principal that is amortized: a financed up-front fee is lent along with the principal. */
export function financedPrincipal(terms: LoanTerms): bigint {
  return terms.upfrontFeeMode === 'financed'
    ? terms.principalMinor + terms.upfrontFeeMinor
    : terms.principalMinor;
}

/** What the borrower actually receives (cash, or goods paid for on their behalf). */
export function disbursedAmount(terms: LoanTerms): bigint {
  // Without a fee the principal itself: a subtraction would allocate a new bigint per schedule.
  return terms.upfrontFeeMode === 'deducted' && terms.upfrontFeeMinor !== 0n
    ? terms.principalMinor - terms.upfrontFeeMinor
    : terms.principalMinor;
}
