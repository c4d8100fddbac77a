// Payments benchmark: payouts end to end at a fixed offered rate — an order created as another
// module would (createPaymentOrder in its own transaction) → the worker's submit loop sends it to
// the simulated channel → the channel's signed callback reaches the API → the order succeeded, its
// entry posted and its event written. Every component is its own process: `fenqi channel-sim`,
// `fenqi serve`, `fenqi worker`, and this script creating orders.
//
//   node bench/payments.ts                           (DATABASE_URL's server if set, else embedded)
//   BENCH_RATE=100 BENCH_SECONDS=30 node bench/payments.ts
//
// Baseline, same run and rate: the channel alone — signed payout requests straight to the
// simulator and its callbacks answered by a bare node:http receiver. Latencies are from the
// database's own timestamps (order created → transition to succeeded), so polling adds nothing.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg } from 'node:os';
import { sql } from 'kysely';
import { signSimRequest } from '../packages/server/src/channel-sim/index.ts';
import { createPaymentOrder } from '../packages/server/src/modules/payments/orders.ts';
import { loadConfig } from '../packages/server/src/platform/config.ts';
import { createDb, createPool } from '../packages/server/src/platform/db.ts';
import { scratchDatabase } from './support/database.ts';
import { freePort } from './support/ports.ts';

const rate = Number(process.env.BENCH_RATE ?? 50);
const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const total = Math.round(rate * seconds);
const fenqi = new URL('../packages/server/bin/fenqi.js', import.meta.url).pathname;
const merchantNo = 'M100001';
const secret = 'bench-merchant-secret-0123456789';
const key = () => randomBytes(32).toString('base64');
const keys = {
  FENQI_MASTER_KEYS: `bench1:${key()}`,
  FENQI_BLIND_INDEX_KEY: key(),
  FENQI_AUDIT_KEY: key(),
  FENQI_SESSION_KEY: key(),
};

