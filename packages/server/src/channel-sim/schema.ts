import type pg from 'pg';

// The simulator's own storage, created at start-up (it is a separate system and has no
// migrations of Fenqi's). Statements are idempotent; the advisory lock keeps two simulators
// starting at once on one database from racing each other's CREATE TABLE.

const statements = [
  `CREATE SCHEMA IF NOT EXISTS channel_sim`,
  `CREATE SEQUENCE IF NOT EXISTS channel_sim.txn_seq`,
  `CREATE TABLE IF NOT EXISTS channel_sim.nonces (
     nonce   text PRIMARY KEY,
     seen_at timestamptz NOT NULL
   )`,
  `CREATE INDEX IF NOT EXISTS nonces_seen_at ON channel_sim.nonces (seen_at)`,
  `CREATE TABLE IF NOT EXISTS channel_sim.bindings (
     order_no       text PRIMARY KEY,
     elements_hash  text NOT NULL,
     card_hash      text NOT NULL,
     card_no_masked text NOT NULL,
     sms_code       text NOT NULL,
     status         text NOT NULL CHECK (status IN ('SMS_SENT', 'BOUND')),
     agreement_no   text,
     created_at     timestamptz NOT NULL
   )`,
  `CREATE TABLE IF NOT EXISTS channel_sim.agreements (
     agreement_no   text PRIMARY KEY,
     card_hash      text NOT NULL,
     card_no_masked text NOT NULL,
     status         text NOT NULL CHECK (status IN ('ACTIVE', 'VOID', 'UNBOUND')),
     created_at     timestamptz NOT NULL,
     ended_at       timestamptz
   )`,
  `CREATE INDEX IF NOT EXISTS agreements_card ON channel_sim.agreements (card_hash) WHERE status = 'ACTIVE'`,
  `CREATE TABLE IF NOT EXISTS channel_sim.orders (
     order_no               text PRIMARY KEY,
     txn_id                 text NOT NULL UNIQUE,
     kind                   text NOT NULL CHECK (kind IN ('PAYOUT', 'COLLECT', 'REFUND')),
     status                 text NOT NULL CHECK (status IN ('PROCESSING', 'SUCCEEDED', 'FAILED', 'BOUNCED')),
     amount_fen             bigint NOT NULL CHECK (amount_fen > 0),
     fee_fen                bigint NOT NULL DEFAULT 0,
     code                   text,
     notify_url             text NOT NULL,
     agreement_no           text,
     original_order_no      text,
     card_tail              text,
     account_tail           text,
     behaviour              jsonb NOT NULL,
     planned_status         text NOT NULL CHECK (planned_status IN ('SUCCEEDED', 'FAILED')),
     planned_code           text,
     due_at                 timestamptz,
     created_at             timestamptz NOT NULL,
     finished_at            timestamptz,
     settlement_date        date,
     bounce_due_at          timestamptz,
     bounced_at             timestamptz,
     bounce_settlement_date date
   )`,
  `CREATE INDEX IF NOT EXISTS orders_due ON channel_sim.orders (due_at) WHERE status = 'PROCESSING'`,
  `CREATE INDEX IF NOT EXISTS orders_bounce_due ON channel_sim.orders (bounce_due_at) WHERE status = 'SUCCEEDED'`,
  `CREATE INDEX IF NOT EXISTS orders_settled ON channel_sim.orders (settlement_date, finished_at)`,
  `CREATE INDEX IF NOT EXISTS orders_bounced ON channel_sim.orders (bounce_settlement_date, bounced_at)`,
  `CREATE INDEX IF NOT EXISTS orders_original ON channel_sim.orders (original_order_no)`,
  `CREATE TABLE IF NOT EXISTS channel_sim.callbacks (
     id              bigserial PRIMARY KEY,
     order_no        text NOT NULL,
     notify_url      text NOT NULL,
     body            text NOT NULL,
     status          text NOT NULL,
     attempts        integer NOT NULL DEFAULT 0,
     next_attempt_at timestamptz NOT NULL,
     acknowledged    boolean NOT NULL DEFAULT false,
     gave_up         boolean NOT NULL DEFAULT false,
     created_at      timestamptz NOT NULL
   )`,
  `CREATE INDEX IF NOT EXISTS callbacks_due ON channel_sim.callbacks (next_attempt_at, id)
     WHERE NOT acknowledged AND NOT gave_up`,
  `CREATE INDEX IF NOT EXISTS callbacks_order ON channel_sim.callbacks (order_no, id)`,
  `CREATE TABLE IF NOT EXISTS channel_sim.callback_attempts (
     id           bigserial PRIMARY KEY,
     callback_id  bigint NOT NULL REFERENCES channel_sim.callbacks (id),
     attempt      integer NOT NULL,
     attempted_at timestamptz NOT NULL,
     http_status  integer,
     body_excerpt text,
     error        text
   )`,
  `CREATE INDEX IF NOT EXISTS callback_attempts_callback ON channel_sim.callback_attempts (callback_id, id)`,
  `CREATE TABLE IF NOT EXISTS channel_sim.settings (
     key   text PRIMARY KEY,
     value jsonb NOT NULL
   )`,
];

export async function createSchema(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query(`SELECT pg_advisory_lock(hashtext('channel_sim schema'))`);
    try {
      for (const statement of statements) await client.query(statement);
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext('channel_sim schema'))`);
    }
  } finally {
    client.release();
  }
}
