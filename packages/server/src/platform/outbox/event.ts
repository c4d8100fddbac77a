import type { Tx } from '../db.ts';
import type { Services } from '../services.ts';

// What an event is, for those who publish and those who consume. An event says what happened to
// which subject, with a JSON payload (amounts as decimal strings of minor units, never numbers).

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** What a module publishes: `payments.order-succeeded` about `payment-order` 42, say. */
export type NewEvent = {
  /** `<context>.<what-happened>`, lower case. */
  type: string;
  subject?: { type: string; id: string };
  /** The merchant or funder the event concerns: only their webhook endpoints receive it. */
  owner?: { kind: 'merchant' | 'funder'; id: string };
  payload: { [key: string]: JsonValue };
  /** Defaults to a new UUID; give one to make a republish of the same fact a no-op. */
  eventId?: string;
};

/** An event as consumers and webhooks receive it. Consumers deduplicate by `id`. */
export type OutboxEvent = {
  id: string;
  type: string;
  occurredAt: string;
  businessDate: string;
  subject: { type: string; id: string } | null;
  data: { [key: string]: JsonValue };
};

/**
 * A module's consumer of events. `handle` runs in a transaction of its own that also marks the
 * delivery done, so its effect happens exactly once; an error leaves the delivery to be retried.
 */
export type EventConsumer = {
  /** Unique among consumers: `loans.disbursement-outcome`. */
  name: string;
  events: readonly string[];
  handle(trx: Tx, event: OutboxEvent, services: Services): Promise<void>;
};
