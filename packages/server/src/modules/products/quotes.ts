import {
  type AnnualizedRates,
  checkAprCap,
  effectivePenaltyRate,
  type LoanTerms,
  type Product,
  parseLocalDate,
  productPublishIssues,
  quoteProduct,
  type Schedule,
} from '@fenqi/core';
import { Decimal } from 'decimal.js';
import { AppError, type FieldError } from '../../platform/errors.ts';
import { definitionErrors } from './definitions.ts';

// Quotes under a product version: the loan's terms, its schedule and both annualized rates, from
// core's functions. The preview routes run these on the compute workers (tasks.ts), the loans
// module through quoteProductVersion (service.ts). Pure: no database, no clock.

export type QuoteInput = {
  grade: string;
  termCount: number;
  principalMinor: bigint;
  /** YYYY-MM-DD */
  startDate: string;
  /** The merchant's own discount rate, a decimal string of the principal, added to the product's 贴息. */
  merchantDiscountRate?: string | undefined;
};

export type ProductQuote = { terms: LoanTerms; schedule: Schedule; rates: AnnualizedRates };

const decimalPattern = /^\d{1,3}(\.\d{1,12})?$/;

function invalid(errors: FieldError[]): AppError {
  const summary = errors
    .slice(0, 3)
    .map((error) => `${error.path}: ${error.message}`)
    .join('; ');
  return new AppError(
    'validation_failed',
    `The loan does not fit the product: ${summary}${errors.length > 3 ? '; …' : ''}`,
    {
      errors,
    },
  );
}

/** Throws validation_failed (a field error per issue) when the loan does not fit the product. */
export function quoteUnder(product: Product, input: QuoteInput): ProductQuote {
  const startDate = parseLocalDate(input.startDate);
  const errors: FieldError[] = [];
  if (startDate === undefined)
    errors.push({
      in: 'body',
      path: 'startDate',
      message: 'must be a date YYYY-MM-DD',
      code: 'date_invalid',
    });
  const discount = input.merchantDiscountRate;
  if (discount !== undefined && !decimalPattern.test(discount))
    errors.push({
      in: 'body',
      path: 'merchantDiscountRate',
      message: 'must be a decimal fraction such as "0.015"',
      code: 'decimal_invalid',
    });
  if (errors.length > 0 || startDate === undefined) throw invalid(errors);
  const quoted = quoteProduct(product, {
    grade: input.grade,
    termCount: input.termCount,
    principalMinor: input.principalMinor,
    startDate,
    ...(discount === undefined ? {} : { merchantDiscountRate: new Decimal(discount) }),
  });
  if (!quoted.ok)
    throw invalid(
      quoted.issues.map((found) => ({
        in: 'body',
        path: found.path,
        message: found.message,
        code: found.code,
      })),
    );
  return quoted.value;
}

/** Rates on the wire: 10 decimal places, as the quote API writes them. */
export function rateText(rate: Decimal): string {
  return rate.toFixed(10, Decimal.ROUND_HALF_UP);
}

export function preview(product: Product, input: QuoteInput, cap: string) {
  const { terms, schedule, rates } = quoteUnder(product, input);
  const price = product.prices.find((candidate) => candidate.grade === input.grade);
  if (price === undefined) throw new Error(`quoted a grade ${input.grade} without a price`);
  const check = checkAprCap(rates, new Decimal(cap));
  return {
    grade: input.grade,
    termCount: terms.termCount,
    method: terms.method,
    startDate: terms.startDate,
    price: { kind: price.kind, rate: price.rate.toString() },
    annualRate: terms.annualRate.toString(),
    periodFeeRate: terms.periodFeeRate.toString(),
    penaltyRate: effectivePenaltyRate(terms).toString(),
    principalMinor: terms.principalMinor,
    upfrontFeeMinor: terms.upfrontFeeMinor,
    upfrontFeeMode: terms.upfrontFeeMode,
    merchantDiscountMinor: terms.merchantDiscountMinor,
    financedPrincipalMinor: schedule.financedPrincipalMinor,
    disbursedMinor: schedule.disbursedMinor,
    merchantPayoutMinor: schedule.merchantPayoutMinor,
    paymentMinor: schedule.paymentMinor,
    installments: schedule.installments.map((installment) => ({ ...installment })),
    totals: { ...schedule.totals },
    // What borrowing costs the borrower: everything paid beyond what they received.
    costMinor: schedule.totals.totalMinor - schedule.disbursedMinor,
    rates: { periodic: rateText(rates.periodic), simple: rateText(rates.simple), irr: rateText(rates.irr) },
    aprCap: cap,
    withinCap: check.withinCap,
  };
}

export type Preview = ReturnType<typeof preview>;

/**
 * Every offered term at every grade's price for one amount (default: the product's largest), and
 * what the publish check says of the whole product.
 */
export function previewGrid(
  product: Product,
  input: { principalMinor?: bigint | undefined; startDate: string },
  cap: string,
) {
  const principalMinor = input.principalMinor ?? product.amountMaxMinor;
  const cells = product.termsOffered.flatMap((termCount) =>
    product.prices.map((price) => {
      const quoted = preview(
        product,
        { grade: price.grade, termCount, principalMinor, startDate: input.startDate },
        cap,
      );
      return {
        termCount,
        grade: price.grade,
        price: quoted.price,
        paymentMinor: quoted.paymentMinor,
        firstInstallmentMinor: quoted.installments[0]?.totalMinor ?? 0n,
        totals: quoted.totals,
        upfrontFeeMinor: quoted.upfrontFeeMinor,
        costMinor: quoted.costMinor,
        rates: quoted.rates,
        withinCap: quoted.withinCap,
      };
    }),
  );
  const issues = productPublishIssues(product, { cap: new Decimal(cap) });
  return {
    principalMinor,
    startDate: input.startDate,
    aprCap: cap,
    cells,
    publishable: issues.length === 0,
    issues: definitionErrors(issues),
  };
}

export type PreviewGrid = ReturnType<typeof previewGrid>;
