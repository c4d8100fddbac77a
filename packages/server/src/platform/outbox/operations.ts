import type { DB, Tx } from '../db.ts';
import { AppError } from '../errors.ts';
import * as store from './store.ts';

// What operators see of the outbox and may do with it.

export type Delivery = {
  eventId: string;
  eventType: string;
  occurredAt: Date;
  consumer: string;
  state: 'pending' | 'delivered' | 'dead';
  attempts: number;
  nextAttemptAt: Date;
  lastAttemptAt: Date | null;
  lastError: string | null;
  deliveredAt: Date | null;
};

export async function listDeliveries(
  db: DB,
  filter: {
    state?: 'pending' | 'delivered' | 'dead' | undefined;
    consumer?: string | undefined;
    limit: number;
  },
): Promise<Delivery[]> {
  return (await store.listDeliveries(db, filter)).map((row) => ({
    eventId: row.event_id,
    eventType: row.type,
    occurredAt: row.occurred_at,
    consumer: row.consumer,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastAttemptAt: row.last_attempt_at,
    lastError: row.last_error,
    deliveredAt: row.delivered_at,
  }));
}

/** Sends a dead delivery again (after its receiver was fixed). */
export async function retryDelivery(trx: Tx, eventId: string, consumer: string): Promise<void> {
  if (!(await store.retryDelivery(trx, eventId, consumer))) {
    throw new AppError('not_found', `There is no undelivered delivery of event ${eventId} to ${consumer}.`);
  }
}
