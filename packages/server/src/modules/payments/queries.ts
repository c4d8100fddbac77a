import { isFinalState } from '@fenqi/core';
import type { Tx } from '../../platform/db.ts';
import type { Services } from '../../platform/services.ts';
import type { QueryAnswer } from './channel.ts';
import { channelFor } from './channels/registry.ts';
import { applyObservation, raiseNoticeConflict } from './orders.ts';
import * as store from './store.ts';
import { sendOrder } from './submission.ts';

// The query job: asks the channel about every order without an outcome — submitted and never
// answered, processing past its callback, unknown — with back-off, and applies what it learns
// exactly as a callback would. An order the channel has never seen is sent again only while it is
// `submitted` (the state machine says so); an `unknown` one waits for the channel or the statement.
// Orders still unclear after PAYMENT_ESCALATE_AFTER_MINUTES become exception items.

export const queryBatchMax = 64;

async function applyQueryAnswer(
  services: Services,
  row: store.OrderRow,
  answer: QueryAnswer,
): Promise<'resend' | 'done'> {
  const { config, db } = services;
  return db.transaction().execute(async (trx: Tx) => {
    const locked = await store.lockOrder(trx, row.order_no);
    if (!locked || isFinalState(locked.state)) return 'done';
    if (!answer.found) {
      const applied = await applyObservation(trx, config, locked, { source: 'query', outcome: 'not_found' });
      return applied.kind === 'resend' ? 'resend' : 'done';
    }
    if (answer.amountMinor !== locked.amount_minor || answer.kind !== locked.kind) {
      await store.raiseException(trx, {
        kind: 'notice_amount_mismatch',
        dedupe_key: `notice_amount_mismatch:${locked.order_no}:query:${answer.status}`,
        channel: locked.channel,
        order_id: locked.id,
        order_no: locked.order_no,
        our_amount_minor: locked.amount_minor,
        channel_amount_minor: answer.amountMinor,
        our_state: locked.state,
        channel_status: answer.status,
        detail: `query: the channel holds ${answer.kind} ${answer.amountMinor} fen for this order; ours is ${locked.kind} ${locked.amount_minor} fen`,
      });
      return 'done';
    }
    const applied = await applyObservation(
      trx,
      config,
      locked,
      { source: 'query', outcome: answer.status },
      {
        txnId: answer.txnId,
        code: answer.code,
        retryable: answer.retryable,
        message: answer.code === null ? null : `query: ${answer.code}`,
        finishedAt: answer.finishedAt,
        channelStatus: answer.status.toUpperCase(),
      },
    );
    if (applied.kind === 'conflict')
      await raiseNoticeConflict(trx, locked, applied.reason, {
        source: 'query',
        status: answer.status,
        txnId: answer.txnId,
      });
    return 'done';
  });
}

/** Raises an exception for every order still without an outcome past the escalation age. */
export async function escalateUnresolved(services: Services, now: Date): Promise<number> {
  const { config, db } = services;
  const before = new Date(now.getTime() - config.payments.escalateAfterMinutes * 60_000);
  return db.transaction().execute(async (trx: Tx) => {
    const rows = await store.markUnescalated(trx, before, now);
    for (const row of rows) {
      await store.raiseException(trx, {
        kind: 'unresolved_order',
        dedupe_key: `unresolved_order:${row.order_no}`,
        channel: row.channel,
        order_id: row.id,
        order_no: row.order_no,
        our_amount_minor: row.amount_minor,
        our_state: row.state,
        detail: `no outcome ${config.payments.escalateAfterMinutes} minutes after creation (${row.state}); the query job keeps asking and the statement decides`,
      });
    }
    return rows.length;
  });
}

/**
 * One pass of the query job: leases due unresolved orders (which moves their next look out by the
 * back-off), asks the channel about each, applies the answers. `now` is injected.
 */
export async function queryDue(services: Services, now: Date = new Date()): Promise<number> {
  const { config, db } = services;
  const leased = await db
    .transaction()
    .execute((trx: Tx) =>
      store.leaseUnresolved(
        trx,
        now,
        { afterMs: config.payments.queryAfterMs, maxMs: config.payments.queryIntervalMaxMs },
        queryBatchMax,
      ),
    );
  await Promise.all(
    leased.map(async (row) => {
      try {
        const answer = await channelFor(config, row.channel).channel.query(row.order_no);
        if ((await applyQueryAnswer(services, row, answer)) === 'resend') {
          services.logger.warn(
            { orderNo: row.order_no },
            'the channel has never seen a submitted order; sending it again under the same number',
          );
          await sendOrder(services, row);
        }
      } catch (error) {
        services.logger.warn(
          { err: error, orderNo: row.order_no },
          'payment order query failed; it is asked again after the back-off',
        );
      }
    }),
  );
  const escalated = await escalateUnresolved(services, now);
  return leased.length + escalated;
}
