import type { Services } from '../services.ts';
import { type OutboxDispatcher, startOutboxDispatcher, syncSubscriptions } from './dispatcher.ts';
import type { EventConsumer } from './event.ts';
import { connectNatsSink } from './nats.ts';

/** What a worker runs: subscriptions synced to this build, NATS when configured, the dispatcher. */
export async function runOutbox(
  services: Services,
  connectionString: string,
  consumers: ReadonlyMap<string, EventConsumer>,
): Promise<OutboxDispatcher> {
  const { config } = services;
  await syncSubscriptions(services.db, [...consumers.values()], config.nats !== undefined);
  const nats = config.nats === undefined ? undefined : await connectNatsSink(config.nats);
  return startOutboxDispatcher({
    services,
    consumers,
    nats,
    connectionString,
    pollMs: config.outboxPollMs,
    webhookTimeoutMs: config.webhookTimeoutMs,
  });
}
