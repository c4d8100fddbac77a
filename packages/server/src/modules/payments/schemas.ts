import { paymentOrderKinds, paymentOrderStates } from '@fenqi/core';
import { z } from 'zod';
import { text } from '../../platform/http/text.ts';
import { bigintId, instant, isoDate, minorUnits } from '../../platform/http/wire.ts';
import { manualJournalSchema } from '../ledger/service.ts';
import { purposeNames } from './purposes.ts';
import { differenceKinds } from './reconcile.ts';
import { exceptionKinds } from './tables.ts';

const channelCode = text().regex(/^[a-z][a-z0-9_]{0,31}$/, 'must be a channel code such as simulated');
const orderNo = text().regex(/^FQ[0-9A-Z]{10,38}$/, 'must be a Fenqi order number (FQ…)');

export const orderParams = z.strictObject({ orderNo });
export const channelParams = z.strictObject({ channel: channelCode });

export const paymentOrderView = z
  .object({
    orderNo: z.string(),
    channel: z.string(),
    kind: z.enum(paymentOrderKinds),
    purpose: z.string(),
    state: z.enum(paymentOrderStates),
    amountMinor: minorUnits,
    currency: z.string(),
    sourceRef: z.string(),
    loanId: z.string().nullable(),
    customerId: z.string().nullable(),
    merchantId: z.string().nullable(),
    accountNoMasked: z.string().nullable().describe('A payout account, masked'),
    agreementId: z.string().nullable(),
    channelTxnId: z.string().nullable(),
    failureCode: z.string().nullable(),
    failureMessage: z.string().nullable(),
    finishedAt: instant.nullable(),
    settledEntryId: bigintId.nullable(),
    bouncedEntryId: bigintId.nullable(),
    businessDate: z.string(),
    createdAt: instant,
    updatedAt: instant,
  })
  .meta({ id: 'PaymentOrder' });

export const transitionView = z
  .object({
    seq: z.number().int(),
    from: z.enum(paymentOrderStates),
    to: z.enum(paymentOrderStates),
    source: z.enum(['submit', 'callback', 'query', 'statement', 'operator']),
    channelStatus: z.string().nullable(),
    code: z.string().nullable(),
    at: instant,
  })
  .meta({ id: 'PaymentOrderTransition' });

export const paymentOrderDetail = paymentOrderView
  .extend({ transitions: z.array(transitionView) })
  .meta({ id: 'PaymentOrderDetail' });

