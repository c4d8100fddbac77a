import { productPricesMax, productTermsMax, repaymentMethods, termCountMax } from '@fenqi/core';
import { z } from 'zod';
import { text } from '../../platform/http/text.ts';
import { instant, isoDate, minorUnits } from '../../platform/http/wire.ts';
import { versionStatuses } from './tables.ts';

// The products routes' request and response shapes. A product definition is JSON checked by core's
// parseProduct (docs/products.md describes each field); here it is only a bounded JSON object.

export const versionParams = z.strictObject({ versionId: z.uuid() });

// Any JSON whose every string (keys too) PostgreSQL can store: the definition goes into jsonb.
type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
const json: z.ZodType<Json> = z.lazy(() => jsonValue);
const jsonValue: z.ZodType<Json> = z
  .union([text(), z.number(), z.boolean(), z.null(), z.array(json), z.record(text(), json)])
  .meta({ id: 'ProductJsonValue' });

export const definitionBody = z.strictObject({
  definition: z.record(text(), json).describe('A product definition (docs/products.md)'),
});

export const productVersion = z
  .object({
    id: z.uuid().describe('The version id: what a loan pins, and the ledger’s product dimension'),
    code: z.string(),
    version: z.number().int(),
    status: z.enum(versionStatuses),
    definition: z.unknown().describe('The definition as written'),
    createdBy: z.string(),
    createdAt: instant,
    updatedAt: instant,
    requestedBy: z.string().nullable(),
    requestedAt: instant.nullable(),
    approvalRequestId: z.uuid().nullable().describe('The publish request that may publish it while pending'),
    publishedBy: z.string().nullable(),
    publishedAt: instant.nullable(),
    retiredBy: z.string().nullable(),
    retiredAt: instant.nullable(),
    supersededBy: z.uuid().nullable().describe('The version whose publication retired this one'),
  })
  .meta({ id: 'ProductVersion' });

