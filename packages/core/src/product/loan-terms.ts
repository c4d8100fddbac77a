import { Decimal } from 'decimal.js';
import type { AnnualizedRates } from '../apr/annualized.ts';
import { scheduleApr } from '../apr/schedule-apr.ts';
import { periodsPerYear } from '../date/frequency.ts';
import type { LocalDate } from '../date/local-date.ts';
import type { Issue, Result } from '../issue.ts';
import { failed, issue, ok } from '../issue.ts';
import { formatMinor } from '../money/amount.ts';
import type { RoundingMode } from '../money/rounding.ts';
import { divideRounded } from '../money/rounding.ts';
import { rationalFromDecimal } from '../rate/rational.ts';
import type { Schedule } from '../schedule/schedule.ts';
import { buildSchedule } from '../schedule/schedule.ts';
import type { LoanTerms } from '../schedule/terms.ts';
import { loanTerms } from '../schedule/terms.ts';
import { rateDecimalPlacesMax } from '../schedule/validate.ts';
import type { Product, ProductFields, ProductPrice } from './product.ts';

// A loan under a product: the grade picks the price, the borrower picks an offered term and an
// amount within the product's limits, and everything else — day count, rounding, fees, penalty,
// 贴息 — comes from the product. The result is core's LoanTerms, so the schedule, the APR and the
// penalty are computed by the same functions as any quote.

export interface ProductLoanRequest {
  readonly grade: string;
  readonly termCount: number;
  readonly principalMinor: bigint;
  readonly startDate: LocalDate;
  /** The merchant's own discount rate (of principal), added to the product's 贴息 for the term. */
  readonly merchantDiscountRate?: Decimal;
}

const zero = new Decimal(0);

/** Fen as yuan, for messages: 123456n → "1234.56". */
export const yuan = (minor: bigint) => formatMinor(minor, 2);

/** The loan terms of one loan under the product, or why the request does not fit it. */
export function productLoanTerms(product: Product, request: ProductLoanRequest): Result<LoanTerms> {
  const issues: Issue[] = [];
  const price = product.prices.find((candidate) => candidate.grade === request.grade);
  if (price === undefined)
    issues.push(
      issue(
        'value_not_allowed',
        'grade',
        `grade ${request.grade} has no price in product ${product.code} (priced: ${product.prices.map((p) => p.grade).join(', ')})`,
      ),
    );
  if (!product.termsOffered.includes(request.termCount))
    issues.push(
      issue(
        'value_not_allowed',
        'termCount',
        `product ${product.code} offers ${product.termsOffered.join(', ')} installments, not ${request.termCount}`,
      ),
    );
  if (request.principalMinor < product.amountMinMinor || request.principalMinor > product.amountMaxMinor)
    issues.push(
      issue(
        'value_not_allowed',
        'principal',
        `product ${product.code} lends from ${yuan(product.amountMinMinor)} to ${yuan(product.amountMaxMinor)} CNY, not ${yuan(request.principalMinor)}`,
      ),
    );
  const merchantRate = request.merchantDiscountRate ?? zero;
  if (merchantRate.isNegative() || merchantRate.greaterThan(1))
    issues.push(issue('rate_too_large', 'merchantDiscountRate', 'merchantDiscountRate must be from 0 to 1'));
  if (issues.length > 0 || price === undefined) return failed(issues);
  const principal = request.principalMinor;
  const discountRate = (product.merchantDiscount.get(request.termCount) ?? zero).plus(merchantRate);
  return ok(
    loanTerms({
      principalMinor: principal,
      method: product.method,
      termCount: request.termCount,
      startDate: request.startDate,
      annualRate: price.kind === 'annual_rate' ? price.rate : zero,
      periodFeeRate: price.kind === 'period_fee_rate' ? price.rate : zero,
      periodFeeMinor: product.periodFeeMinor,
      frequency: product.frequency,
      interestPeriod: product.interestPeriod,
      dayCount: product.dayCount,
      remainder: product.remainder,
      rounding: product.rounding,
      upfrontFeeMinor: upfrontFeeMinor(product, principal),
      upfrontFeeMode: product.upfrontFeeMode,
      penaltyRate: productPenaltyRate(product, price),
      // The contract's rule for 贴息: principal × (the product's rate + the merchant's), half up.
      merchantDiscountMinor: fractionOf(principal, discountRate, 'half_up'),
    }),
  );
}

function fractionOf(principal: bigint, rate: Decimal, mode: RoundingMode): bigint {
  if (rate.isZero()) return 0n;
  const exact = rationalFromDecimal(rate);
  return divideRounded(principal * exact.num, exact.den, mode);
}

/** A rate fee is the principal × rate, rounded by the product's rounding mode. */
export function upfrontFeeMinor(product: ProductFields, principalMinor: bigint): bigint {
  const fee = product.upfrontFee;
  if (fee.kind === 'none') return 0n;
  if (fee.kind === 'fixed') return fee.amountMinor;
  return fractionOf(principalMinor, fee.rate, product.rounding);
}

/**
 * The contract's annual rate: the price's annual rate, or for a fee per period the nominal annual
 * fee rate (the fee × periods per year, 0.75 % a month → 9 %). A 0 % promotion has a 0 % rate.
 */
export function contractAnnualRate(product: ProductFields, price: ProductPrice): Decimal {
  if (price.kind === 'annual_rate') return price.rate;
  const perYear = periodsPerYear(product.frequency);
  return price.rate.times(perYear.num.toString()).div(perYear.den.toString());
}

/**
 * 罚息: the contract rate plus the markup (30–50 %, default 50 %), cut to the 12 decimal places a
 * rate may have — rounded down, so the penalty never exceeds what the markup allows.
 */
export function productPenaltyRate(product: ProductFields, price: ProductPrice): Decimal {
  return contractAnnualRate(product, price)
    .times(product.penaltyMarkup.plus(1))
    .toDecimalPlaces(rateDecimalPlacesMax, Decimal.ROUND_DOWN);
}

export interface ProductQuote {
  readonly terms: LoanTerms;
  readonly schedule: Schedule;
  readonly rates: AnnualizedRates;
}

/** The loan's terms, its schedule and both annualized rates (PBOC 2021 No. 3), or why not. */
export function quoteProduct(product: Product, request: ProductLoanRequest): Result<ProductQuote> {
  const terms = productLoanTerms(product, request);
  if (!terms.ok) return terms;
  const schedule = buildSchedule(terms.value);
  if (!schedule.ok) return schedule;
  const rates = scheduleApr(schedule.value);
  if (!rates.ok) return rates;
  return ok({ terms: terms.value, schedule: schedule.value, rates: rates.value });
}
