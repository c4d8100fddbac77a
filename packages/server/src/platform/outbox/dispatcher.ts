import { sql } from 'kysely';
import type { DB, Tx } from '../db.ts';
import { startNotifiedLoop } from '../notified-loop.ts';
import type { Services } from '../services.ts';
import type { EventConsumer, JsonValue, OutboxEvent } from './event.ts';
import type { NatsSink } from './nats.ts';
import * as store from './store.ts';
import { webhookHeaders, webhookSecret } from './webhooks.ts';

// Delivers what the outbox holds. Module consumers run one delivery per transaction, together with
// the update that marks it delivered: their effect commits once or not at all. Webhooks and NATS
// are outside the database, so their deliveries are leased, sent, and then recorded: at least
// once, and receivers deduplicate by event id. Failures back off; after the last attempt a
// delivery is dead (an operator sees it in GET /api/v1/events/deliveries and can replay it).

/** Seconds before each retry of a webhook: about a day in all, like the payment channels' own. */
export const webhookRetrySeconds = [10, 30, 60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 43_200, 86_400];
/** A module consumer failing is a bug or an outage of ours: retried quickly, then parked. */
export const consumerRetrySeconds = [1, 5, 15, 60, 300, 900, 3600];

const webhookLeaseSeconds = 120;
const webhookBatchMax = 32;

export type DispatchOptions = {
  services: Services;
  consumers: ReadonlyMap<string, EventConsumer>;
  nats?: NatsSink | undefined;
  webhookTimeoutMs?: number;
};