const children: ChildProcess[] = [];
async function start(args: string[], env: Record<string, string>, ready?: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, [fenqi, ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  // A worker says nothing when all is well (LOG_LEVEL=warn): it is ready when it is running.
  if (ready === undefined) return child;
  await new Promise<void>((resolve, reject) => {
    const look = (chunk: Buffer) => {
      output += chunk;
      if (ready.test(output)) resolve();
    };
    child.stdout?.on('data', look);
    child.stderr?.on('data', look);
    child.on('exit', (code) => reject(new Error(`fenqi ${args.join(' ')} exited with ${code}:\n${output}`)));
  });
  return child;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Calls `fire(i)` at the offered rate (no coordinated omission: the schedule does not wait). */
async function offer(fire: (i: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(fire(i));
  }
  await Promise.all(inFlight);
  return (performance.now() - started) / 1000;
}

const describe = (name: string, latencies: number[], completed: number, spanSeconds: number) => {
  const sorted = [...latencies].sort((a, b) => a - b);
  return `${name.padEnd(34)} ${completed}/${total} done, ${(completed / spanSeconds).toFixed(1)} payouts/s, p50 ${percentile(sorted, 50).toFixed(0)} ms, p99 ${percentile(sorted, 99).toFixed(0)} ms`;
};

async function baseline(simUrl: string): Promise<string> {
  // The channel alone: request → PROCESSING → callback to a receiver that only acknowledges.
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let lastAt = 0;
  const receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const notice = JSON.parse(body) as { orderNo: string; status: string };
      const at = sentAt.get(notice.orderNo);
      if (at !== undefined && notice.status === 'SUCCEEDED') {
        latencies.push(performance.now() - at);
        sentAt.delete(notice.orderNo);
        lastAt = performance.now();
      }
      response.writeHead(200, { 'content-type': 'text/plain' }).end('SUCCESS');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const notifyUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/notify`;
  const prefix = `FQ20261201B${randomBytes(4).toString('hex').toUpperCase()}`;
  const first = performance.now();
  await offer(async (i) => {
    const orderNo = `${prefix}${String(i).padStart(8, '0')}`;
    const body = JSON.stringify({
      orderNo,
      amount: '1000.00',
      accountName: '张三',
      accountNo: '6222020000001234',
      notifyUrl,
    });
    sentAt.set(orderNo, performance.now());
    const response = await fetch(`${simUrl}/v1/payouts`, {
      method: 'POST',
      headers: {
        ...signSimRequest({ merchantNo, secret, method: 'POST', path: '/v1/payouts', body }),
        'content-type': 'application/json',
      },
      body,
    });
    await response.text();
  });
  const deadline = Date.now() + 120_000;
  while (latencies.length < total && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
  return describe('baseline: the channel alone', latencies, latencies.length, (lastAt - first) / 1000);
}

async function main(): Promise<void> {
  const scratch = await scratchDatabase('payments');
  const pool = createPool({ connectionString: scratch.url, max: 16 });
  const db = createDb(pool);
  try {
    const apiPort = await freePort();
    const simPort = await freePort();
    const env = {
      ...keys,
      DATABASE_URL: scratch.url,
      PORT: String(apiPort),
      SIM_PORT: String(simPort),
      SIM_TIME_SCALE: '0.001',
      SIM_MERCHANT_NO: merchantNo,
      SIM_MERCHANT_SECRET: secret,
      SIM_CHANNEL_URL: `http://127.0.0.1:${simPort}`,
      PAYMENT_CALLBACK_BASE_URL: `http://127.0.0.1:${apiPort}`,
      PAYMENT_POLL_MS: '50',
    };
    await start(['channel-sim'], env, /channel-sim listening at/);
    await start(['serve'], env, /is running at/);
    await start(['worker'], env);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    process.stdout.write(
      `payments benchmark: ${total} payouts offered at ${rate}/s over ${seconds} s; ${scratch.server}; load ${loadavg()[0]?.toFixed(2)}\n`,
    );
    const base = await baseline(env.SIM_CHANNEL_URL);

    const config = loadConfig(env);
    const offered = await offer(async (i) => {
      await db.transaction().execute((trx) =>
        createPaymentOrder(trx, config, {
          channel: 'simulated',
          purpose: 'disbursement',
          amountMinor: 100_000n,
          currency: 'CNY',
          sourceRef: `bench:${i}/disbursement`,
          counterpart: { kind: 'payout', accountName: '张三', accountNo: '6222020000001234' },
        }),
      );
    });
    const deadline = Date.now() + 180_000;
    let done = 0;
    while (Date.now() < deadline) {
      const r = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM payment_orders WHERE state = 'succeeded'`.execute(db);
      done = r.rows[0]?.n ?? 0;
      if (done >= total) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const measured = await sql<{ ms: number }>`
      SELECT extract(epoch FROM (t.at - o.created_at)) * 1000 AS ms
      FROM payment_orders o JOIN payment_order_transitions t ON t.order_id = o.id AND t.to_state = 'succeeded'
      WHERE o.state = 'succeeded'`.execute(db);
    const span = await sql<{ s: number; events: number; entries: number }>`
      SELECT extract(epoch FROM (max(t.at) - min(o.created_at))) AS s,
             (SELECT count(*)::int FROM outbox_events WHERE type = 'payments.order-succeeded') AS events,
             (SELECT count(*)::int FROM ledger_entries WHERE event_type = 'payment_payout') AS entries
      FROM payment_orders o JOIN payment_order_transitions t ON t.order_id = o.id AND t.to_state = 'succeeded'`.execute(
      db,
    );
    const figures = span.rows[0];
    // Where an order's time goes: waiting for the submit loop, the channel's answer, its callback.
    const phases = await sql<{ claim: number; answer: number; callback: number }>`
      SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM (s.at - o.created_at)) * 1000) AS claim,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM (p.at - s.at)) * 1000) AS answer,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM (d.at - coalesce(p.at, s.at))) * 1000) AS callback
      FROM payment_orders o
      JOIN payment_order_transitions s ON s.order_id = o.id AND s.to_state = 'submitted'
      LEFT JOIN payment_order_transitions p ON p.order_id = o.id AND p.to_state = 'processing'
      JOIN payment_order_transitions d ON d.order_id = o.id AND d.to_state = 'succeeded'`.execute(db);
    const phase = phases.rows[0];
    process.stdout.write(
      [
        base,
        describe(
          'Fenqi: order → callback → succeeded',
          measured.rows.map((r) => Number(r.ms)),
          done,
          Number(figures?.s ?? Number.NaN),
        ),
        `orders created in ${offered.toFixed(1)} s; events written ${figures?.events}, settlement entries ${figures?.entries}`,
        `median phases: created → submitted ${Number(phase?.claim).toFixed(0)} ms, submitted → processing ${Number(phase?.answer).toFixed(0)} ms, → succeeded ${Number(phase?.callback).toFixed(0)} ms`,
        '',
      ].join('\n'),
    );
    if (figures?.events !== done || figures?.entries !== done)
      throw new Error('an order succeeded without exactly one event and one entry');
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await pool.end();
    await scratch.drop();
  }
}

await main();