export const orderListQuery = z.strictObject({
  state: z.enum(paymentOrderStates).optional(),
  channel: channelCode.optional(),
  sourceRef: text().min(1).max(200).optional(),
  loanId: text().min(1).max(64).optional(),
  kind: z.enum(paymentOrderKinds).optional(),
  purpose: z.enum(purposeNames as [string, ...string[]]).optional(),
  before: bigintId.optional().describe('The `cursor` of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const orderPage = z
  .object({ orders: z.array(paymentOrderView), cursor: bigintId.nullable() })
  .meta({ id: 'PaymentOrderPage' });

const accountNo = text().regex(/^\d{8,32}$/, 'must be 8 to 32 digits');

export const manualPayoutBody = z.strictObject({
  channel: channelCode,
  purpose: z.enum(
    purposeNames.filter((name) => name !== 'repayment' && name !== 'collection_refund') as [
      string,
      ...string[],
    ],
  ),
  amountMinor: minorUnits,
  sourceRef: text().min(1).max(200),
  accountName: text().trim().min(1).max(64),
  accountNo,
  merchantId: text().min(1).max(64).optional(),
  loanId: text().min(1).max(64).optional(),
  reason: text().trim().min(1).max(500).describe('Why the payout is made by hand'),
});

// ---- Card binding (borrowers) ----

export const bindingApplyBody = z.strictObject({
  cardId: z.uuid(),
  channel: channelCode.default('simulated'),
});

export const bindingParams = z.strictObject({ bindingId: z.uuid() });
export const agreementParams = z.strictObject({ agreementId: z.uuid() });

export const bindingConfirmBody = z.strictObject({
  smsCode: text().regex(/^\d{4,8}$/, 'must be the 4 to 8 digit code from the SMS'),
});

export const cardBindingView = z
  .object({
    id: z.uuid(),
    channel: z.string(),
    customerId: z.uuid(),
    cardId: z.uuid(),
    status: z.enum(['sms_sent', 'bound', 'rejected']),
    agreementId: z.uuid().nullable(),
    createdAt: instant,
  })
  .meta({ id: 'CardBinding' });

export const cardBindingStarted = cardBindingView
  .extend({
    demoSmsCode: z
      .string()
      .optional()
      .describe(
        'Demo only (DEMO_SHOW_CODES=true with a channel on the sim adapter, never in production): the SMS code the channel sent the card holder, for the demo H5 to show. Absent otherwise.',
      ),
  })
  .meta({ id: 'CardBindingStarted' });

export const cardAgreementView = z
  .object({
    id: z.uuid(),
    channel: z.string(),
    customerId: z.uuid(),
    cardId: z.uuid(),
    status: z.enum(['active', 'void']),
    createdAt: instant,
    voidedAt: instant.nullable(),
  })
  .meta({ id: 'CardAgreement' });

export const bindingConfirmed = z
  .object({ binding: cardBindingView, agreement: cardAgreementView })
  .meta({ id: 'CardBindingConfirmed' });

// ---- Exceptions and reconciliation ----

export const exceptionView = z
  .object({
    id: bigintId,
    kind: z.enum(exceptionKinds),
    channel: z.string(),
    orderNo: z.string().nullable(),
    statementId: bigintId.nullable(),
    ourAmountMinor: minorUnits.nullable(),
    channelAmountMinor: minorUnits.nullable(),
    ourState: z.string().nullable(),
    channelStatus: z.string().nullable(),
    detail: z.string(),
    status: z.enum(['open', 'resolved']),
    resolution: z.enum(['no_action', 'ledger_adjustment']).nullable(),
    resolutionNote: z.string().nullable(),
    adjustmentEntryId: bigintId.nullable(),
    resolvedBy: z.string().nullable(),
    raisedAt: instant,
    resolvedAt: instant.nullable(),
    businessDate: z.string(),
  })
  .meta({ id: 'PaymentException' });

export const exceptionParams = z.strictObject({ exceptionId: bigintId });

export const exceptionListQuery = z.strictObject({
  status: z.enum(['open', 'resolved']).optional(),
  kind: z.enum(exceptionKinds).optional(),
  channel: channelCode.optional(),
  statementId: bigintId.optional(),
  before: bigintId.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const resolveBody = z.strictObject({
  note: text().trim().min(1).max(500).describe('What explains the difference'),
});

export const adjustmentBody = z.strictObject({
  note: text().trim().min(1).max(500).describe('What the adjustment corrects'),
  journal: manualJournalSchema,
  reason: text().trim().min(1).max(500).describe('Why, for the checker'),
});

export const reconcileBody = z.strictObject({ channel: channelCode, date: isoDate });

export const reconciliationReport = z
  .object({
    channel: z.string(),
    date: z.string(),
    digest: z.string(),
    rows: z.number().int(),
    alreadyImported: z.boolean(),
    matched: z.number().int(),
    resolved: z.number().int(),
    differences: z.object(Object.fromEntries(differenceKinds.map((kind) => [kind, z.number().int()]))),
    feeMinor: minorUnits,
    feeEntryId: bigintId.nullable(),
    ledger: z.object({ expectedMinor: minorUnits, postedMinor: minorUnits, ok: z.boolean() }),
  })
  .meta({ id: 'ReconciliationReport' });

// ---- What the channels told us (callbacks, reconciliations) ----

const callbackOutcomes = ['applied', 'stale', 'conflict', 'amount_mismatch', 'unknown_order'] as const;

export const callbackListQuery = z.strictObject({
  orderNo: orderNo.optional(),
  channel: channelCode.optional(),
  outcome: z.enum(callbackOutcomes).optional(),
  before: text().min(1).max(400).optional().describe('The `next` of the previous page'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const callbackPage = z
  .object({
    callbacks: z.array(
      z.object({
        channel: z.string(),
        txnId: z.string().describe('The channel’s transaction id'),
        status: z.string().describe('The status the channel reported'),
        orderNo: z.string(),
        amountMinor: minorUnits,
        outcome: z
          .enum(callbackOutcomes)
          .describe(
            'applied; stale (the order had moved on); conflict, amount_mismatch, unknown_order (exception items)',
          ),
        receivedAt: instant.describe('When it was first received'),
        repeats: z.number().int().describe('How many more times the channel sent the same notice'),
      }),
    ),
    next: z.string().nullable(),
  })
  .meta({ id: 'PaymentCallbackPage' });

export const reconciliationListQuery = z.strictObject({
  channel: channelCode.optional(),
  from: isoDate.optional().describe('Statements of this date or later'),
  to: isoDate.optional().describe('Statements of this date or earlier'),
  before: bigintId.optional().describe('The `next` of the previous page'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const reconciliationView = z
  .object({
    id: bigintId,
    channel: z.string(),
    statementDate: isoDate,
    digest: z.string(),
    rows: z.number().int(),
    grossMinor: minorUnits,
    feeMinor: minorUnits,
    refundMinor: minorUnits,
    netMinor: minorUnits,
    matched: z.number().int(),
    resolved: z.number().int().describe('Orders without an outcome that the statement settled'),
    differences: z.number().int().describe('Exception items raised'),
    ledger: z.object({ expectedMinor: minorUnits, postedMinor: minorUnits, ok: z.boolean() }),
    feeEntryId: bigintId.nullable(),
    importedAt: instant,
    businessDate: isoDate,
  })
  .meta({ id: 'Reconciliation' });

export const reconciliationPage = z
  .object({ reconciliations: z.array(reconciliationView), next: bigintId.nullable() })
  .meta({ id: 'ReconciliationPage' });

export const reconciliationParams = z.strictObject({ statementId: bigintId });

export const reconciliationDetail = reconciliationView
  .extend({
    differencesByKind: z.object(Object.fromEntries(differenceKinds.map((kind) => [kind, z.number().int()]))),
    exceptions: z
      .array(exceptionView)
      .describe(
        'The newest 500 exception items it raised; GET /api/v1/payments/exceptions?statementId= pages',
      ),
  })
  .meta({ id: 'ReconciliationDetail' });
