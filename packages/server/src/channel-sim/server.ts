import Fastify from 'fastify';
import pg from 'pg';
import { registerAdminRoutes } from './admin.ts';
import { registerApiRoutes } from './api.ts';
import { deliverDueCallbacks } from './callbacks.ts';
import type { SimContext } from './context.ts';
import { bodyLimitBytes, installBodyHandling } from './http.ts';
import { startLoop } from './loop.ts';
import { processDueOrders } from './processor.ts';
import { createSchema } from './schema.ts';

export type ChannelSimOptions = {
  databaseUrl: string;
  port?: number;
  host?: string;
  merchantNo?: string;
  merchantSecret: string;
  timeScale?: number;
  feeFen?: bigint;
  /** How long a payout takes before time scaling (default 3 s). */
  payoutDelayMs?: number;
  /** How often the background loops look for due work when nothing wakes them. */
  tickMs?: number;
  now?: () => number;
};

export type ChannelSim = { url: string; port: number; close(): Promise<void> };

function report(error: unknown): void {
  process.stderr.write(
    `channel-sim: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
}

export async function startChannelSim(options: ChannelSimOptions): Promise<ChannelSim> {
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: 10,
    application_name: 'channel-sim',
  });
  pool.on('error', report);
  try {
    await createSchema(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  const wakers: (() => void)[] = [];
  const context: SimContext = {
    pool,
    merchantNo: options.merchantNo ?? 'M100001',
    secret: options.merchantSecret,
    now: options.now ?? Date.now,
    timeScale: options.timeScale ?? 1,
    payoutFeeFen: options.feeFen ?? 150n,
    payoutDelayMs: options.payoutDelayMs ?? 3_000,
    wake: () => {
      for (const wake of wakers) wake();
    },
  };
  const tickMs = options.tickMs ?? 100;

  const app = Fastify({ bodyLimit: bodyLimitBytes, logger: false });
  installBodyHandling(app);
  registerApiRoutes(app, context);
  registerAdminRoutes(app, context);
  const host = options.host ?? '127.0.0.1';
  await app.listen({ port: options.port ?? 0, host });

  const orders = startLoop(tickMs, () => processDueOrders(context), report);
  const callbacks = startLoop(tickMs, () => deliverDueCallbacks(context), report);
  wakers.push(orders.wake, callbacks.wake);

  const address = app.server.address();
  const port = address !== null && typeof address === 'object' ? address.port : (options.port ?? 0);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url,
    port,
    async close() {
      await app.close();
      await orders.stop();
      await callbacks.stop();
      await pool.end();
    },
  };
}
