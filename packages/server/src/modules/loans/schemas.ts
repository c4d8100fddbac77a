import { loanStates } from '@fenqi/core';
import { z } from 'zod';
import { text } from '../../platform/http/text.ts';
import { instant, isoDate, minorUnits } from '../../platform/http/wire.ts';

// The disclosure boundary of the loans routes. A merchant sees its orders and the loan's figures
// that concern it (never the borrower's identity); a borrower sees their own loans; staff see all.

// Request bodies stay plain JSON (the idempotency fingerprint hashes the parsed body): amounts are
// strings of fen digits, read as bigints by the handler.
const fen = (max: bigint) =>
  text()
    .regex(/^[1-9]\d{0,11}$/, `must be 1 to ${max} fen, as a string of digits`)
    .refine((digits) => BigInt(digits) <= max, `must be at most ${max} fen`);

export const amountMinorMax = 999_999_999_999n;
const merchantId = text()
  .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'must be 1 to 64 letters, digits or _ . : -')
  .describe('Your own id: unique per merchant; a repeat with the same content answers the first');

export const orderItem = z.strictObject({
  name: text().trim().min(1).max(100),
  quantity: z.number().int().min(1).max(10_000),
  unitPriceMinor: fen(amountMinorMax).describe('Price of one, in fen'),
});

export const createOrderBody = z.strictObject({
  merchantOrderId: merchantId,
  productCode: text()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be a product code')
    .optional()
    .describe("One of the merchant's products; default its first"),
  amountMinor: fen(amountMinorMax).describe('The order total in fen: the principal of the loan'),
  items: z.array(orderItem).min(1).max(50).describe('What is bought; the items add up to the amount'),
  customerPhone: text()
    .regex(/^1[3-9]\d{9}$/, 'must be a mainland mobile number')
    .optional()
    .describe('When given, only the borrower signed in with this phone can accept'),
  returnUrl: z
    .url({ protocol: /^https?$/ })
    .max(2048)
    .optional()
    .describe('Where checkout sends the borrower back'),
});

export const merchantOrderParams = z.strictObject({ merchantOrderId: merchantId });
export const tokenParams = z.strictObject({
  token: text().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a checkout token'),
});
export const loanParams = z.strictObject({ loanId: z.uuid() });

export const cancelBody = z.strictObject({ reason: text().trim().min(1).max(200) });

export const refundBody = z.strictObject({
  refundId: merchantId.describe('Your refund id: a repeat answers the first refund'),
  amountMinor: fen(amountMinorMax).describe('Principal given back, in fen'),
});

const termCount = z.number().int().min(1).max(600);
export const termQuery = z.strictObject({ termCount: z.coerce.number().int().min(1).max(600) });
export const acceptBody = z.strictObject({
  termCount: termCount.describe('One of the terms the order offers'),
});

export const drawdownQuery = z.strictObject({
  productCode: text().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be a product code'),
  amountMinor: fen(amountMinorMax),
  termCount: z.coerce.number().int().min(1).max(600),
});
export const drawdownBody = z.strictObject({
  productCode: text().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be a product code'),
  amountMinor: fen(amountMinorMax),
  termCount,
  cardId: z.uuid().describe('One of your cards bound through card binding'),
});

