// HTTP benchmark: Fastify (the Fenqi app with all its plumbing) against a bare node:http server,
// both measured in this run on this machine, for GET /livez and for an idempotent POST that
// writes one row. Each server runs in its own process; autocannon runs here.
//
//   node bench/http.ts            (DATABASE_URL if set, else an embedded PostgreSQL)
//   BENCH_SECONDS=10 BENCH_ROUNDS=5 node bench/http.ts
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpus } from 'node:os';
import autocannon from 'autocannon';
import { scratchDatabase } from './support/database.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const warmupSeconds = 2;
const connections = 32;
const roundsCount = Number(process.env.BENCH_ROUNDS ?? 3);

type Measure = { rps: number; p50: number; p99: number; errors: number; non2xx: number };

type Server = { child: ChildProcess; url: string };

async function startServer(mode: string, databaseUrl: string): Promise<Server> {
  const child = spawn(
    process.execPath,
    [new URL('./support/http-servers.ts', import.meta.url).pathname, mode, databaseUrl],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout?.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
    child.once('exit', (code) => reject(new Error(`${mode} server exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

async function stopServer(server: Server): Promise<void> {
  await new Promise((resolve) => {
    server.child.once('exit', resolve);
    server.child.kill('SIGTERM');
  });
}

type Target = { method: 'GET' | 'POST'; path: string; body?: string };

async function load(
  url: string,
  target: Target,
  durationSeconds: number,
  overallRate?: number,
): Promise<Measure> {
  const result = await autocannon({
    url: `${url}${target.path}`,
    connections,
    duration: durationSeconds,
    ...(overallRate ? { overallRate } : {}),
    requests: [
      {
        method: target.method,
        ...(target.body === undefined
          ? {}
          : {
              body: target.body,
              headers: { 'content-type': 'application/json' },
              // A new Idempotency-Key per request: every request is a new write.
              setupRequest: (request: autocannon.Request) => {
                request.headers = {
                  ...request.headers,
                  'content-type': 'application/json',
                  'idempotency-key': randomUUID(),
                };
                return request;
              },
            }),
      },
    ],
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

type Row = { scenario: string; server: string; saturated: Measure; fixed: Measure; rate: number };

async function scenario(name: string, target: Target, modes: string[], databaseUrl: string): Promise<Row[]> {
  // Saturation throughput on a 2-core machine moves by ±10 % from one run to the next, so the
  // servers take turns for `rounds` rounds and each keeps its median round.
  const rounds = new Map<string, Measure[]>(modes.map((mode) => [mode, []]));
  for (let round = 0; round < roundsCount; round++) {
    for (const mode of modes) {
      const server = await startServer(mode, databaseUrl);
      await load(server.url, target, warmupSeconds);
      rounds.get(mode)?.push(await load(server.url, target, seconds));
      await stopServer(server);
    }
  }
  const saturated = new Map<string, Measure>();
  for (const [mode, measures] of rounds) {
    const sorted = [...measures].sort((a, b) => a.rps - b.rps);
    const median = sorted[Math.floor(sorted.length / 2)];
    if (median) saturated.set(mode, median);
  }
  // Fixed-rate load at 60 % of the bare server's capacity: the same offered load for every
  // server, so latencies are comparable (autocannon corrects for coordinated omission).
  const rate = Math.round((saturated.get(modes[0] ?? '')?.rps ?? 1000) * 0.6);
  const rows: Row[] = [];
  for (const mode of modes) {
    const server = await startServer(mode, databaseUrl);
    await load(server.url, target, warmupSeconds, rate);
    const fixed = await load(server.url, target, seconds, rate);
    await stopServer(server);
    const measured = saturated.get(mode);
    if (measured) rows.push({ scenario: name, server: mode, saturated: measured, fixed, rate });
  }
  return rows;
}

const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const database = await scratchDatabase('http');
try {
  console.log(
    `fenqi bench/http — ${cpus().length} cores, ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`,
  );
  console.log(
    `database: ${database.server}; ${connections} connections, ${seconds} s per measurement after ${warmupSeconds} s warm-up; max req/s is the median of ${roundsCount} alternating rounds\n`,
  );
  const rows = [
    ...(await scenario('GET /livez', { method: 'GET', path: '/livez' }, ['bare', 'fastify'], database.url)),
    ...(await scenario(
      'POST idempotent, 1 row',
      {
        method: 'POST',
        path: '/api/v1/bench/events',
        body: JSON.stringify({ kind: 'bench', amountMinor: '12345' }),
      },
      ['bare-idempotent', 'bare', 'fastify'],
      database.url,
    )),
  ];
  const header = [
    'scenario',
    'server',
    'max req/s',
    'p50 ms',
    'p99 ms',
    'fixed rate',
    'req/s',
    'p50 ms',
    'p99 ms',
    'vs bare (max req/s)',
    'errors',
  ];
  const table = rows.map((row) => {
    const baseline = rows.find(
      (r) =>
        r.scenario === row.scenario &&
        r.server === (row.scenario.startsWith('GET') ? 'bare' : 'bare-idempotent'),
    );
    const ratio = baseline ? row.saturated.rps / baseline.saturated.rps : 1;
    return [
      row.scenario,
      row.server,
      fmt(row.saturated.rps),
      fmt(row.saturated.p50, 1),
      fmt(row.saturated.p99, 1),
      fmt(row.rate),
      fmt(row.fixed.rps),
      fmt(row.fixed.p50, 1),
      fmt(row.fixed.p99, 1),
      `${fmt(ratio, 3)} (${ratio >= 1 ? '+' : '−'}${fmt(Math.abs(1 - ratio) * 100, 1)} %)`,
      String(row.saturated.errors + row.saturated.non2xx + row.fixed.errors + row.fixed.non2xx),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(line(header));
  for (const row of table) console.log(line(row));
  const livez = rows.filter((r) => r.scenario === 'GET /livez');
  const bare = livez.find((r) => r.server === 'bare');
  const fastify = livez.find((r) => r.server === 'fastify');
  if (bare && fastify) {
    const overhead = 1 - fastify.saturated.rps / bare.saturated.rps;
    console.log(`\nFastify overhead on /livez (max req/s): ${fmt(overhead * 100, 1)} % (aim ≤ 15 %)`);
  }
  console.log(
    'bare = node:http, no framework; bare-idempotent = node:http running the same SQL as the platform (claim key, insert + complete in one transaction);\nfastify = the Fenqi app: request ids, helmet, CORS, rate limit, metrics, Zod validation and serialization, idempotency, problem+json.',
  );
} finally {
  await database.drop();
}
