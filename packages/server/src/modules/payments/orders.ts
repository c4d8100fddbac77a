import { type Observation, type PaymentOrderKind, type PaymentOrderState, transitionOf } from '@fenqi/core';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { Config } from '../../platform/config.ts';
import {
  createDataKey,
  cryptoFor,
  dataKeyIdOf,
  decryptField,
  encryptField,
  fieldContext,
  loadDataKey,
} from '../../platform/crypto/envelope.ts';
import { maskCardNumber } from '../../platform/crypto/masking.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { publishEvent } from '../../platform/outbox/publish.ts';
import { postJournal } from '../ledger/service.ts';
import { channelFor } from './channels/registry.ts';
import { newOrderNo } from './order-numbers.ts';
import { purposeFor } from './purposes.ts';
import * as store from './store.ts';
import type { PaymentsDb, PaymentsTx } from './tables.ts';

// Payment orders: created by other modules (through createPaymentOrder, in their transaction) or
// by staff, submitted by the submit job, and finished by what the channel reports — the answer to
// the request, a callback, a query, the statement — through one function, applyObservation, which
// takes the order's row lock, asks the core state machine what the fact means, and in the same
// transaction records the transition, posts the money's journal entry and publishes the event.

/** The largest order: just under 10 billion yuan — a day of a million of them still fits int8. */
export const orderAmountMinorMax = 999_999_999_999n;

export type Counterpart =
  | { kind: 'payout'; accountName: string; accountNo: string }
  | { kind: 'collect'; agreementId: string }
  | { kind: 'refund'; originalOrderNo: string };

export type NewPaymentOrder = {
  channel: string;
  purpose: string;
  amountMinor: bigint;
  currency: 'CNY';
  /** The business effect it pays, unique among live orders: `loan:42/disbursement`. */
  sourceRef: string;
  loanId?: string | undefined;
  customerId?: string | undefined;
  merchantId?: string | undefined;
  counterpart: Counterpart;
};

export type PaymentOrder = {
  orderNo: string;
  channel: string;
  kind: PaymentOrderKind;
  purpose: string;
  state: PaymentOrderState;
  amountMinor: bigint;
  currency: string;
  sourceRef: string;
  loanId: string | null;
  customerId: string | null;
  merchantId: string | null;
  accountNoMasked: string | null;
  agreementId: string | null;
  channelTxnId: string | null;
  failureCode: string | null;
  failureMessage: string | null;
  finishedAt: Date | null;
  settledEntryId: bigint | null;
  bouncedEntryId: bigint | null;
  businessDate: string;
  createdAt: Date;
  updatedAt: Date;
};

