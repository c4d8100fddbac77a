import { sql } from 'kysely';
import type { PlatformDb, PlatformTx } from '../db.ts';

// The outbox's SQL. Publishing is one statement: the event and its delivery rows (one per
// subscribed consumer and per matching webhook endpoint) are inserted together, and a NOTIFY wakes
// the dispatchers when the transaction commits.

export const outboxChannel = 'fenqi_outbox';

export type EventRow = {
  event_row: bigint;
  event_id: string;
  type: string;
  subject_type: string | null;
  subject_id: string | null;
  payload: unknown;
  occurred_at: Date;
  business_date: string;
};

export async function insertEvent(
  trx: PlatformTx,
  event: {
    eventId: string;
    type: string;
    subject: { type: string; id: string } | null;
    owner: { kind: 'merchant' | 'funder'; id: string } | null;
    payload: string;
  },
): Promise<{ eventRow: bigint; inserted: boolean }> {
  const result = await sql<{ id: bigint; deliveries: number }>`
    WITH e AS (
      INSERT INTO outbox_events (event_id, type, subject_type, subject_id, owner_kind, owner_id, payload, business_date)
      SELECT ${event.eventId}::uuid, ${event.type}, ${event.subject?.type ?? null}, ${event.subject?.id ?? null},
             ${event.owner?.kind ?? null}, ${event.owner?.id ?? null}, ${event.payload}::jsonb, b.business_date
      FROM business_date b
      ON CONFLICT (event_id) DO NOTHING
      RETURNING id, type, owner_kind, owner_id
    ),
    d AS (
      INSERT INTO outbox_deliveries (event_row, consumer)
      SELECT e.id, s.consumer FROM e JOIN outbox_subscriptions s ON s.event_type IN (e.type, '*')
      UNION
      SELECT e.id, 'webhook:' || w.id
      FROM e JOIN webhook_endpoints w
        ON w.status = 'active' AND w.owner_kind = e.owner_kind AND w.owner_id = e.owner_id
       AND (e.type = ANY (w.event_types) OR '*' = ANY (w.event_types))
      RETURNING 1
    )
    SELECT e.id, (SELECT count(*)::int FROM d) AS deliveries FROM e`.execute(trx);
  const row = result.rows[0];
  if (row === undefined) {
    const existing = await trx
      .selectFrom('outbox_events')
      .select('id')
      .where('event_id', '=', event.eventId)
      .executeTakeFirstOrThrow();
    return { eventRow: existing.id, inserted: false };
  }
  if (row.deliveries > 0) await sql`SELECT pg_notify(${outboxChannel}, '')`.execute(trx);
  return { eventRow: row.id, inserted: true };
}

