import { z } from 'zod';
import type { Config } from '../../platform/config.ts';
import type { DB } from '../../platform/db.ts';
import { queryRoute } from '../../platform/http/route.ts';
import { text } from '../../platform/http/text.ts';
import { instant, minorUnits } from '../../platform/http/wire.ts';
import { type BorrowerScope, borrowerScope } from '../iam/service.ts';
import { failureReasons, ownCollection } from '../payments/service.ts';
import { transactionBySource } from './repayment-store.ts';
import type { ServicingDb } from './tables.ts';

// What became of a repayment the borrower asked for (docs/servicing.md "Repayments"). A repayment,
// payoff or prepayment answers its payment order number at once (201, `paymentOrderNo`) and the
// channel finishes the collection later; this read answers the outcome: pending, succeeded,
// failed with the reason the borrower is shown, or unknown while payments finds out. Payments
// owns the order (ownCollection, scoped to the caller's customer and the loan: another borrower's
// order is 404); servicing adds the transaction the money became once it is applied (its source
// is `payment-order:<orderNo>`, collect.ts). A succeeded collection has no transaction for the
// moment between the channel's confirmation and the repayment-outcome consumer applying it.

const params = z.strictObject({
  loanId: z.uuid(),
  orderNo: text()
    .regex(/^FQ[0-9A-Z]{10,38}$/, 'must be a Fenqi order number (FQ…)')
    .describe('The paymentOrderNo the repayment, payoff or prepayment answered'),
});

const outcomeView = z
  .object({
    orderNo: z.string(),
    loanId: z.uuid(),
    state: z
      .enum(['pending', 'succeeded', 'failed', 'unknown'])
      .describe(
        'pending: the channel has not finished it; succeeded: the money was taken; failed: nothing was taken (a new request may be made); unknown: the channel’s answer was lost and is being asked for again',
      ),
    amountMinor: minorUnits,
    failureReason: z
      .enum(failureReasons)
      .nullable()
      .describe(
        'When failed: insufficient_balance (余额不足), card_unavailable (the card agreement no longer works: bind the card again), channel_busy (try again later), declined (the bank refused it)',
      ),
    transactionId: z
      .uuid()
      .nullable()
      .describe('The repayment the money became, once applied (GET …/transactions lists it)'),
    finishedAt: instant.nullable(),
  })
  .meta({ id: 'RepaymentRequestOutcome' });

export async function repaymentRequestOutcome(
  db: DB,
  config: Config,
  scope: BorrowerScope,
  input: { loanId: string; orderNo: string },
) {
  const collection = await ownCollection(db, config, scope, input);
  const applied =
    collection.state === 'succeeded'
      ? await transactionBySource(db as unknown as ServicingDb, `payment-order:${collection.orderNo}`)
      : undefined;
  return { ...collection, transactionId: applied?.id ?? null };
}

export const repaymentRequestRoutes = [
  queryRoute({
    method: 'GET',
    url: '/api/v1/borrower/loans/:loanId/repayment-requests/:orderNo',
    permission: 'borrower:self',
    summary: 'The outcome of a repayment, payoff or prepayment you asked for, by its payment order number',
    description:
      'Poll it after the 201: a failed debit (failureReason says why) collected nothing and changed nothing on the loan; a succeeded one carries transactionId once the money is applied. Another borrower’s order, or one of another loan, is 404.',
    tags: ['servicing'],
    schema: { params, response: { 200: outcomeView } },
    handler: async ({ db, caller, params, services }) => ({
      status: 200,
      body: await repaymentRequestOutcome(db, services.config, borrowerScope(caller), params),
    }),
  }),
];