export const listQuery = z.strictObject({
  code: text().max(64).optional(),
  status: z.enum(versionStatuses).optional(),
  after: z.uuid().optional().describe('The id of the last version of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(500),
});

const reason = text().trim().min(1).max(500);
export const publishBody = z.strictObject({
  reason: reason.describe('Why; the checker sees it with the request'),
});
export const retireBody = z.strictObject({ reason: reason.describe('Why; kept in the audit log') });

const fen = (description: string) =>
  text()
    .regex(/^\d{1,12}$/, 'must be a whole number of fen, such as "1200000"')
    .describe(description);

export const previewBody = z.strictObject({
  grade: text().max(16).describe('The risk grade whose price applies'),
  termCount: z.number().int().min(1).max(termCountMax).describe('One of the product’s termsOffered'),
  principalMinor: fen('The amount borrowed in fen, within the product’s limits'),
  startDate: isoDate.optional().describe('Default: the current business date'),
  merchantDiscountRate: text()
    .max(20)
    .optional()
    .describe('The merchant’s own discount rate of the principal, added to the product’s 贴息 for the term'),
});

export const gridBody = z.strictObject({
  principalMinor: fen('The amount of every cell in fen; default the product’s amountMaxMinor').optional(),
  startDate: isoDate.optional().describe('Default: the current business date'),
});

const rate = z.string().describe('A decimal fraction with 10 places');
const rates = z
  .object({
    periodic: rate.describe('IRR per period'),
    simple: rate.describe('Periodic IRR × periods per year (单利)'),
    irr: rate.describe('Compound annual rate (1 + periodic)^k − 1 (PBOC 2021 No. 3)'),
  })
  .meta({ id: 'ProductAnnualizedRates' });
const price = z.object({ kind: z.enum(['annual_rate', 'period_fee_rate']), rate: z.string() });
const totals = z.object({
  principalMinor: minorUnits,
  interestMinor: minorUnits,
  feeMinor: minorUnits,
  totalMinor: minorUnits,
});

const loanPreview = z.object({
  grade: z.string(),
  termCount: z.number().int(),
  method: z.enum(repaymentMethods),
  startDate: z.string(),
  price,
  annualRate: z.string(),
  periodFeeRate: z.string(),
  penaltyRate: z
    .string()
    .describe('Annual penalty rate on overdue principal: the contract rate × (1 + markup)'),
  principalMinor: minorUnits,
  upfrontFeeMinor: minorUnits,
  upfrontFeeMode: z.enum(['deducted', 'financed']),
  merchantDiscountMinor: minorUnits.describe('贴息: what the merchant gives up; not the borrower’s cost'),
  financedPrincipalMinor: minorUnits.describe('Principal amortized: a financed up-front fee included'),
  disbursedMinor: minorUnits.describe('What the borrower receives: principal less a deducted up-front fee'),
  merchantPayoutMinor: minorUnits.describe('What the merchant is paid: disbursed less the merchant discount'),
  paymentMinor: minorUnits.nullable().describe('The regular installment, or null when installments vary'),
  installments: z.array(
    z.object({
      number: z.number().int(),
      periodStart: z.string(),
      dueDate: z.string(),
      principalMinor: minorUnits,
      interestMinor: minorUnits,
      feeMinor: minorUnits,
      totalMinor: minorUnits,
      balanceMinor: minorUnits.describe('Outstanding principal after this installment'),
    }),
  ),
  totals,
  costMinor: minorUnits.describe('Everything the borrower pays beyond what they receive'),
  rates,
  aprCap: z.string().describe('The publication cap (APR_CAP) the IRR is compared with'),
  withinCap: z.boolean(),
});

export const previewResponse = z
  .object({
    versionId: z.uuid(),
    code: z.string(),
    version: z.number().int(),
    status: z.enum(versionStatuses),
    ...loanPreview.shape,
  })
  .meta({ id: 'ProductPreview' });

const grid = z.object({
  principalMinor: minorUnits,
  startDate: z.string(),
  aprCap: z.string(),
  cells: z
    .array(
      z.object({
        termCount: z.number().int(),
        grade: z.string(),
        price,
        paymentMinor: minorUnits.nullable(),
        firstInstallmentMinor: minorUnits,
        totals,
        upfrontFeeMinor: minorUnits,
        costMinor: minorUnits,
        rates,
        withinCap: z.boolean(),
      }),
    )
    .max(productTermsMax * productPricesMax)
    .describe('Every offered term (ascending) at every grade (as listed)'),
  publishable: z
    .boolean()
    .describe('What a publish request would find: every term and grade, smallest and largest amount'),
  issues: z.array(
    z.object({
      in: z.string().optional(),
      path: z.string(),
      message: z.string(),
      code: z.string().optional(),
    }),
  ),
});

export const gridResponse = z
  .object({
    versionId: z.uuid(),
    code: z.string(),
    version: z.number().int(),
    status: z.enum(versionStatuses),
    ...grid.shape,
  })
  .meta({ id: 'ProductPreviewGrid' });

export const definitionPreviewBody = z.strictObject({
  definition: z
    .record(text(), json)
    .describe('A product definition as a draft would be written (not stored)'),
  ...previewBody.shape,
});

export const definitionPreviewResponse = z
  .object({
    code: z.string(),
    quote: loanPreview.describe('The one loan asked for'),
    grid: grid.describe(
      'Every offered term at every grade’s price at the largest amount, and what a publish request would find',
    ),
  })
  .meta({ id: 'ProductDefinitionPreview' });

export const catalogueProduct = z
  .object({
    code: z.string(),
    versionId: z.uuid(),
    version: z.number().int(),
    name: z.object({ zh: z.string(), en: z.string() }),
    method: z.enum(repaymentMethods),
    termsOffered: z.array(z.number().int()),
    frequency: z.string(),
    amountMinMinor: minorUnits,
    amountMaxMinor: minorUnits,
    revolving: z.boolean(),
    coolingOffDays: z.number().int(),
    prepaymentAllowed: z.boolean(),
    publishedAt: instant,
  })
  .meta({ id: 'CatalogueProduct' });
