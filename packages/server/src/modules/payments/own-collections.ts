import type { PaymentOrderState } from '@fenqi/core';
import type { Config } from '../../platform/config.ts';
import type { DB } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { ownCustomerId } from '../customers/service.ts';
import type { BorrowerScope } from '../iam/service.ts';
import type { FailureReason } from './channel.ts';
import { configuredChannels } from './channels/registry.ts';
import * as store from './store.ts';
import type { PaymentsDb } from './tables.ts';

// A borrower's own view of a collection from their card (a repayment they asked for, or an
// installment's auto-debit): only what the payer may know — whether the money was taken, and if
// not, why in words they can act on. The channel's own code stays with operations; its adapter
// says what it means (`failureReason`). Scoped in SQL by the caller's customer and the loan: an
// order of anyone else, or of another loan, is 404 like a missing one.

export type CollectionState = 'pending' | 'succeeded' | 'failed' | 'unknown';

export type OwnCollection = {
  orderNo: string;
  loanId: string;
  state: CollectionState;
  amountMinor: bigint;
  /** Set when the collection failed. */
  failureReason: FailureReason | null;
  finishedAt: Date | null;
};

/**
 * What a borrower is told of each order state: sent and not finished is pending; `unknown` (the
 * channel's answer was lost; the query job finds out) stays apart so the page can say so.
 */
const stateFor: Record<PaymentOrderState, CollectionState> = {
  created: 'pending',
  submitted: 'pending',
  processing: 'pending',
  unknown: 'unknown',
  succeeded: 'succeeded',
  failed: 'failed',
  bounced: 'failed',
};

/** A channel no longer configured cannot say more than that the bank refused. */
function reasonOf(config: Config, channel: string, code: string | null): FailureReason {
  const configured = configuredChannels(config).get(channel);
  return configured?.channel.failureReason(code ?? '') ?? 'declined';
}

export async function ownCollection(
  db: DB,
  config: Config,
  scope: BorrowerScope,
  input: { loanId: string; orderNo: string },
): Promise<OwnCollection> {
  const customerId = await ownCustomerId(db, scope);
  const row =
    customerId === undefined
      ? undefined
      : await store.collectionOfCustomer(db as PaymentsDb, customerId, input.loanId, input.orderNo);
  if (row === undefined)
    throw new AppError('not_found', `There is no payment ${input.orderNo} of this loan.`);
  const state = stateFor[row.state];
  return {
    orderNo: row.order_no,
    loanId: input.loanId,
    state,
    amountMinor: row.amount_minor,
    failureReason: state === 'failed' ? reasonOf(config, row.channel, row.failure_code) : null,
    finishedAt: row.finished_at,
  };
}
