import type { Config } from '../../platform/config.ts';
import type { Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { RawResult } from '../../platform/http/route.ts';
import { type CallbackNotice, CallbackRejected, type CallbackRequest } from './channel.ts';
import { channelFor } from './channels/registry.ts';
import { applyObservation, raiseNoticeConflict } from './orders.ts';
import * as store from './store.ts';

// A channel's callback about one of our orders. Verified before any database work (signature,
// freshness); then, in one transaction: the nonce (a replay is refused), the notice recorded by
// (channel, transaction id, status) — a repeat is acknowledged with no second effect — the amount
// checked against our order, and the fact applied like any other (orders.ts). The acknowledgement
// the channel waits for is sent only once all of that committed.

export type VerifiedCallback = { channel: string; notice: CallbackNotice; nonce: string };

export function verifyCallback(
  config: Config,
  channelCode: string,
  request: CallbackRequest,
  nowMs: number,
): VerifiedCallback {
  const { channel } = channelFor(config, channelCode);
  try {
    const { notice, nonce } = channel.verifyCallback(request, nowMs);
    return { channel: channelCode, notice, nonce };
  } catch (error) {
    if (error instanceof CallbackRejected)
      throw new AppError('callback_signature_invalid', `The callback was refused: ${error.message}.`);
    throw error;
  }
}

export async function handleCallback(
  trx: Tx,
  config: Config,
  verified: VerifiedCallback,
): Promise<RawResult> {
  const { channel: channelCode, notice } = verified;
  const { channel } = channelFor(config, channelCode);
  const ack: RawResult = channel.acknowledgement;
  if (!(await store.recordNonce(trx, channelCode, verified.nonce))) {
    throw new AppError(
      'callback_signature_invalid',
      'The callback was refused: its nonce was used before (a replay).',
    );
  }
  const key = { channel: channelCode, txnId: notice.txnId, status: notice.status };
  const repeat = await store.recordCallback(trx, {
    ...key,
    orderNo: notice.orderNo,
    amountMinor: notice.amountMinor,
  });
  const mismatch = (): RawResult => ({
    refusal: new AppError(
      'callback_amount_mismatch',
      `The callback says ${notice.kind} ${notice.amountMinor} fen, which is not the order; operations has it as an exception.`,
    ),
  });
  if (repeat !== undefined) return repeat.repeatOf === 'amount_mismatch' ? mismatch() : ack;

  const order = await store.lockOrder(trx, notice.orderNo);
  if (!order || order.channel !== channelCode) {
    await store.setCallbackOutcome(trx, key, 'unknown_order');
    await store.raiseException(trx, {
      kind: 'unknown_order',
      dedupe_key: `unknown_order:${channelCode}:${notice.txnId}:${notice.status}`,
      channel: channelCode,
      order_no: notice.orderNo.slice(0, 64),
      channel_amount_minor: notice.amountMinor,
      channel_status: notice.status,
      detail: `a callback names order ${notice.orderNo}, which Fenqi has not sent on ${channelCode}`,
    });
    // Acknowledged: asking again would not make the order ours; operations has it.
    return ack;
  }
  if (notice.amountMinor !== order.amount_minor || notice.kind !== order.kind) {
    await store.setCallbackOutcome(trx, key, 'amount_mismatch');
    await store.raiseException(trx, {
      kind: 'notice_amount_mismatch',
      dedupe_key: `notice_amount_mismatch:${order.order_no}:callback:${notice.txnId}:${notice.status}`,
      channel: channelCode,
      order_id: order.id,
      order_no: order.order_no,
      our_amount_minor: order.amount_minor,
      channel_amount_minor: notice.amountMinor,
      our_state: order.state,
      channel_status: notice.status,
      detail: `callback: ${notice.kind} ${notice.amountMinor} fen ${notice.status}; the order is ${order.kind} ${order.amount_minor} fen`,
    });
    return mismatch();
  }
  const applied = await applyObservation(
    trx,
    config,
    order,
    { source: 'callback', outcome: notice.status },
    {
      txnId: notice.txnId,
      code: notice.code,
      retryable: notice.retryable,
      message: notice.code === null ? null : `callback: ${notice.code}`,
      finishedAt: notice.finishedAt,
      channelStatus: notice.status.toUpperCase(),
    },
  );
  if (applied.kind === 'conflict') {
    await store.setCallbackOutcome(trx, key, 'conflict');
    await raiseNoticeConflict(trx, order, applied.reason, {
      source: 'callback',
      status: notice.status,
      txnId: notice.txnId,
    });
  } else if (applied.kind === 'stale') {
    await store.setCallbackOutcome(trx, key, 'stale');
  }
  return ack;
}
