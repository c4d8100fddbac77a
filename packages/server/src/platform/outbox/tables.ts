import type { ColumnType, Generated } from 'kysely';
import type { DateString } from '../tables.ts';

// Tables of the transactional outbox (migration 0010), owned by the platform.

export interface OutboxEventTable {
  id: Generated<bigint>;
  event_id: string;
  type: string;
  subject_type: string | null;
  subject_id: string | null;
  owner_kind: 'merchant' | 'funder' | null;
  owner_id: string | null;
  payload: ColumnType<unknown, string, never>;
  occurred_at: ColumnType<Date, never, never>;
  business_date: DateString;
}

export interface OutboxSubscriptionTable {
  consumer: string;
  event_type: string;
}

export interface WebhookEndpointTable {
  id: string;
  owner_kind: 'merchant' | 'funder';
  owner_id: string;
  url: string;
  secret_enc: string;
  event_types: string[];
  status: Generated<'active' | 'disabled'>;
  created_at: ColumnType<Date, never, never>;
  disabled_at: Date | null;
}

export interface OutboxDeliveryTable {
  event_row: bigint;
  consumer: string;
  state: Generated<'pending' | 'delivered' | 'dead'>;
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  last_attempt_at: Date | null;
  last_error: string | null;
  delivered_at: Date | null;
}

export interface WebhookAttemptTable {
  event_row: bigint;
  consumer: string;
  attempt: number;
  attempted_at: ColumnType<Date, never, never>;
  status: number | null;
  error: string | null;
  duration_ms: number;
}

export interface OutboxTables {
  outbox_events: OutboxEventTable;
  outbox_subscriptions: OutboxSubscriptionTable;
  webhook_endpoints: WebhookEndpointTable;
  outbox_deliveries: OutboxDeliveryTable;
  webhook_attempts: WebhookAttemptTable;
}