export const loanListQuery = z.strictObject({
  state: z.enum(loanStates).optional(),
  customerId: z.uuid().optional(),
  merchantId: z.uuid().optional(),
  productCode: text()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be a product code')
    .optional(),
  from: isoDate.optional().describe('Made on or after this business date'),
  to: isoDate.optional().describe('Made on or before this business date'),
  before: text()
    .regex(/^L\d{8}[0-9A-Z]{10}$/)
    .optional()
    .describe('The last loanNo of the previous page'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const installment = z.object({
  number: z.number().int(),
  periodStart: z.string(),
  dueDate: z.string(),
  principalMinor: minorUnits,
  interestMinor: minorUnits,
  feeMinor: minorUnits,
  totalMinor: minorUnits,
  balanceMinor: minorUnits.describe('Outstanding principal once this installment is paid'),
});

const price = z.object({ kind: z.enum(['annual_rate', 'period_fee_rate']), rate: z.string() });

export const quoteView = z
  .object({
    productCode: z.string(),
    productVersion: z.number().int(),
    grade: z.string(),
    termCount: z.number().int(),
    method: z.string(),
    principalMinor: minorUnits,
    disbursedMinor: minorUnits,
    price,
    apr: z
      .object({
        simple: z.string().describe('单利: periodic IRR × periods per year, a decimal fraction'),
        irr: z.string().describe('IRR (复利): (1 + periodic IRR)^k − 1, a decimal fraction'),
        simplePercent: z.string(),
        irrPercent: z.string(),
      })
      .describe('Both annualized rates, as PBOC announcement 2021 No. 3 asks'),
    totals: z.object({
      principalMinor: minorUnits,
      interestMinor: minorUnits,
      feeMinor: minorUnits,
      totalMinor: minorUnits,
    }),
    totalCostMinor: minorUnits.describe('Interest and every fee, the up-front one included'),
    penaltyRate: z.string(),
    coolingOffDays: z.number().int(),
    installments: z.array(installment),
  })
  .meta({ id: 'LoanQuote' });

export const orderView = z
  .object({
    id: z.uuid(),
    merchantOrderId: z.string(),
    productCode: z.string(),
    amountMinor: minorUnits,
    currency: z.literal('CNY'),
    items: z.array(z.object({ name: z.string(), quantity: z.number().int(), unitPriceMinor: z.string() })),
    customerPhoneMasked: z.string().nullable(),
    returnUrl: z.string().nullable(),
    status: z.enum(['open', 'accepted', 'cancelled', 'expired']),
    cancelReason: z.string().nullable(),
    loanId: z.uuid().nullable(),
    expiresAt: instant,
    businessDate: z.string(),
    createdAt: instant,
  })
  .meta({ id: 'InstallmentOrder' });

const loanFigures = {
  id: z.uuid(),
  loanNo: z.string(),
  kind: z.enum(['merchant_order', 'cash_drawdown']),
  orderId: z.uuid().nullable(),
  productCode: z.string(),
  productVersion: z.number().int(),
  state: z.enum(loanStates),
  currency: z.literal('CNY'),
  principalMinor: minorUnits,
  outstandingPrincipalMinor: minorUnits,
  disbursedMinor: minorUnits,
  method: z.string(),
  termCount: z.number().int(),
  price,
  apr: z.object({ simple: z.string(), irr: z.string() }),
  scheduleVersion: z.number().int(),
  startDate: z.string(),
  maturityDate: z.string(),
  coolingOffDays: z.number().int(),
  disbursedOn: z.string().nullable(),
  closedOn: z.string().nullable(),
  contractNo: z.string(),
  contractSha256: z.string(),
  createdAt: instant,
};

/** What a merchant sees of a loan: its figures, not the borrower. */
export const merchantLoanView = z
  .object({ ...loanFigures, payoutMinor: minorUnits, merchantDiscountMinor: minorUnits })
  .meta({ id: 'MerchantLoan' });

export const createdOrderView = z
  .object({
    order: orderView,
    checkoutToken: z.string().describe('Give it to the borrower only through the checkout URL'),
    checkoutUrl: z.string(),
    loan: merchantLoanView.nullable().optional(),
  })
  .meta({ id: 'CreatedInstallmentOrder' });

export const borrowerLoanView = z.object(loanFigures).meta({ id: 'BorrowerLoan' });

const stateChange = z.object({
  fromState: z.enum(loanStates).nullable(),
  toState: z.enum(loanStates),
  event: z.string(),
  reason: z.string().nullable(),
  businessDate: z.string(),
  at: instant,
});

const refund = z
  .object({
    id: z.uuid(),
    merchantRefundId: z.string(),
    amountMinor: minorUnits,
    kind: z.enum(['partial', 'full', 'cooling_off']),
    scheduleVersion: z.number().int(),
    businessDate: z.string(),
    createdAt: instant,
  })
  .meta({ id: 'LoanRefund' });

export const refundResult = z.object({ refund, loan: merchantLoanView }).meta({ id: 'LoanRefundResult' });

export const borrowerLoanDetail = borrowerLoanView
  .extend({ installments: z.array(installment), history: z.array(stateChange) })
  .meta({ id: 'BorrowerLoanDetail' });

export const staffLoanView = z
  .object({
    ...loanFigures,
    customerId: z.uuid(),
    merchantId: z.uuid().nullable(),
    lineId: z.uuid(),
    productVersionId: z.string(),
    grade: z.string(),
    payoutMinor: minorUnits,
    merchantDiscountMinor: minorUnits,
    disbursementOrderNo: z.string().nullable(),
    disbursementAttempts: z.number().int(),
    closeReason: z.string().nullable(),
    businessDate: z.string(),
    updatedAt: instant,
  })
  .meta({ id: 'Loan' });

export const staffLoanDetail = staffLoanView
  .extend({
    installments: z.array(installment),
    history: z.array(stateChange),
    refunds: z.array(refund),
    shares: z.array(
      z.object({
        funderId: z.string(),
        funderCode: z.string(),
        funderKind: z.string(),
        shareBp: z.number().int(),
        principalMinor: minorUnits,
      }),
    ),
  })
  .meta({ id: 'LoanDetail' });

export const loanPage = z
  .object({ loans: z.array(staffLoanView), next: z.string().nullable() })
  .meta({ id: 'LoanPage' });

export const checkoutView = z
  .object({
    order: orderView.omit({ customerPhoneMasked: true }),
    merchant: z.object({ name: z.string(), scenario: z.string() }),
    product: z.object({
      code: z.string(),
      version: z.number().int(),
      termsOffered: z.array(z.number().int()),
      coolingOffDays: z.number().int(),
    }),
  })
  .meta({ id: 'Checkout' });

export const acceptedView = z.object({ loan: borrowerLoanView }).meta({ id: 'AcceptedOrder' });

export const contractView = z
  .object({
    contractNo: z.string(),
    sha256: z.string().describe('SHA-256 of the PDF bytes, as stored with the loan at acceptance'),
    contentType: z.literal('application/pdf'),
    pdfBase64: z.string(),
  })
  .meta({ id: 'LoanContract' });

export const contractPreviewView = z
  .object({
    contractNo: z.string().describe('No number yet: the loan gets one when the order is accepted'),
    sha256: z.string().describe('SHA-256 of these PDF bytes'),
    contentType: z.literal('application/pdf'),
    pdfBase64: z.string(),
  })
  .meta({ id: 'LoanContractPreview' });