/** Makes the subscriptions of `prefix` consumers exactly `rows` (the composed modules, or NATS). */
export async function replaceSubscriptions(
  trx: PlatformTx,
  prefix: 'module:' | 'nats',
  rows: readonly { consumer: string; eventType: string }[],
): Promise<void> {
  await trx.deleteFrom('outbox_subscriptions').where('consumer', 'like', `${prefix}%`).execute();
  if (rows.length > 0) {
    await trx
      .insertInto('outbox_subscriptions')
      .values(rows.map((row) => ({ consumer: row.consumer, event_type: row.eventType })))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

const eventColumns = sql`e.id AS event_row, e.event_id, e.type, e.subject_type, e.subject_id, e.payload,
  e.occurred_at, e.business_date::text AS business_date`;

/** The next due delivery to a module consumer, locked for this transaction (others skip it). */
export async function claimModuleDelivery(
  trx: PlatformTx,
): Promise<(EventRow & { consumer: string; attempts: number }) | undefined> {
  const result = await sql<EventRow & { consumer: string; attempts: number }>`
    SELECT d.consumer, d.attempts, ${eventColumns}
    FROM outbox_deliveries d JOIN outbox_events e ON e.id = d.event_row
    WHERE d.state = 'pending' AND d.next_attempt_at <= now() AND d.consumer LIKE 'module:%'
    ORDER BY d.next_attempt_at, d.event_row
    LIMIT 1
    FOR UPDATE OF d SKIP LOCKED`.execute(trx);
  return result.rows[0];
}

/** The pending deliveries to one consumer (due or backing off), oldest first. */
export async function pendingDeliveriesOf(db: PlatformDb, consumer: string): Promise<bigint[]> {
  const result = await sql<{ event_row: bigint }>`
    SELECT event_row FROM outbox_deliveries
    WHERE state = 'pending' AND consumer = ${consumer}
    ORDER BY event_row`.execute(db);
  return result.rows.map((row) => row.event_row);
}

/**
 * One delivery, locked for this transaction if it is still pending. It waits for a dispatcher
 * delivering the same row (no SKIP LOCKED), so a caller that needs the delivery done now (close of
 * business) never mistakes "being delivered" for "not delivered".
 */
export async function claimPendingDelivery(
  trx: PlatformTx,
  eventRow: bigint,
  consumer: string,
): Promise<(EventRow & { consumer: string; attempts: number }) | undefined> {
  const result = await sql<EventRow & { consumer: string; attempts: number }>`
    SELECT d.consumer, d.attempts, ${eventColumns}
    FROM outbox_deliveries d JOIN outbox_events e ON e.id = d.event_row
    WHERE d.event_row = ${eventRow} AND d.consumer = ${consumer} AND d.state = 'pending'
    FOR UPDATE OF d`.execute(trx);
  return result.rows[0];
}

export async function markDelivered(
  trx: PlatformDb,
  eventRow: bigint,
  consumer: string,
  options: { countAttempt: boolean } = { countAttempt: true },
): Promise<void> {
  await sql`
    UPDATE outbox_deliveries
    SET state = 'delivered', delivered_at = now(), last_attempt_at = now(), last_error = NULL,
        attempts = attempts + ${options.countAttempt ? 1 : 0}
    WHERE event_row = ${eventRow} AND consumer = ${consumer}`.execute(trx);
}

/** A failed attempt: retried after `retryInSeconds`, or dead when none is left. */
export async function recordFailure(
  trx: PlatformDb,
  delivery: { eventRow: bigint; consumer: string },
  failure: { error: string; retryInSeconds: number | null; countAttempt: boolean },
): Promise<void> {
  await sql`
    UPDATE outbox_deliveries
    SET attempts = attempts + ${failure.countAttempt ? 1 : 0},
        last_attempt_at = now(),
        last_error = ${failure.error.slice(0, 500)},
        state = ${failure.retryInSeconds === null ? 'dead' : 'pending'},
        next_attempt_at = now() + make_interval(secs => ${failure.retryInSeconds ?? 0})
    WHERE event_row = ${delivery.eventRow} AND consumer = ${delivery.consumer}`.execute(trx);
}

export type LeasedDelivery = EventRow & {
  consumer: string;
  attempts: number;
  url: string | null;
  secret_enc: string | null;
  endpoint_id: string | null;
};

/**
 * Leases due deliveries to an outside sink (webhooks or NATS): their next attempt moves
 * `leaseSeconds` ahead and their attempt count up, in one statement, so another dispatcher does not
 * take them; a crash mid-send leaves them to be tried again when the lease ends.
 */
export async function leaseDeliveries(
  db: PlatformDb,
  sink: 'webhook' | 'nats',
  limit: number,
  leaseSeconds: number,
): Promise<LeasedDelivery[]> {
  const pattern = sink === 'webhook' ? 'webhook:%' : 'nats';
  const result = await sql<LeasedDelivery>`
    WITH due AS (
      SELECT d.event_row, d.consumer FROM outbox_deliveries d
      WHERE d.state = 'pending' AND d.next_attempt_at <= now() AND d.consumer LIKE ${pattern}
      ORDER BY d.next_attempt_at, d.event_row
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED
    ),
    leased AS (
      UPDATE outbox_deliveries d
      SET attempts = d.attempts + 1, last_attempt_at = now(),
          next_attempt_at = now() + make_interval(secs => ${leaseSeconds})
      FROM due WHERE d.event_row = due.event_row AND d.consumer = due.consumer
      RETURNING d.event_row, d.consumer, d.attempts
    )
    SELECT l.consumer, l.attempts, w.url, w.secret_enc, w.id::text AS endpoint_id, ${eventColumns}
    FROM leased l
    JOIN outbox_events e ON e.id = l.event_row
    LEFT JOIN webhook_endpoints w ON l.consumer = 'webhook:' || w.id::text`.execute(db);
  return result.rows;
}

export async function recordWebhookAttempt(
  db: PlatformDb,
  attempt: {
    eventRow: bigint;
    consumer: string;
    attempt: number;
    status: number | null;
    error: string | null;
    durationMs: number;
  },
): Promise<void> {
  await db
    .insertInto('webhook_attempts')
    .values({
      event_row: attempt.eventRow,
      consumer: attempt.consumer,
      attempt: attempt.attempt,
      status: attempt.status,
      error: attempt.error?.slice(0, 500) ?? null,
      duration_ms: Math.max(0, Math.round(attempt.durationMs)),
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export async function insertEndpoint(
  trx: PlatformTx,
  endpoint: {
    id: string;
    ownerKind: 'merchant' | 'funder';
    ownerId: string;
    url: string;
    secretEnc: string;
    eventTypes: string[];
  },
) {
  return trx
    .insertInto('webhook_endpoints')
    .values({
      id: endpoint.id,
      owner_kind: endpoint.ownerKind,
      owner_id: endpoint.ownerId,
      url: endpoint.url,
      secret_enc: endpoint.secretEnc,
      event_types: endpoint.eventTypes,
      disabled_at: null,
    })
    .returning(['id', 'owner_kind', 'owner_id', 'url', 'event_types', 'status', 'created_at', 'disabled_at'])
    .executeTakeFirstOrThrow();
}

export async function disableEndpoint(trx: PlatformTx, id: string) {
  return trx
    .updateTable('webhook_endpoints')
    .set({ status: 'disabled', disabled_at: sql<Date>`coalesce(disabled_at, now())` })
    .where('id', '=', id)
    .returning(['id', 'owner_kind', 'owner_id', 'url', 'event_types', 'status', 'created_at', 'disabled_at'])
    .executeTakeFirst();
}

export async function listEndpoints(db: PlatformDb, owner?: { kind: 'merchant' | 'funder'; id: string }) {
  let query = db
    .selectFrom('webhook_endpoints')
    .select(['id', 'owner_kind', 'owner_id', 'url', 'event_types', 'status', 'created_at', 'disabled_at'])
    .orderBy('created_at');
  if (owner !== undefined)
    query = query.where('owner_kind', '=', owner.kind).where('owner_id', '=', owner.id);
  return query.execute();
}

/** Deliveries of an event, or the recent ones of a consumer, for operators. */
export async function listDeliveries(
  db: PlatformDb,
  filter: {
    state?: 'pending' | 'delivered' | 'dead' | undefined;
    consumer?: string | undefined;
    limit: number;
  },
) {
  let query = db
    .selectFrom('outbox_deliveries as d')
    .innerJoin('outbox_events as e', 'e.id', 'd.event_row')
    .select([
      'e.event_id',
      'e.type',
      'e.occurred_at',
      'd.consumer',
      'd.state',
      'd.attempts',
      'd.next_attempt_at',
      'd.last_attempt_at',
      'd.last_error',
      'd.delivered_at',
    ])
    .orderBy('d.event_row', 'desc')
    .limit(filter.limit);
  if (filter.state !== undefined) query = query.where('d.state', '=', filter.state);
  if (filter.consumer !== undefined) query = query.where('d.consumer', '=', filter.consumer);
  return query.execute();
}

/** Puts a dead (or pending) delivery back to be tried now; false when there is none such. */
export async function retryDelivery(trx: PlatformTx, eventId: string, consumer: string): Promise<boolean> {
  const result = await sql`
    UPDATE outbox_deliveries d SET state = 'pending', next_attempt_at = now()
    FROM outbox_events e
    WHERE e.id = d.event_row AND e.event_id = ${eventId}::uuid AND d.consumer = ${consumer} AND d.state <> 'delivered'`.execute(
    trx,
  );
  return result.numAffectedRows === 1n;
}
