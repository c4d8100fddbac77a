import { type ChildProcess, spawn } from 'node:child_process';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPaymentOrder } from '../../src/modules/payments/orders.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { eventually, freePort, merchantNo, rule, secret, useSim } from '../channel-sim/support.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { testKeys } from '../support/server.ts';

// `kill -9` of Fenqi — API and worker — between the submit and the channel's callback, then a
// restart: the channel keeps retrying its callback until the restarted API acknowledges it, and
// the payout happens exactly once: one order at the channel, one settlement entry, one event.

const fenqi = new URL('../../bin/fenqi.js', import.meta.url).pathname;
const fixture = useSim();
let database: TestDatabase;
let port: number;
const running: ChildProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  port = await freePort();
}, 60_000);

afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
  await database?.drop();
});

function env(): Record<string, string> {
  return {
    ...(process.env as Record<string, string>),
    ...testKeys,
    DATABASE_URL: database.url,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    SIM_CHANNEL_URL: fixture.sim.url,
    SIM_MERCHANT_NO: merchantNo,
    SIM_MERCHANT_SECRET: secret,
    PAYMENT_CALLBACK_BASE_URL: `http://127.0.0.1:${port}`,
    PAYMENT_POLL_MS: '50',
  };
}

async function start(command: 'serve' | 'worker'): Promise<ChildProcess> {
  const child = spawn(process.execPath, [fenqi, command], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
  running.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  if (command === 'serve') {
    await eventually(() => /is running at/.test(output), { timeoutMs: 60_000 }).catch(() => {
      throw new Error(`fenqi serve did not start:\n${output}`);
    });
  }
  return child;
}

async function kill9(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
}

const orderOf = (orderNo: string) =>
  database.tables
    .selectFrom('payment_orders')
    .selectAll()
    .where('order_no', '=', orderNo)
    .executeTakeFirstOrThrow();

describe('a crash between submit and callback', () => {
  it('kill -9 of the API and the worker, the callback retried into the restarted API → exactly one payout', async () => {
    await fixture.client.setRules([rule({ amountFen: 90_001 }, { stayProcessing: true })]);
    let api = await start('serve');
    let worker = await start('worker');
    const config = loadConfig({ DATABASE_URL: database.url, ...testKeys, ...env() });
    const { order } = await database.db.transaction().execute((trx) =>
      createPaymentOrder(trx, config, {
        channel: 'simulated',
        purpose: 'disbursement',
        amountMinor: 90_001n,
        currency: 'CNY',
        sourceRef: 'test:crash/disbursement',
        counterpart: { kind: 'payout', accountName: '王五', accountNo: '6222020000909090' },
      }),
    );
    const orderNo = order.orderNo;
    // The worker submits it and the channel accepts it: processing, on both sides.
    await eventually(async () => (await orderOf(orderNo)).state === 'processing', { timeoutMs: 60_000 });
    expect((await fixture.client.order(orderNo)).status).toBe('PROCESSING');

    await kill9(api);
    await kill9(worker);
    // The channel pays now, while Fenqi is down: its callback is refused at the socket, and retried.
    const finished = await fixture.client.admin('POST', `/admin/orders/${orderNo}/finish`, {
      status: 'SUCCEEDED',
    });
    expect(finished.status).toBe(200);
    await eventually(async () => ((await fixture.client.callbacks(orderNo))[0]?.attempts ?? 0) >= 2, {
      timeoutMs: 60_000,
    });
    expect((await orderOf(orderNo)).state).toBe('processing');

    api = await start('serve');
    worker = await start('worker');
    await eventually(async () => (await orderOf(orderNo)).state === 'succeeded', { timeoutMs: 120_000 });
    await eventually(async () => (await fixture.client.callbacks(orderNo)).every((c) => c.acknowledged), {
      timeoutMs: 120_000,
    });

    const row = await orderOf(orderNo);
    expect(row.submit_attempts).toBe(1);
    const effects = await sql<{ entries: number; events: number; transitions: string[] }>`
      SELECT (SELECT count(*)::int FROM ledger_entries WHERE source_ref = ${`payment-order:${orderNo}`}) AS entries,
             (SELECT count(*)::int FROM outbox_events WHERE subject_id = ${orderNo} AND type = 'payments.order-succeeded') AS events,
             (SELECT array_agg(from_state || '>' || to_state ORDER BY seq) FROM payment_order_transitions WHERE order_id = ${row.id}) AS transitions`.execute(
      database.db,
    );
    expect(effects.rows[0]).toEqual({
      entries: 1,
      events: 1,
      transitions: ['created>submitted', 'submitted>processing', 'processing>succeeded'],
    });
    // One order at the channel: a second request would have been a second order number or BF00126.
    const simDb = new pg.Client({ connectionString: fixture.databaseUrl });
    await simDb.connect();
    const simOrders = await simDb.query(
      'SELECT count(*)::int AS n FROM channel_sim.orders WHERE amount_fen = 90001',
    );
    await simDb.end();
    expect(simOrders.rows[0]?.n).toBe(1);
    await kill9(api);
    await kill9(worker);
  }, 300_000);
});
