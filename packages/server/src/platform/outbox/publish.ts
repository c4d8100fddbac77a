import { randomUUID } from 'node:crypto';
import type { Tx } from '../db.ts';
import type { NewEvent } from './event.ts';
import * as store from './store.ts';

/**
 * Writes an event in the caller's transaction: it exists, with a delivery for every subscribed
 * consumer and matching webhook endpoint, exactly when the business change commits. Publishing
 * the same `eventId` twice records it once.
 */
export async function publishEvent(trx: Tx, event: NewEvent): Promise<{ eventId: string; eventRow: bigint }> {
  const eventId = event.eventId ?? randomUUID();
  const { eventRow } = await store.insertEvent(trx, {
    eventId,
    type: event.type,
    subject: event.subject ?? null,
    owner: event.owner ?? null,
    payload: JSON.stringify(event.payload),
  });
  return { eventId, eventRow };
}
