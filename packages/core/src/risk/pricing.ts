import { Decimal } from 'decimal.js';
import type { AnnualizedRates } from '../apr/annualized.ts';
import { aprCapDefault, checkAprCap } from '../apr/cap.ts';
import { scheduleApr } from '../apr/schedule-apr.ts';
import { localDate } from '../date/local-date.ts';
import type { Issue, Result } from '../issue.ts';
import { issue } from '../issue.ts';
import { buildSchedule } from '../schedule/schedule.ts';
import { loanTerms } from '../schedule/terms.ts';
import { termCountMax } from '../schedule/validate.ts';
import type { Offer, Policy } from './policy.ts';
import { pointer } from './validate-policy.ts';

// The publication check of a policy's prices (PBOC 2021 No. 3: the all-in cost is an IRR over the
// borrower's actual cash flows; a product above the cap — default 24 % — cannot be published). Each
// grade's price is turned into the loan it prices, for each term the products offer, and that
// schedule's IRR goes through core's checkAprCap:
//   annual_rate      equal monthly installments (等额本息, method equal_installment);
//   period_fee_rate  equal principal parts and a fee on the original principal every month
//                    (等本等息, method flat_fee).
// The loan is the grade's whole credit limit, monthly from a fixed start date: regular monthly dates
// make the IRR a periodic one, the same for any start, and the limit is the largest loan the grade
// can take (rounding to the fen moves the IRR of smaller loans by far less than a basis point).

export interface PricingCheckOptions {
  /** The IRR cap; default 0.24. */
  readonly cap?: Decimal;
  /** Term counts in months, e.g. [3, 6, 12, 24]. */
  readonly terms: readonly number[];
}

const pricingStartDate = localDate('2026-01-01');

/** Every (grade, term) whose IRR is above the cap, as apr_above_cap at the grade's rate; [] when all are within. */
export function policyPricingIssues(policy: Policy, options: PricingCheckOptions): Issue[] {
  const cap = options.cap ?? aprCapDefault;
  const issues: Issue[] = [];
  options.terms.forEach((termCount, index) => {
    if (!Number.isInteger(termCount) || termCount < 1 || termCount > termCountMax)
      issues.push(
        issue(
          'term_count_invalid',
          `terms[${index}]`,
          `a term must be an integer from 1 to ${termCountMax} months`,
        ),
      );
  });
  if (issues.length > 0) return issues;
  policy.offers.forEach((offer, index) => {
    const path = pointer(pointer(pointer('/offers', index), 'price'), 'rate');
    for (const termCount of options.terms) {
      const rates = offerRates(offer, termCount);
      if (!rates.ok) {
        issues.push(
          ...rates.issues.map((found) =>
            issue(found.code, path, `${describe(offer, termCount)}: ${found.message}`),
          ),
        );
        continue;
      }
      const check = checkAprCap(rates.value, cap);
      if (check.withinCap) continue;
      issues.push(
        issue(
          'apr_above_cap',
          path,
          `${describe(offer, termCount)} has an IRR of ${percent(rates.value.irr)}, above the cap of ${percent(cap)}`,
        ),
      );
    }
  });
  return issues;
}

function describe(offer: Offer, termCount: number): string {
  return `grade ${offer.grade} at ${termCount} months (${offer.price.kind} ${offer.price.rate})`;
}

function percent(rate: Decimal): string {
  return `${rate.times(100).toFixed(2)} %`;
}

function offerRates(offer: Offer, termCount: number): Result<AnnualizedRates> {
  const rate = new Decimal(offer.price.rate);
  const terms = loanTerms({
    principalMinor: BigInt(offer.creditLimit),
    method: offer.price.kind === 'annual_rate' ? 'equal_installment' : 'flat_fee',
    ...(offer.price.kind === 'annual_rate' ? { annualRate: rate } : { periodFeeRate: rate }),
    termCount,
    startDate: pricingStartDate,
  });
  const schedule = buildSchedule(terms);
  if (!schedule.ok) return schedule;
  return scheduleApr(schedule.value);
}