function toEvent(row: store.EventRow): OutboxEvent {
  return {
    id: row.event_id,
    type: row.type,
    occurredAt: row.occurred_at.toISOString(),
    businessDate: row.business_date,
    subject:
      row.subject_type === null || row.subject_id === null
        ? null
        : { type: row.subject_type, id: row.subject_id },
    data: row.payload as { [key: string]: JsonValue },
  };
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Delivers due events to module consumers, one transaction each; returns how many were delivered. */
export async function deliverToConsumers(options: DispatchOptions, budget = 100): Promise<number> {
  const { services, consumers } = options;
  let delivered = 0;
  for (let i = 0; i < budget; i++) {
    const outcome = await services.db.transaction().execute(async (trx: Tx) => {
      const row = await store.claimModuleDelivery(trx);
      if (row === undefined) return 'none' as const;
      const consumer = consumers.get(row.consumer.slice('module:'.length));
      const key = { eventRow: row.event_row, consumer: row.consumer };
      if (consumer === undefined) {
        // A subscription left by a module that is gone: parked, not retried in a loop.
        await store.recordFailure(trx, key, {
          error: 'no such consumer in this build',
          retryInSeconds: null,
          countAttempt: false,
        });
        return 'failed' as const;
      }
      await sql`SAVEPOINT outbox_consumer`.execute(trx);
      try {
        await consumer.handle(trx, toEvent(row), services);
        await store.markDelivered(trx, row.event_row, row.consumer);
        return 'delivered' as const;
      } catch (error) {
        await sql`ROLLBACK TO SAVEPOINT outbox_consumer`.execute(trx);
        const retry = consumerRetrySeconds[row.attempts] ?? null;
        services.logger.error(
          { err: error, consumer: row.consumer, eventId: row.event_id },
          'event consumer failed',
        );
        await store.recordFailure(trx, key, {
          error: errorText(error),
          retryInSeconds: retry,
          countAttempt: true,
        });
        return 'failed' as const;
      }
    });
    if (outcome === 'none') break;
    if (outcome === 'delivered') delivered += 1;
  }
  return delivered;
}

/**
 * Delivers, now, every delivery to one module consumer that is pending when it is called — due or
 * backing off — each in its own transaction as deliverToConsumers does, and says how many of them
 * failed (they stay pending, backing off). Close of business calls it for servicing.open-account,
 * so that every loan disbursed before the day's close is planned has its account by then.
 */
export async function deliverPendingTo(
  services: Services,
  consumer: EventConsumer,
): Promise<{ delivered: number; failed: number }> {
  const name = `module:${consumer.name}`;
  let delivered = 0;
  let failed = 0;
  for (const eventRow of await store.pendingDeliveriesOf(services.db, name)) {
    const outcome = await services.db.transaction().execute(async (trx: Tx) => {
      const row = await store.claimPendingDelivery(trx, eventRow, name);
      // Delivered meanwhile by a dispatcher.
      if (row === undefined) return 'gone' as const;
      await sql`SAVEPOINT outbox_consumer`.execute(trx);
      try {
        await consumer.handle(trx, toEvent(row), services);
        await store.markDelivered(trx, row.event_row, row.consumer);
        return 'delivered' as const;
      } catch (error) {
        await sql`ROLLBACK TO SAVEPOINT outbox_consumer`.execute(trx);
        services.logger.error({ err: error, consumer: name, eventId: row.event_id }, 'event consumer failed');
        await store.recordFailure(
          trx,
          { eventRow: row.event_row, consumer: name },
          {
            error: errorText(error),
            retryInSeconds: consumerRetrySeconds[row.attempts] ?? null,
            countAttempt: true,
          },
        );
        return 'failed' as const;
      }
    });
    if (outcome === 'delivered') delivered += 1;
    if (outcome === 'failed') failed += 1;
  }
  return { delivered, failed };
}

/** Sends due webhooks (a batch at a time, concurrently); returns how many were acknowledged. */
export async function deliverWebhooks(options: DispatchOptions): Promise<number> {
  const { services } = options;
  const leased = await store.leaseDeliveries(services.db, 'webhook', webhookBatchMax, webhookLeaseSeconds);
  const results = await Promise.all(leased.map((delivery) => sendWebhook(options, delivery)));
  return results.filter(Boolean).length;
}

async function sendWebhook(options: DispatchOptions, delivery: store.LeasedDelivery): Promise<boolean> {
  const { services } = options;
  const key = { eventRow: delivery.event_row, consumer: delivery.consumer };
  const retry = webhookRetrySeconds[delivery.attempts - 1] ?? null;
  if (delivery.url === null || delivery.secret_enc === null || delivery.endpoint_id === null) {
    await store.recordFailure(services.db, key, {
      error: 'the endpoint no longer exists',
      retryInSeconds: null,
      countAttempt: false,
    });
    return false;
  }
  const body = JSON.stringify(toEvent(delivery));
  const started = performance.now();
  let status: number | null = null;
  let error: string | null = null;
  try {
    const secret = await webhookSecret(
      services.db,
      services.config,
      delivery.endpoint_id,
      delivery.secret_enc,
    );
    const response = await fetch(delivery.url, {
      method: 'POST',
      headers: webhookHeaders(secret, {
        url: delivery.url,
        eventId: delivery.event_id,
        eventType: delivery.type,
        body,
        timestampSeconds: Math.floor(Date.now() / 1000),
      }),
      body,
      signal: AbortSignal.timeout(options.webhookTimeoutMs ?? 10_000),
      redirect: 'manual',
    });
    status = response.status;
    await response.body?.cancel();
    if (status < 200 || status >= 300) error = `answered ${status}`;
  } catch (failure) {
    error = errorText(failure);
  }
  await store.recordWebhookAttempt(services.db, {
    ...key,
    attempt: delivery.attempts,
    status,
    error,
    durationMs: performance.now() - started,
  });
  if (error === null) {
    // The lease counted the attempt already.
    await store.markDelivered(services.db, delivery.event_row, delivery.consumer, { countAttempt: false });
    return true;
  }
  await store.recordFailure(services.db, key, { error, retryInSeconds: retry, countAttempt: false });
  return false;
}

/** Publishes due events to NATS JetStream (deduplicated there by event id). */
export async function deliverToNats(options: DispatchOptions): Promise<number> {
  const { services, nats } = options;
  if (nats === undefined) return 0;
  const leased = await store.leaseDeliveries(services.db, 'nats', webhookBatchMax, webhookLeaseSeconds);
  let delivered = 0;
  for (const delivery of leased) {
    const key = { eventRow: delivery.event_row, consumer: delivery.consumer };
    try {
      await nats.publish(toEvent(delivery));
      await store.markDelivered(services.db, delivery.event_row, delivery.consumer, { countAttempt: false });
      delivered += 1;
    } catch (error) {
      await store.recordFailure(services.db, key, {
        error: errorText(error),
        retryInSeconds: webhookRetrySeconds[delivery.attempts - 1] ?? null,
        countAttempt: false,
      });
    }
  }
  return delivered;
}

/** One pass over everything due: consumers, webhooks, NATS. Returns what was delivered. */
export async function deliverDue(
  options: DispatchOptions,
): Promise<{ consumers: number; webhooks: number; nats: number }> {
  const consumers = await deliverToConsumers(options);
  const webhooks = await deliverWebhooks(options);
  const nats = await deliverToNats(options);
  return { consumers, webhooks, nats };
}

export type OutboxDispatcher = { stop(): Promise<void> };

/**
 * Runs deliverDue whenever a publisher commits (LISTEN on the outbox channel) and at least every
 * `pollMs` (retries come due without a notification). Any number of dispatchers may run.
 */
export async function startOutboxDispatcher(
  options: DispatchOptions & { connectionString: string; pollMs: number },
): Promise<OutboxDispatcher> {
  const loop = await startNotifiedLoop({
    name: 'fenqi-outbox',
    connectionString: options.connectionString,
    channel: store.outboxChannel,
    pollMs: options.pollMs,
    logger: options.services.logger,
    pass: async () => {
      const done = await deliverDue(options);
      return done.consumers + done.webhooks + done.nats;
    },
  });
  return {
    async stop() {
      await loop.stop();
      await options.nats?.close();
    },
  };
}

/** Keeps the subscription table equal to the consumers of this build (and NATS when configured). */
export async function syncSubscriptions(
  db: DB,
  consumers: readonly EventConsumer[],
  natsEnabled: boolean,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await store.replaceSubscriptions(
      trx,
      'module:',
      consumers.flatMap((consumer) =>
        consumer.events.map((eventType) => ({ consumer: `module:${consumer.name}`, eventType })),
      ),
    );
    await store.replaceSubscriptions(trx, 'nats', natsEnabled ? [{ consumer: 'nats', eventType: '*' }] : []);
  });
}
