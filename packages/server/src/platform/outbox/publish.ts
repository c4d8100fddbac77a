import { randomUUID } from 'node:crypto';
import { type RawBuilder, sql } from 'kysely';
import type { Tx } from '../db.ts';
import type { NewEvent } from './event.ts';
import * as store from './store.ts';
import { outboxChannel } from './store.ts';

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

/**
 * Publishes one event per row of `rows`, a query the caller writes over its own tables with the
 * columns (event_id uuid, type text, subject_type text, subject_id text, payload jsonb): close of
 * business announces thousands of due installments without a round trip each. Event ids should
 * be derived from the fact (a republish of the same fact is then a no-op). Returns how many
 * events were new.
 */
export async function publishEventsFrom(trx: Tx, rows: RawBuilder<unknown>): Promise<number> {
  const result = await sql<{ events: number; deliveries: number }>`
    WITH src AS (${rows}),
    e AS (
      INSERT INTO outbox_events (event_id, type, subject_type, subject_id, owner_kind, owner_id, payload, business_date)
      SELECT src.event_id, src.type, src.subject_type, src.subject_id, NULL, NULL, src.payload, b.business_date
      FROM src CROSS JOIN business_date b
      ON CONFLICT (event_id) DO NOTHING
      RETURNING id, type
    ),
    d AS (
      INSERT INTO outbox_deliveries (event_row, consumer)
      SELECT e.id, s.consumer FROM e JOIN outbox_subscriptions s ON s.event_type IN (e.type, '*')
      RETURNING 1
    )
    SELECT (SELECT count(*)::int FROM e) AS events, (SELECT count(*)::int FROM d) AS deliveries`.execute(trx);
  const row = result.rows[0];
  if (row !== undefined && row.deliveries > 0) await sql`SELECT pg_notify(${outboxChannel}, '')`.execute(trx);
  return row?.events ?? 0;
}
