import { prepaymentModes } from '@fenqi/core';
import { z } from 'zod';
import { text } from '../../platform/http/text.ts';
import { instant, isoDate, minorUnits } from '../../platform/http/wire.ts';
import { transactionKinds } from './tables.ts';

// The disclosure boundary of the repayment routes. Request amounts are strings of digits, possibly
// signed: a zero, negative or too large amount is refused by the service with the precise
// repayment_amount_invalid, not a generic schema error.

const amount = text()
  .regex(/^-?\d{1,40}$/, 'must be a whole number of fen, as a string of digits')
  .describe('An amount in fen, as a string of digits');

export const loanParams = z.strictObject({ loanId: z.uuid() });
export const transactionParams = z.strictObject({ transactionId: z.uuid() });

export const repaymentBody = z
  .strictObject({
    what: z
      .enum(['amount', 'current_installment', 'all_due'])
      .describe('An amount; the current bill (everything due and the current installment); everything due'),
    amountMinor: amount.optional().describe('With what = amount: at most today’s payoff'),
    agreementId: z.uuid().optional().describe('One of your card agreements; default the newest active one'),
  })
  .refine((body) => (body.what === 'amount') === (body.amountMinor !== undefined), {
    message: 'amountMinor is given exactly when what is amount',
    path: ['amountMinor'],
  });

export const payoffBody = z.strictObject({
  amountMinor: amount.describe('At least today’s payoff quote; more is kept as a credit balance'),
  quoteDate: isoDate.describe('The business date of the quote: a quote is valid on its day only'),
  agreementId: z.uuid().optional(),
});

export const prepaymentQuery = z.strictObject({
  principalMinor: amount.describe('Principal to prepay, on top of the current installment'),
  mode: z.enum(prepaymentModes),
});

export const prepaymentBody = z.strictObject({
  principalMinor: amount.describe('Principal to prepay, on top of the current installment'),
  mode: z
    .enum(prepaymentModes)
    .describe('reduce_payment: same term, smaller installments; reduce_term: fewer'),
  agreementId: z.uuid().optional(),
});

export const creditRefundBody = z.strictObject({
  amountMinor: amount.optional().describe('Default: the whole credit balance'),
  agreementId: z.uuid().optional().describe('Whose card is paid; default the newest active agreement'),
});

export const offlineBody = z.strictObject({
  amountMinor: amount,
  transferRef: text()
    .trim()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, "must be the bank's reference: 1 to 64 letters, digits or _ . : -")
    .describe('The bank’s reference of the transfer: one transfer is applied once'),
  receivedOn: isoDate.describe('When the bank received it'),
  reason: text().trim().min(1).max(500).describe('For the checker'),
});

export const reversalBody = z.strictObject({
  reason: text().trim().min(1).max(500).describe('The chargeback or bounce, as the bank reported it'),
});

export const collectView = z
  .object({
    paymentOrderNo: z.string(),
    state: z.string(),
    amountMinor: minorUnits,
    purpose: z.enum(['repayment', 'payoff', 'prepayment']),
    agreementId: z.uuid(),
  })
  .meta({ id: 'RepaymentCollection' });

export const prepaymentCollectView = collectView
  .extend({ principalMinor: minorUnits, prepaymentFeeMinor: minorUnits })
  .meta({ id: 'PrepaymentCollection' });

export const payoffQuoteView = z
  .object({
    loanId: z.uuid(),
    quoteDate: z.string().describe('Valid on this business date only'),
    principalMinor: minorUnits,
    interestMinor: minorUnits,
    feeMinor: minorUnits,
    penaltyMinor: minorUnits,
    prepaymentFeeMinor: minorUnits,
    prepaidPrincipalMinor: minorUnits.describe('Principal not yet due: the base of the prepayment fee'),
    totalMinor: minorUnits,
    creditBalanceMinor: minorUnits.describe('Not used by the payoff: refundable'),
  })
  .meta({ id: 'PayoffQuote' });

const installment = z.object({
  number: z.number().int(),
  periodStart: z.string(),
  dueDate: z.string(),
  principalMinor: minorUnits,
  interestMinor: minorUnits,
  feeMinor: minorUnits,
  totalMinor: minorUnits,
  balanceMinor: minorUnits,
});

export const prepaymentQuoteView = z
  .object({
    loanId: z.uuid(),
    quoteDate: z.string(),
    mode: z.enum(prepaymentModes),
    principalMinor: minorUnits,
    prepaymentFeeMinor: minorUnits,
    currentInstallment: z.object({
      number: z.number().int(),
      principalMinor: minorUnits,
      interestMinor: minorUnits,
      feeMinor: minorUnits,
      penaltyMinor: minorUnits,
    }),
    totalMinor: minorUnits.describe('What the prepayment collects'),
    installments: z.array(installment).describe('The schedule after it'),
  })
  .meta({ id: 'PrepaymentQuote' });

export const transactionView = z
  .object({
    id: z.uuid(),
    loanId: z.uuid(),
    kind: z.enum(transactionKinds),
    sourceRef: z.string(),
    amountMinor: minorUnits,
    principalMinor: minorUnits,
    interestMinor: minorUnits,
    feeMinor: minorUnits,
    penaltyMinor: minorUnits,
    prepaymentFeeMinor: minorUnits,
    overpaymentMinor: minorUnits,
    allocation: z.array(
      z.object({ number: z.number().int(), component: z.string(), amountMinor: minorUnits }),
    ),
    channel: z.string().nullable(),
    reverses: z.uuid().nullable(),
    reversedBy: z.uuid().nullable(),
    reason: z.string().nullable(),
    businessDate: z.string(),
    createdAt: instant,
  })
  .meta({ id: 'ServicingTransaction' });

export const creditRefundView = z
  .object({ transaction: transactionView, paymentOrderNo: z.string() })
  .meta({ id: 'CreditBalanceRefund' });

export const reversalView = z
  .object({ reversal: transactionView, reversed: transactionView })
  .meta({ id: 'RepaymentReversal' });
