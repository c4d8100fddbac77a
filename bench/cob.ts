// Close-of-business benchmark: `fenqi cob` over N active loans (default 1,000,000) with two worker
// processes, next to the raw-SQL floor measured in the same run on a copy of the same data.
//
//   node bench/cob.ts                    (DATABASE_URL's server if set, else an embedded PostgreSQL)
//   node bench/cob.ts --loans 100000
//
// The book (tests/cob/portfolio.ts): twenty template loans of every method and state — current,
// due today, due tomorrow and in three days, 1, 3, 39, 59, 89, 119 and 179 days past due, shared
// between two funders, cash basis — seeded as servicing accounts and closed day by day with the
// real day close, then cloned with COPY (loans, servicing accounts, installments, funder shares).
// The loaded database is copied twice (CREATE DATABASE … TEMPLATE, file copy):
//   floor  one transaction: one set-based UPDATE of every open account, then one INSERT … SELECT
//          of two journal lines per loan into ledger_lines with a journal entry header per 4,000
//          lines in the same statement (what ledger_entries_guard and ledger_lines_guard accept);
//   cob    two `fenqi cob --date D` processes started together (each one worker), partitions of
//          COB_PARTITION_LOANS (default 5,000): they plan once, share the partitions, one finishes.
// Printed: elapsed and loans/s of each, the ratio to the floor, and the peak RSS of every process
// (VmHWM of the children from /proc, maxRSS of this one). Aim: ≤ 1.5 × the floor and ≤ 30 s for
// 1,000,000 loans on 2 cores.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { addDays, type LocalDate } from '../packages/core/src/index.ts';
import { createDb, createPool, type DB } from '../packages/server/src/platform/db.ts';
import { databaseUrlFor, withClient } from '../packages/server/src/platform/db-admin.ts';
import { seedPortfolio } from '../packages/server/tests/cob/portfolio.ts';
import { scratchDatabase } from './support/database.ts';

const { values } = parseArgs({ options: { loans: { type: 'string' } } });
const loans = Number(values.loans ?? 1_000_000);
if (!Number.isInteger(loans) || loans < 100)
  throw new Error('--loans must be a whole number of at least 100');
const open = '2026-06-15' as LocalDate;
const fenqi = new URL('../packages/server/bin/fenqi.js', import.meta.url).pathname;
const linesPerEntry = 4000;

const fmt = (n: number) => Math.round(n).toLocaleString('en');
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

async function copyOf(adminUrl: string, source: string, name: string): Promise<string> {
  await withClient(adminUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    // FILE_COPY: a checkpoint and a copy of the files, instead of WAL-logging every page of a
    // multi-gigabyte database.
    await client.query(`CREATE DATABASE ${name} TEMPLATE ${source} STRATEGY FILE_COPY`);
  });
  return databaseUrlFor(adminUrl, name);
}

async function checkpoint(adminUrl: string): Promise<void> {
  await withClient(adminUrl, (client) => client.query('CHECKPOINT')).catch(() => {});
}

/** The floor: what closing every loan costs at the least — one UPDATE, two lines per loan. */
async function floor(db: DB): Promise<{ ms: number; lines: number }> {
  const started = performance.now();
  const lines = await db.transaction().execute(async (trx) => {
    await sql`SET LOCAL jit = off`.execute(trx);
    await sql`
      UPDATE servicing_accounts SET closed_through = ${open}::date
      WHERE status IN ('active', 'overdue') AND closed_through = ${open}::date - 1`.execute(trx);
    const inserted = await sql<{ n: number }>`
      WITH acc AS (
        SELECT loan_id, customer_id, product_version_id, funder_id,
               greatest(1, principal_outstanding / 10000) AS amount,
               (row_number() OVER (ORDER BY loan_id) - 1) AS i
        FROM servicing_accounts WHERE status IN ('active', 'overdue') AND closed_through = ${open}::date
      ),
      chunks AS (SELECT generate_series(0, (SELECT max(i) FROM acc) / ${linesPerEntry / 2}) AS chunk),
      e AS (
        INSERT INTO ledger_entries (business_date, event_type, source_ref, idempotency_key, fingerprint, description,
                                    currency, reversal_of)
        SELECT ${open}::date, 'accrual', 'floor', 'floor:' || chunk, 'floor', 'raw-SQL floor', 'CNY', NULL
        FROM chunks
        RETURNING id, idempotency_key
      ),
      ids AS (SELECT (SELECT id FROM ledger_accounts WHERE code = '1132' AND currency = 'CNY') AS debit,
                     (SELECT id FROM ledger_accounts WHERE code = '6011' AND currency = 'CNY') AS credit),
      ins AS (
        INSERT INTO ledger_lines (entry_id, line_no, business_date, account_id, side, amount_minor, currency,
                                  loan_id, customer_id, product_id, merchant_id, funder_id)
        SELECT e.id, (2 * (acc.i % ${linesPerEntry / 2}) + s.n)::int2, ${open}::date,
               CASE s.n WHEN 1 THEN ids.debit ELSE ids.credit END,
               CASE s.n WHEN 1 THEN 'debit' ELSE 'credit' END, acc.amount, 'CNY',
               acc.loan_id::text, acc.customer_id::text, acc.product_version_id, NULL, coalesce(acc.funder_id, 'own')
        FROM acc
        JOIN e ON e.idempotency_key = 'floor:' || (acc.i / ${linesPerEntry / 2})
        CROSS JOIN ids CROSS JOIN (VALUES (1), (2)) s (n)
        RETURNING 1
      )
      SELECT count(*)::int AS n FROM ins`.execute(trx);
    return inserted.rows[0]?.n ?? 0;
  });
  return { ms: performance.now() - started, lines };
}

