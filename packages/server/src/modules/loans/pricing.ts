import type { AnnualizedRates, LoanTerms, Schedule } from '@fenqi/core';
import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { DateString } from '../../platform/tables.ts';
import { type CreditLine, linesOfCustomer } from '../credit/service.ts';
import { type ProductVersion, publishedProductVersion, quoteProductVersion } from '../products/service.ts';
import { gradeOfApplication } from '../risk/service.ts';

// What a loan would be: the borrower's line that may be drawn for the product, the grade their
// credit decision gave (which picks the product's price), and the schedule and both annualized
// rates of core's math under the product's current published version.

export type Priced = {
  line: CreditLine;
  grade: string;
  version: ProductVersion;
  terms: LoanTerms;
  schedule: Schedule;
  rates: AnnualizedRates;
};

/** The active line of the customer that lists the product, with the most available. */
export async function lineForProduct(
  db: DB | Tx,
  customerId: string,
  productCode: string,
): Promise<CreditLine> {
  const lines = (await linesOfCustomer(db, customerId))
    .filter((line) => line.status === 'active' && line.productCodes.includes(productCode))
    .sort((a, b) => (b.availableMinor > a.availableMinor ? 1 : b.availableMinor < a.availableMinor ? -1 : 0));
  const line = lines[0];
  if (line === undefined) {
    throw new AppError('credit_line_required', `There is no active credit line for product ${productCode}.`, {
      extensions: { productCode },
    });
  }
  return line;
}

/**
 * The grade a line was granted with. A decision without a grade (approved on review, say) prices
 * at the product's last listed grade: the dearest, by the convention docs/products.md states.
 */
async function gradeFor(db: DB | Tx, line: CreditLine, version: ProductVersion): Promise<string> {
  const grade = await gradeOfApplication(db, line.applicationId);
  const grades = version.product.prices.map((price) => price.grade);
  if (grade !== null && grades.includes(grade)) return grade;
  const last = grades.at(-1);
  if (last === undefined) throw new Error(`product version ${version.id} has no price`);
  return last;
}

export async function priceLoan(
  db: DB | Tx,
  input: {
    customerId: string;
    productCode: string;
    termCount: number;
    principalMinor: bigint;
    startDate: DateString;
    merchantDiscountRate?: string | undefined;
    line?: CreditLine | undefined;
  },
): Promise<Priced> {
  const version = await publishedProductVersion(db, input.productCode);
  const line = input.line ?? (await lineForProduct(db, input.customerId, input.productCode));
  const grade = await gradeFor(db, line, version);
  const quoted = quoteProductVersion(version, {
    grade,
    termCount: input.termCount,
    principalMinor: input.principalMinor,
    startDate: input.startDate,
    ...(input.merchantDiscountRate === undefined ? {} : { merchantDiscountRate: input.merchantDiscountRate }),
  });
  return { line, grade, version, ...quoted };
}
