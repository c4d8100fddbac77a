import { z } from 'zod';
import { text } from '../../platform/http/text.ts';
import { bigintId, instant } from '../../platform/http/wire.ts';
import { merchantPageMax } from './service.ts';
import { merchantScenarios, merchantStatuses } from './tables.ts';

// The disclosure boundary of the merchants routes: the settlement account is answered masked,
// except by the one unmasked view (merchants:unmask, audited); status reasons are staff notes that
// the merchant's own profile leaves out.

export const merchantParams = z.strictObject({ merchantId: z.uuid() });

/** Product codes are the products module's; here only their form (the one credit lines hold). */
export const productCode = text().regex(
  /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/,
  'must be 1 to 40 of A-Z, a-z, 0-9, _, . and -, starting with a letter or digit',
);
export const productCodesMax = 50;
const productCodes = z
  .array(productCode)
  .max(productCodesMax)
  .describe('The codes of the products the merchant offers (each once; kept sorted)');

export const discountRateMax = 0.3;
const discountRate = text()
  .regex(/^0(\.\d{1,6})?$/, {
    message: 'must be a decimal fraction from 0 to 0.3 with at most 6 decimals, such as "0.035"',
    abort: true,
  })
  .refine((value) => Number(value) <= discountRateMax, 'must be at most 0.3 (30 % of the principal)')
  .describe(
    "The merchant discount rate: the share of each loan's principal kept from the merchant's payout (its fee or subsidy), 0 to 0.3",
  );

// Corporate accounts run from 8 to 32 digits (the payout schema of payments takes the same);
// people type them in groups, so spaces and dashes are dropped first.
const accountNo = text()
  .max(48)
  .transform((value) => value.replace(/[\s-]/g, ''))
  .refine((value) => /^\d{8,32}$/.test(value), 'must be 8 to 32 digits');

export const settlementAccountBody = z
  .strictObject({
    accountName: text().trim().min(1).max(100).describe('The account holder (户名), usually the legal name'),
    accountNo: accountNo.describe('The account number; stored encrypted, answered masked'),
    bankName: text().trim().min(1).max(60).describe('The bank and branch (开户行)'),
  })
  .meta({ id: 'MerchantSettlementAccountInput' });

const name = text().trim().min(1).max(100).describe('The name shown to borrowers at checkout');
const legalName = text().trim().min(1).max(200).describe('The name on the business licence (营业执照)');
const scenario = z.enum(merchantScenarios);

export const createMerchantBody = z.strictObject({
  name,
  legalName,
  scenario,
  socialCreditCode: text()
    .trim()
    .toUpperCase()
    .max(40, 'must be the 18 characters of a unified social credit code')
    .describe('The unified social credit code (统一社会信用代码, GB 32100-2015), 18 characters; unique'),
  discountRate: discountRate.default('0'),
  productCodes: productCodes.default([]),
  settlementAccount: settlementAccountBody.optional(),
});

export const updateMerchantBody = z
  .strictObject({
    name: name.optional(),
    legalName: legalName.optional(),
    scenario: scenario.optional(),
    discountRate: discountRate.optional(),
    productCodes: productCodes.optional(),
    settlementAccount: settlementAccountBody.optional().describe('Replaces the account (audited)'),
  })
  .refine((body) => Object.keys(body).length > 0, {
    message: 'give at least one field to change',
    // Only of a body that is otherwise valid: an unknown field alone is that field's error.
    when: (payload) => payload.issues.length === 0,
  });

export const statusChangeBody = z.strictObject({
  reason: text().trim().min(1).max(500).describe('Why; kept in the status history and the audit log'),
});

export const listQuery = z.strictObject({
  status: z.enum(merchantStatuses).optional(),
  scenario: scenario.optional(),
  before: bigintId.optional().describe('The `cursor` of the previous page'),
  limit: z.coerce.number().int().min(1).max(merchantPageMax).default(50),
});

export const unmaskQuery = z.strictObject({
  reason: text().trim().min(4, 'say why (at least 4 characters); it is recorded in the audit log').max(200),
});

const scenarioLabel = z.object({ zh: z.string(), en: z.string() }).meta({ id: 'MerchantScenarioLabel' });

const merchantFields = {
  id: z.uuid(),
  name: z.string(),
  legalName: z.string(),
  scenario,
  scenarioLabel,
  socialCreditCode: z.string(),
  status: z.enum(merchantStatuses).describe('onboarding → active ↔ suspended (docs/merchants.md)'),
  discountRate: z.string().describe('A decimal fraction of the principal, 0 to 0.3'),
  productCodes: z.array(z.string()),
  settlementAccountMasked: z
    .string()
    .nullable()
    .describe('The settlement account number, first 6 and last 4; null until one is given'),
  settlementBankName: z.string().nullable(),
  createdAt: instant,
  updatedAt: instant,
};

export const merchantProfile = z.object(merchantFields).meta({ id: 'MerchantProfile' });

export const merchantView = z
  .object({
    ...merchantFields,
    statusReason: z.string().nullable().describe('The reason given for the last status change'),
    statusChangedAt: instant.nullable(),
  })
  .meta({ id: 'Merchant' });

export const statusChangeView = z
  .object({
    fromStatus: z.enum(merchantStatuses),
    toStatus: z.enum(merchantStatuses),
    reason: z.string(),
    actor: z.object({ kind: z.enum(['staff', 'system']), id: z.string() }),
    businessDate: z.string(),
    at: instant,
  })
  .meta({ id: 'MerchantStatusChange' });

export const merchantDetail = merchantView
  .extend({ statusHistory: z.array(statusChangeView).describe('Newest first') })
  .meta({ id: 'MerchantDetail' });

export const merchantPage = z
  .object({
    merchants: z.array(merchantView),
    cursor: bigintId.nullable().describe('Pass as `before` for the next page; null on the last'),
  })
  .meta({ id: 'MerchantPage' });

export const settlementAccountUnmasked = z
  .object({ merchantId: z.uuid(), accountName: z.string(), accountNo: z.string(), bankName: z.string() })
  .meta({ id: 'MerchantSettlementAccount' });