type Child = { child: ChildProcess; peakKb: number; exited: Promise<{ code: number | null; out: string }> };

function startCob(url: string, json: boolean): Child {
  const child = spawn(process.execPath, [fenqi, 'cob', '--date', open, ...(json ? ['--json'] : [])], {
    env: { ...process.env, DATABASE_URL: url, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const state: Child = { child, peakKb: 0, exited: Promise.resolve({ code: null, out: '' }) };
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk) => (out += chunk));
  child.stderr?.on('data', (chunk) => (err += chunk));
  // VmHWM is the process's peak resident set; read until it exits (the file goes with it).
  const timer = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const match = /VmHWM:\s+(\d+) kB/.exec(status);
      if (match?.[1]) state.peakKb = Math.max(state.peakKb, Number(match[1]));
    } catch {
      // exited
    }
  }, 100);
  state.exited = new Promise((resolve) =>
    child.on('exit', (code) => {
      clearInterval(timer);
      if (code !== 0) process.stderr.write(err);
      resolve({ code, out });
    }),
  );
  return state;
}

async function main() {
  const scratch = await scratchDatabase('cob');
  const adminUrl = databaseUrlFor(scratch.url, 'postgres');
  const loaded = new URL(scratch.url).pathname.slice(1);
  const names = { floor: `${loaded}_floor`, cob: `${loaded}_run` };
  try {
    console.log(`close-of-business bench — ${fmt(loans)} loans; ${scratch.server}`);
    console.log(
      `load average before: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
    const loadStarted = performance.now();
    const pool = createPool({ connectionString: scratch.url, max: 4 });
    const db = createDb(pool);
    const book = await seedPortfolio(db, {
      open,
      loans,
      log: (line) => console.log(`  ${line} (${seconds(performance.now() - loadStarted)})`),
    });
    const sizes = await sql<{ accounts: string; installments: string; bytes: string }>`
      SELECT (SELECT count(*) FROM servicing_accounts)::text AS accounts,
             (SELECT count(*) FROM servicing_installments)::text AS installments,
             pg_size_pretty(pg_database_size(current_database())) AS bytes`.execute(db);
    await db.destroy();
    const size = sizes.rows[0];
    console.log(
      `load: ${seconds(performance.now() - loadStarted)} for ${fmt(book.loans)} loans (${size?.accounts} accounts, ${size?.installments} installments, database ${size?.bytes})`,
    );

    const floorUrl = await copyOf(adminUrl, loaded, names.floor);
    const cobUrl = await copyOf(adminUrl, loaded, names.cob);

    await checkpoint(adminUrl);
    const floorDb = createDb(createPool({ connectionString: floorUrl, max: 2 }));
    const f = await floor(floorDb);
    await floorDb.destroy();
    if (f.lines !== 2 * loans) throw new Error(`the floor wrote ${f.lines} lines for ${loans} loans`);

    await checkpoint(adminUrl);
    const started = performance.now();
    const children = [startCob(cobUrl, true), startCob(cobUrl, true)];
    const results = await Promise.all(children.map((c) => c.exited));
    const wallMs = performance.now() - started;
    if (results.some((r) => r.code !== 0)) throw new Error('fenqi cob failed');
    const summaries = results.map((r) => JSON.parse(r.out) as { durationMs: number; loans: number });
    const summary = summaries[0];
    if (summary === undefined) throw new Error('no summary');

    const cobDb = createDb(createPool({ connectionString: cobUrl, max: 2 }));
    const check = await sql<{ behind: number; date: string; partitions: number; by: number }>`
      SELECT (SELECT count(*)::int FROM servicing_accounts
              WHERE status IN ('active', 'overdue') AND closed_through <> ${open}::date) AS behind,
             (SELECT business_date::text FROM business_date) AS date,
             (SELECT count(*)::int FROM cob_partitions) AS partitions,
             (SELECT count(DISTINCT worker)::int FROM cob_partitions) AS by`.execute(cobDb);
    await cobDb.destroy();
    const state = check.rows[0];
    if (state?.behind !== 0 || state.date !== addDays(open, 1) || summary.loans !== loans)
      throw new Error(`the run did not close every loan: ${JSON.stringify({ state, summary })}`);

    const runMs = summary.durationMs;
    console.log('');
    console.log(
      `raw-SQL floor (1 UPDATE + INSERT … SELECT of ${fmt(f.lines)} lines, one transaction): ${seconds(f.ms)}  ${fmt((loans * 1000) / f.ms)} loans/s`,
    );
    console.log(
      `fenqi cob, 2 processes × 1 worker, ${state.partitions} partitions (closed by ${state.by} workers): run ${seconds(runMs)} (planning to the date's advance)  ${fmt((loans * 1000) / runMs)} loans/s; wall ${seconds(wallMs)} including process start`,
    );
    console.log(
      `ratio to the floor: ${(runMs / f.ms).toFixed(2)} × (run), ${(wallMs / f.ms).toFixed(2)} × (wall)`,
    );
    console.log(
      `peak RSS: fenqi cob #1 ${mb(children[0]?.peakKb ?? 0)}, #2 ${mb(children[1]?.peakKb ?? 0)}, this process ${mb(process.resourceUsage().maxRSS)}`,
    );
    console.log(
      `load average after: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await withClient(adminUrl, async (client) => {
      for (const name of Object.values(names))
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    });
    await scratch.drop();
  }
}

await main();
