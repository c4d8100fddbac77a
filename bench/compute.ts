// Compute benchmark: does /livez stay responsive while the worst requests the calculators accept
// keep running? Measured in one run, against the same server:
//   baseline  /livez at a fixed rate, nothing else running
//   loaded    /livez at the same rate while `BENCH_CALLERS` connections send the worst accepted
//             POST /api/v1/apr back to back (the most payments, the largest amounts, daily periods)
// plus, for the record, what one worst request costs on this machine when computed in-process:
// without the compute workers, that is how long each one would hold the event loop.
//
//   node bench/compute.ts                 (DATABASE_URL if set, else an embedded PostgreSQL)
//   BENCH_SECONDS=10 BENCH_CALLERS=8 node bench/compute.ts
import { type ChildProcess, spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { aprFromCashflows, paymentsMax } from '@fenqi/core';
import autocannon from 'autocannon';
import { aprAmountMax } from '../packages/core/src/quote/apr-request.ts';
import { scratchDatabase } from './support/database.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const callers = Number(process.env.BENCH_CALLERS ?? 8);
const livezRate = 200;

/** The worst accepted APR request: every payment allowed, each the largest amount, daily periods. */
const worst = {
  frequency: 'days:1',
  received: '100.00',
  payments: Array.from({ length: paymentsMax }, () => String(aprAmountMax)),
};

async function startServer(databaseUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [new URL('./support/http-servers.ts', import.meta.url).pathname, 'fastify', databaseUrl],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

type Latency = { p50: number; p99: number; max: number; requests: number; non2xx: number };

async function livez(url: string): Promise<Latency> {
  const result = await autocannon({
    url: `${url}/livez`,
    connections: 1,
    duration: seconds,
    overallRate: livezRate,
  });
  return {
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    requests: result.requests.total,
    non2xx: result.non2xx + result.errors + result.timeouts,
  };
}

function inProcessMs(): number {
  for (let i = 0; i < 3; i++) aprFromCashflows(worst); // warm-up, as the worker is
  const runs = 5;
  const started = performance.now();
  for (let i = 0; i < runs; i++) {
    const result = aprFromCashflows(worst);
    if (!result.ok) throw new Error(`the worst request is not accepted: ${JSON.stringify(result.issues)}`);
  }
  return (performance.now() - started) / runs;
}

const database = await scratchDatabase('compute');
try {
  console.log(
    `fenqi bench/compute — ${cpus().length} cores, node ${process.version}; database: ${database.server}`,
  );
  console.log(
    `worst accepted APR request: ${worst.payments.length} daily payments of ${aprAmountMax}; /livez at ${livezRate} req/s for ${seconds} s; ${callers} APR callers\n`,
  );
  const server = await startServer(database.url);
  try {
    await livez(server.url); // warm-up
    const baseline = await livez(server.url);
    const body = JSON.stringify(worst);
    const load = autocannon({
      url: `${server.url}/api/v1/apr`,
      connections: callers,
      duration: seconds + 2,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const loaded = await livez(server.url);
    const apr = await load;
    const fmt = (n: number) => n.toFixed(1).padStart(7);
    console.log('phase       /livez p50 ms   p99 ms   max ms   requests  failed');
    for (const [name, row] of [
      ['baseline', baseline],
      ['loaded', loaded],
    ] as const) {
      console.log(
        `${name.padEnd(10)} ${fmt(row.p50)}    ${fmt(row.p99)}  ${fmt(row.max)}  ${String(row.requests).padStart(9)}  ${row.non2xx}`,
      );
    }
    console.log(
      `\nAPR under load: ${Math.round(apr.requests.average)} req/s, p50 ${apr.latency.p50} ms, p99 ${apr.latency.p99} ms, ${apr.non2xx} non-2xx (503 compute_busy beyond the queue)`,
    );
    console.log(
      `/livez p99 loaded ÷ baseline: ${(loaded.p99 / Math.max(baseline.p99, 1)).toFixed(2)}; max loaded ${loaded.max} ms`,
    );
    const ms = inProcessMs();
    console.log(
      `for the record: one worst request computed in-process takes ${ms.toFixed(1)} ms; on the event loop, ${callers} in a row would hold /livez for about ${(ms * callers).toFixed(0)} ms`,
    );
  } finally {
    server.child.kill('SIGTERM');
  }
} finally {
  await database.drop();
}
