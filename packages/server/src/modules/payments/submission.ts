import type { Observation } from '@fenqi/core';
import type { Tx } from '../../platform/db.ts';
import type { Services } from '../../platform/services.ts';
import { agreementNumber } from './agreements.ts';
import type { SubmitAnswer } from './channel.ts';
import { channelFor, notifyUrl } from './channels/registry.ts';
import { applyObservation, type ObservationFacts, payoutAccount, raiseNoticeConflict } from './orders.ts';
import * as store from './store.ts';

// The submit job: sends created orders to their channel. An order is marked `submitted` and that
// commits before the request leaves, so a crash at any point leaves an order the query job
// resolves: it asks the channel, and only an order the channel has never seen is sent again —
// under the same order number, which the channel refuses twice.

export const submitBatchMax = 32;

function observationOf(answer: SubmitAnswer): { observation: Observation; facts: ObservationFacts } {
  switch (answer.status) {
    case 'succeeded':
      return {
        observation: { source: 'submit', outcome: 'succeeded' },
        facts: { txnId: answer.txnId, finishedAt: answer.finishedAt, channelStatus: 'SUCCEEDED' },
      };
    case 'failed':
      return {
        observation: { source: 'submit', outcome: 'failed' },
        facts: {
          txnId: answer.txnId,
          code: answer.code,
          message: answer.message,
          retryable: answer.retryable,
          channelStatus: 'FAILED',
        },
      };
    case 'processing':
      return {
        observation: { source: 'submit', outcome: 'accepted' },
        facts: { txnId: answer.txnId, channelStatus: 'PROCESSING' },
      };
    case 'unknown':
      return {
        observation: { source: 'submit', outcome: 'unknown' },
        facts: { message: answer.reason, channelStatus: 'UNKNOWN' },
      };
    case 'send_failed':
      return { observation: { source: 'submit', outcome: 'send_failed' }, facts: { message: answer.reason } };
  }
}

/** Sends one order (state `submitted`) to its channel and applies the answer. */
export async function sendOrder(services: Services, row: store.OrderRow): Promise<void> {
  const { config, db } = services;
  const { channel } = channelFor(config, row.channel);
  const callback = notifyUrl(config, row.channel);
  let answer: SubmitAnswer;
  if (row.kind === 'payout') {
    const account = await payoutAccount(db, config, row);
    answer = await channel.payout({
      orderNo: row.order_no,
      amountMinor: row.amount_minor,
      ...account,
      notifyUrl: callback,
    });
  } else if (row.kind === 'collect') {
    if (row.agreement_id === null) throw new Error(`collection ${row.order_no} has no agreement`);
    answer = await channel.collect({
      orderNo: row.order_no,
      agreementNo: await agreementNumber(db, config, row.agreement_id),
      amountMinor: row.amount_minor,
      notifyUrl: callback,
    });
  } else {
    if (row.original_order_id === null) throw new Error(`refund ${row.order_no} has no original order`);
    answer = await channel.refund({
      orderNo: row.order_no,
      originalOrderNo: await store.orderNoOf(db, row.original_order_id),
      amountMinor: row.amount_minor,
      notifyUrl: callback,
    });
  }
  if (answer.status === 'send_failed') {
    services.logger.warn(
      { orderNo: row.order_no, reason: answer.reason },
      'payment request did not reach the channel; the query job sends it again',
    );
    return;
  }
  const { observation, facts } = observationOf(answer);
  await db.transaction().execute(async (trx: Tx) => {
    const locked = await store.lockOrder(trx, row.order_no);
    if (!locked) return;
    const applied = await applyObservation(trx, config, locked, observation, facts);
    if (applied.kind === 'conflict')
      await raiseNoticeConflict(trx, locked, applied.reason, { source: 'submit', status: answer.status });
  });
}

/**
 * One pass of the submit job: claims due created orders and sends them, concurrently. Returns how
 * many were claimed. `now` is injected (tests move it); the claim makes the query job look at each
 * order after the back-off if its answer never arrives.
 */
export async function submitDue(services: Services, now: Date = new Date()): Promise<number> {
  const { config, db } = services;
  const firstLook = Math.max(config.payments.queryAfterMs, 2 * config.payments.channelTimeoutMs);
  const claimed = await db
    .transaction()
    .execute((trx: Tx) => store.claimCreated(trx, now, new Date(now.getTime() + firstLook), submitBatchMax));
  await Promise.all(
    claimed.map((row) =>
      sendOrder(services, row).catch((error: unknown) =>
        services.logger.error(
          { err: error, orderNo: row.order_no },
          'sending a payment order failed; the query job will look at it',
        ),
      ),
    ),
  );
  return claimed.length;
}