export function toPaymentOrder(row: store.OrderRow): PaymentOrder {
  return {
    orderNo: row.order_no,
    channel: row.channel,
    kind: row.kind,
    purpose: row.purpose,
    state: row.state,
    amountMinor: row.amount_minor,
    currency: row.currency,
    sourceRef: row.source_ref,
    loanId: row.loan_id,
    customerId: row.customer_id,
    merchantId: row.merchant_id,
    accountNoMasked: row.account_no_masked,
    agreementId: row.agreement_id,
    channelTxnId: row.channel_txn_id,
    failureCode: row.failure_code,
    failureMessage: row.failure_message,
    finishedAt: row.finished_at,
    settledEntryId: row.settled_entry_id,
    bouncedEntryId: row.bounced_entry_id,
    businessDate: row.business_date,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

const accountContext = (column: 'account_name' | 'account_no', orderNo: string) =>
  fieldContext('payment_orders', column, orderNo);

/** A payout's account, decrypted for the request to the channel. */
export async function payoutAccount(
  db: DB | Tx,
  config: Config,
  row: store.OrderRow,
): Promise<{ accountName: string; accountNo: string }> {
  if (row.account_name_enc === null || row.account_no_enc === null)
    throw new Error(`order ${row.order_no} is no payout`);
  const key = await loadDataKey(db, cryptoFor(config).kms, dataKeyIdOf(row.account_no_enc));
  return {
    accountName: decryptField(key, row.account_name_enc, accountContext('account_name', row.order_no)),
    accountNo: decryptField(key, row.account_no_enc, accountContext('account_no', row.order_no)),
  };
}

function sameOrder(row: store.OrderRow, input: NewPaymentOrder, kind: PaymentOrderKind): boolean {
  return (
    row.channel === input.channel &&
    row.kind === kind &&
    row.purpose === input.purpose &&
    row.amount_minor === input.amountMinor
  );
}

/**
 * Creates a payment order in the caller's transaction; the submit job sends it once that commits.
 * A second call for the same source while the first order is alive returns that order (a consumer
 * handling its event twice creates one payment); with different content it is refused.
 */
export async function createPaymentOrder(
  trx: Tx,
  config: Config,
  input: NewPaymentOrder,
): Promise<{ order: PaymentOrder; created: boolean }> {
  const t: PaymentsTx = trx;
  const kind = input.counterpart.kind;
  purposeFor(input.purpose, kind);
  channelFor(config, input.channel);
  if (input.amountMinor < 1n || input.amountMinor > orderAmountMinorMax) {
    throw new AppError('validation_failed', `An order amount is 1 to ${orderAmountMinorMax} fen.`, {
      errors: [{ path: 'amountMinor', message: `must be 1 to ${orderAmountMinorMax}`, in: 'body' }],
    });
  }
  const existing = await store.liveOrderForSource(t, input.sourceRef);
  if (existing) return replayOrConflict(existing, input, kind);
  const businessDate = await getBusinessDate(trx);
  const orderNo = newOrderNo(businessDate);
  const counterpart: Partial<Parameters<typeof store.insertOrder>[1]> = {};
  const owners = { loanId: input.loanId, customerId: input.customerId, merchantId: input.merchantId };
  if (input.counterpart.kind === 'payout') {
    const key = await createDataKey(trx, cryptoFor(config).kms, 'payment-order');
    counterpart.account_name_enc = encryptField(
      key,
      input.counterpart.accountName,
      accountContext('account_name', orderNo),
    );
    counterpart.account_no_enc = encryptField(
      key,
      input.counterpart.accountNo,
      accountContext('account_no', orderNo),
    );
    counterpart.account_no_masked = maskCardNumber(input.counterpart.accountNo);
  } else if (input.counterpart.kind === 'collect') {
    const agreement = await store.findAgreement(t, input.counterpart.agreementId);
    if (
      agreement?.status !== 'active' ||
      agreement.channel !== input.channel ||
      (input.customerId !== undefined && agreement.customer_id !== input.customerId)
    ) {
      throw new AppError(
        'card_agreement_not_active',
        'The card agreement is not active on this channel for this customer.',
        {
          errors: [
            { path: 'agreementId', message: 'must be an active agreement of the customer', in: 'body' },
          ],
        },
      );
    }
    counterpart.agreement_id = agreement.id;
    owners.customerId = agreement.customer_id;
  } else {
    const original = await store.lockOrder(t, input.counterpart.originalOrderNo);
    if (
      original?.kind !== 'collect' ||
      original.state !== 'succeeded' ||
      original.channel !== input.channel
    ) {
      throw new AppError(
        'payment_order_not_refundable',
        'Only a succeeded collection on the same channel can be refunded.',
        {
          errors: [{ path: 'originalOrderNo', message: 'must be a succeeded collection', in: 'body' }],
        },
      );
    }
    const refunded = await store.refundedOf(t, original.id);
    if (refunded + input.amountMinor > original.amount_minor) {
      throw new AppError(
        'payment_order_not_refundable',
        `The collection was ${original.amount_minor} fen and ${refunded} fen of it is refunded or being refunded.`,
        {
          errors: [
            {
              path: 'amountMinor',
              message: `must be at most ${original.amount_minor - refunded}`,
              in: 'body',
            },
          ],
        },
      );
    }
    counterpart.original_order_id = original.id;
    owners.customerId ??= original.customer_id ?? undefined;
    owners.loanId ??= original.loan_id ?? undefined;
  }
  const row = await store.insertOrder(t, {
    order_no: orderNo,
    channel: input.channel,
    kind,
    purpose: input.purpose,
    state: 'created',
    amount_minor: input.amountMinor,
    currency: input.currency,
    source_ref: input.sourceRef,
    loan_id: owners.loanId ?? null,
    customer_id: owners.customerId ?? null,
    merchant_id: owners.merchantId ?? null,
    business_date: businessDate,
    next_action_at: new Date(0),
    ...counterpart,
  });
  if (row === undefined) {
    // A concurrent transaction created the live order for this source first.
    const winner = await store.liveOrderForSource(t, input.sourceRef);
    if (winner) return replayOrConflict(winner, input, kind);
    throw new AppError('concurrent_conflict', 'Another request created an order for this source; retry.');
  }
  return { order: toPaymentOrder(row), created: true };
}

function replayOrConflict(existing: store.OrderRow, input: NewPaymentOrder, kind: PaymentOrderKind) {
  if (sameOrder(existing, input, kind)) return { order: toPaymentOrder(existing), created: false };
  throw new AppError(
    'payment_order_exists',
    `Order ${existing.order_no} already pays ${input.sourceRef} (${existing.state}); a new one may follow only a definite failure.`,
    { extensions: { orderNo: existing.order_no } },
  );
}

/** What is known besides the outcome when a fact arrives (the channel's id, a failure's code, …). */
export type ObservationFacts = {
  txnId?: string | null | undefined;
  code?: string | null | undefined;
  message?: string | null | undefined;
  retryable?: boolean | undefined;
  finishedAt?: Date | null | undefined;
  channelStatus?: string | undefined;
};

export type Applied =
  | { kind: 'moved'; from: PaymentOrderState; order: store.OrderRow }
  | { kind: 'resend'; order: store.OrderRow }
  | { kind: 'stale'; order: store.OrderRow }
  | { kind: 'conflict'; reason: string; order: store.OrderRow };

const journalKinds = {
  payout: { eventType: 'payment_payout', clearingSide: 'credit' },
  collect: { eventType: 'payment_collection', clearingSide: 'debit' },
  refund: { eventType: 'payment_refund', clearingSide: 'credit' },
} as const;

async function postSettlement(trx: Tx, config: Config, row: store.OrderRow): Promise<bigint> {
  const { clearingAccount } = channelFor(config, row.channel);
  const account = purposeFor(row.purpose, row.kind).account;
  const journal = journalKinds[row.kind];
  const other = journal.clearingSide === 'credit' ? 'debit' : 'credit';
  const dimensions = {
    loanId: row.loan_id ?? undefined,
    customerId: row.customer_id ?? undefined,
    merchantId: row.merchant_id ?? undefined,
  };
  const entry = await postJournal(trx, {
    idempotencyKey: `payment:${row.order_no}:settled`,
    eventType: journal.eventType,
    sourceRef: `payment-order:${row.order_no}`,
    description: `${row.kind} ${row.order_no} (${row.purpose})`,
    lines: [
      {
        account: clearingAccount,
        side: journal.clearingSide,
        amountMinor: row.amount_minor,
        currency: row.currency,
        ...dimensions,
      },
      { account, side: other, amountMinor: row.amount_minor, currency: row.currency, ...dimensions },
    ],
  });
  return entry.id;
}

async function postBounce(trx: Tx, config: Config, row: store.OrderRow): Promise<bigint> {
  const { clearingAccount } = channelFor(config, row.channel);
  const account = purposeFor(row.purpose, row.kind).account;
  const dimensions = {
    loanId: row.loan_id ?? undefined,
    customerId: row.customer_id ?? undefined,
    merchantId: row.merchant_id ?? undefined,
  };
  const entry = await postJournal(trx, {
    idempotencyKey: `payment:${row.order_no}:bounced`,
    eventType: 'payment_bounce',
    sourceRef: `payment-order:${row.order_no}`,
    description: `payout ${row.order_no} bounced back (${row.purpose})`,
    lines: [
      {
        account: clearingAccount,
        side: 'debit',
        amountMinor: row.amount_minor,
        currency: row.currency,
        ...dimensions,
      },
      { account, side: 'credit', amountMinor: row.amount_minor, currency: row.currency, ...dimensions },
    ],
  });
  return entry.id;
}

function eventPayload(row: store.OrderRow) {
  return {
    orderNo: row.order_no,
    channel: row.channel,
    kind: row.kind,
    purpose: row.purpose,
    amountMinor: String(row.amount_minor),
    currency: row.currency,
    sourceRef: row.source_ref,
    loanId: row.loan_id,
    customerId: row.customer_id,
    merchantId: row.merchant_id,
    channelTxnId: row.channel_txn_id,
    finishedAt: row.finished_at?.toISOString() ?? null,
  };
}

async function publishOrderEvent(
  trx: Tx,
  type: string,
  row: store.OrderRow,
  extra: Record<string, string | boolean | null> = {},
) {
  await publishEvent(trx, {
    type,
    subject: { type: 'payment-order', id: row.order_no },
    ...(row.merchant_id === null ? {} : { owner: { kind: 'merchant' as const, id: row.merchant_id } }),
    payload: { ...eventPayload(row), ...extra },
  });
}

/**
 * Applies what was learned about an order whose row the caller has locked (store.lockOrder), in
 * the caller's transaction: the state change and its transition row, the journal entry, the event.
 * A stale fact changes nothing; a contradiction changes nothing and is returned for the caller to
 * raise as an exception.
 */
export async function applyObservation(
  trx: Tx,
  config: Config,
  row: store.OrderRow,
  observation: Observation,
  facts: ObservationFacts = {},
): Promise<Applied> {
  const t: PaymentsTx = trx;
  const transition = transitionOf(row.state, observation, row.kind);
  if (transition.kind === 'resend') return { kind: 'resend', order: row };
  if (transition.kind === 'stale') {
    // A repeat may still carry what we lacked: the channel's transaction id, or (after a collection
    // that succeeded in its answer, which has no time) the channel's own finishing time, which is
    // what its statement dates the order by.
    const patch: Parameters<typeof store.updateOrder>[2] = {};
    if (row.channel_txn_id === null && facts.txnId) patch.channel_txn_id = facts.txnId;
    if (
      observation.outcome === row.state &&
      facts.finishedAt &&
      facts.finishedAt.getTime() !== row.finished_at?.getTime()
    )
      patch.finished_at = facts.finishedAt;
    if (Object.keys(patch).length === 0) return { kind: 'stale', order: row };
    return { kind: 'stale', order: await store.updateOrder(t, row.id, patch) };
  }
  if (transition.kind === 'conflict') return { kind: 'conflict', reason: transition.reason, order: row };

  const { to, effect } = transition;
  const patch: Parameters<typeof store.updateOrder>[2] = { state: to };
  if (facts.txnId) patch.channel_txn_id = facts.txnId;
  if (to === 'failed') {
    patch.failure_code = facts.code ?? 'FAILED';
    patch.failure_message = facts.message?.slice(0, 500) ?? null;
  }
  if (effect === 'settled' || effect === 'failed' || effect === 'settled_then_bounced')
    patch.finished_at = facts.finishedAt ?? new Date();
  if (to === 'succeeded' || to === 'failed' || to === 'bounced') patch.next_action_at = null;
  let updated = { ...row, ...patch } as store.OrderRow;
  if (effect === 'settled' || effect === 'settled_then_bounced') {
    patch.settled_entry_id = await postSettlement(trx, config, updated);
  }
  if (effect === 'bounced' || effect === 'settled_then_bounced') {
    patch.bounced_entry_id = await postBounce(trx, config, updated);
  }
  updated = await store.updateOrder(t, row.id, patch);
  await store.insertTransition(t, {
    order_id: row.id,
    from_state: row.state,
    to_state: to,
    source: observation.source,
    channel_status: facts.channelStatus ?? observation.outcome,
    code: facts.code ?? null,
  });
  if (effect === 'settled' || effect === 'settled_then_bounced')
    await publishOrderEvent(trx, 'payments.order-succeeded', updated);
  if (effect === 'failed') {
    await publishOrderEvent(trx, 'payments.order-failed', updated, {
      code: updated.failure_code,
      message: updated.failure_message,
      retryable: facts.retryable ?? false,
    });
  }
  if (effect === 'bounced' || effect === 'settled_then_bounced')
    await publishOrderEvent(trx, 'payments.payout-bounced', updated);
  return { kind: 'moved', from: row.state, order: updated };
}

/** Raises a contradiction between the channel and an order as an exception item. */
export async function raiseNoticeConflict(
  trx: Tx,
  row: store.OrderRow,
  reason: string,
  notice: { source: string; status: string; txnId?: string | null | undefined },
): Promise<void> {
  await store.raiseException(trx, {
    kind: 'notice_conflict',
    dedupe_key: `notice_conflict:${row.order_no}:${notice.status}`,
    channel: row.channel,
    order_id: row.id,
    order_no: row.order_no,
    our_amount_minor: row.amount_minor,
    our_state: row.state,
    channel_status: notice.status,
    detail: `${notice.source}: ${reason}`,
  });
}

export async function getPaymentOrder(db: DB, orderNo: string): Promise<PaymentOrder> {
  const row = await store.findOrder(db as PaymentsDb, orderNo);
  if (!row) throw new AppError('not_found', `There is no payment order ${orderNo}.`);
  return toPaymentOrder(row);
}
