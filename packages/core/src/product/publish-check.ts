import type { Decimal } from 'decimal.js';
import type { AnnualizedRates } from '../apr/annualized.ts';
import { aprCapDefault, checkAprCap } from '../apr/cap.ts';
import { scheduleApr } from '../apr/schedule-apr.ts';
import { assert } from '../assert.ts';
import { stepDays } from '../date/frequency.ts';
import { localDate } from '../date/local-date.ts';
import type { Issue, Result } from '../issue.ts';
import { issue, ok } from '../issue.ts';
import { pointer } from '../risk/validate-policy.ts';
import { buildSchedule } from '../schedule/schedule.ts';
import { productLoanTerms, yuan } from './loan-terms.ts';
import type { Product, ProductPrice } from './product.ts';

// What stops a product version from being published:
//   - the all-in cost (PBOC 2021 No. 3: an IRR over the borrower's actual cash flows, fees
//     included) of any offered term at any grade's price above the cap (default 24 %). Each pair
//     is checked at the product's smallest and largest amount: a fixed fee weighs most on the
//     smallest loan, and rounding to the fen moves the rest by far less than a basis point;
//   - principal repaid in one sum at maturity (bullet, and interest-first: 先息后本) over more
//     than one year — 商业银行互联网贷款管理暂行办法 (2020): 到期一次性还本的，授信期限不超过一年.
// Loans start on a fixed date here: regular monthly dates make the IRR a periodic one, the same for
// any start; a product with daily interest moves by a day's interest with the months it spans.

export interface PublishCheckOptions {
  /** The IRR cap; default 0.24. */
  readonly cap?: Decimal;
}

export const publishCheckStartDate = localDate('2026-01-01');

/** One year, for terms counted in days: a bullet of 52 weeks (364 days) fits, 53 do not. */
const yearDays = 365;

/** Every (term, grade) above the cap and every term of a one-sum repayment over a year; [] when publishable. */
export function productPublishIssues(product: Product, options: PublishCheckOptions = {}): Issue[] {
  const cap = options.cap ?? aprCapDefault;
  const issues: Issue[] = [];
  product.termsOffered.forEach((termCount, termIndex) => {
    if (repaysPrincipalAtMaturity(product) && runsPastOneYear(product, termCount))
      issues.push(
        issue(
          'unsupported_combination',
          pointer('/termsOffered', termIndex),
          `${termCount} installments of a ${product.method} product run past one year: principal repaid in one sum at maturity may be lent for at most one year (商业银行互联网贷款管理暂行办法, 2020)`,
        ),
      );
  });
  product.prices.forEach((price, priceIndex) => {
    const path = pointer(pointer('/prices', priceIndex), 'rate');
    for (const termCount of product.termsOffered) {
      const worst = worstRates(product, price, termCount);
      if (!worst.ok) {
        issues.push(
          ...worst.issues.map((found) =>
            issue(found.code, path, `${describe(price, termCount)}: ${found.message}`),
          ),
        );
        continue;
      }
      const check = checkAprCap(worst.value.rates, cap);
      if (check.withinCap) continue;
      issues.push(
        issue(
          'apr_above_cap',
          path,
          `${describe(price, termCount)} has an IRR of ${percent(worst.value.rates.irr)} at ${yuan(worst.value.principalMinor)} CNY, above the cap of ${percent(cap)}`,
        ),
      );
    }
  });
  return issues;
}

function repaysPrincipalAtMaturity(product: Product): boolean {
  return product.method === 'bullet' || product.method === 'interest_first';
}

function runsPastOneYear(product: Product, termCount: number): boolean {
  const days = stepDays(product.frequency);
  return days === undefined ? termCount > 12 : days * termCount > yearDays;
}

function describe(price: ProductPrice, termCount: number): string {
  return `grade ${price.grade} at ${termCount} installments (${price.kind} ${price.rate.toString()})`;
}

function percent(rate: Decimal): string {
  return `${rate.times(100).toFixed(2)} %`;
}

/** The higher IRR of the smallest and the largest loan of the (grade, term). */
function worstRates(
  product: Product,
  price: ProductPrice,
  termCount: number,
): Result<{ rates: AnnualizedRates; principalMinor: bigint }> {
  let worst: { rates: AnnualizedRates; principalMinor: bigint } | undefined;
  const amounts =
    product.amountMinMinor === product.amountMaxMinor
      ? [product.amountMinMinor]
      : [product.amountMinMinor, product.amountMaxMinor];
  for (const principalMinor of amounts) {
    const terms = productLoanTerms(product, {
      grade: price.grade,
      termCount,
      principalMinor,
      startDate: publishCheckStartDate,
    });
    if (!terms.ok) return terms;
    const schedule = buildSchedule(terms.value);
    if (!schedule.ok) return schedule;
    const rates = scheduleApr(schedule.value);
    if (!rates.ok) return rates;
    if (worst === undefined || rates.value.irr.greaterThan(worst.rates.irr))
      worst = { rates: rates.value, principalMinor };
  }
  assert(worst !== undefined, 'a product has at least one amount');
  return ok(worst);
}
