// Ledger benchmark: posting throughput through the real postJournal / postJournals, against the
// same PostgreSQL server's own pgbench TPC-B-like ceiling, all in one run.
//
//   node bench/ledger.ts                 (DATABASE_URL's server if set, else an embedded PostgreSQL)
//   BENCH_SECONDS=20 node bench/ledger.ts
//
// (a) two-line entries/s, 8 concurrent writers, each entry on a random pair of 200 accounts
// (b) the same on one hot account pair (every entry debits and credits the same two accounts)
// (c) batched posting: 1,000 two-line entries per transaction, in lines/s
// (e) bulk posting for close of business: postJournalsBulk (COPY into staging tables, one
//     set-based function), 50,000 two-line entries per transaction, 2 writers, in lines/s
// (d) pgbench TPC-B-like (built-in script, simple protocol), 8 clients, 2 threads, scale 8, on a
//     scratch database of the same server, run before and after the ledger phases (the machine's
//     load drifts; the ratio uses their mean)
// (f) what bounds (a): the same two-line postings (ledger_post_entry, BEGIN/SELECT/COMMIT) driven
//     by pgbench's C client instead of Node.js, 8 clients, on the same spread accounts
// plus, for the design record: (b) again with the rejected design added — a balance row per
// account updated in the posting transaction (row locks held to commit).
// A CHECKPOINT (when permitted) starts every phase from the same state. The hot phases check that
// the balances are exact. The figures go in docs/ledger.md.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { wholeSchema } from '../packages/server/src/modules/database.ts';
import type { JournalEntryInput } from '../packages/server/src/modules/ledger/service.ts';
import {
  foldLedgerBalances,
  getAccountBalance,
  openAccount,
  postJournal,
  postJournals,
  postJournalsBulk,
} from '../packages/server/src/modules/ledger/service.ts';
import { createDb, createPool, type DB } from '../packages/server/src/platform/db.ts';
import { databaseUrlFor, withClient } from '../packages/server/src/platform/db-admin.ts';
import { startEmbeddedPostgres } from '../packages/server/src/platform/embedded-postgres.ts';
import { migrate } from '../packages/server/src/platform/migrate.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const warmupSeconds = 2;
const writers = 8;
const spreadAccounts = 200;
const batchEntries = 1000;
const batchWriters = 2;
const bulkEntries = 50_000;
const pgbenchScale = 8;

function pgbenchPath(): string {
  const candidates = [process.env.PGBENCH, '/usr/lib/postgresql/15/bin/pgbench', '/usr/bin/pgbench'];
  for (const candidate of candidates) if (candidate && existsSync(candidate)) return candidate;
  throw new Error('pgbench not found: set PGBENCH to its path');
}

/** Runs `work` in `concurrency` loops for warm-up plus `seconds`; counts only after warm-up. */
async function timed(
  concurrency: number,
  work: (worker: number, i: number) => Promise<number>,
): Promise<{ units: number; perSecond: number; errors: number }> {
  const start = performance.now();
  const warmEnd = start + warmupSeconds * 1000;
  const end = warmEnd + seconds * 1000;
  let units = 0;
  let errors = 0;
  let firstError: unknown;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = 0; ; i++) {
        const now = performance.now();
        if (now >= end) return;
        try {
          const done = await work(worker, i);
          if (now >= warmEnd) units += done;
        } catch (error) {
          errors++;
          firstError ??= error;
        }
      }
    }),
  );
  if (firstError) console.error('first error:', firstError);
  return { units, perSecond: units / seconds, errors };
}

function twoLine(
  key: string,
  debit: string,
  credit: string,
  amountMinor: bigint,
  loanId: string,
): JournalEntryInput {
  return {
    idempotencyKey: key,
    eventType: 'bench',
    sourceRef: `bench:${key}`,
    lines: [
      { account: debit, side: 'debit', amountMinor, currency: 'CNY', loanId, customerId: `c${loanId}` },
      { account: credit, side: 'credit', amountMinor, currency: 'CNY', loanId, customerId: `c${loanId}` },
    ],
  };
}

async function postingPhase(db: DB, label: string, pick: (worker: number, i: number) => [string, string]) {
  const run = randomBytes(3).toString('hex');
  const result = await timed(writers, async (worker, i) => {
    const [debit, credit] = pick(worker, i);
    await db
      .transaction()
      .execute((trx) =>
        postJournal(
          trx,
          twoLine(
            `${label}-${run}-${worker}-${i}`,
            debit,
            credit,
            BigInt(1 + (i % 997)),
            `L${worker}-${i % 5000}`,
          ),
        ),
      );
    return 1;
  });
  return result;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function checkpoint(adminUrl: string): Promise<void> {
  // Needs superuser or pg_checkpoint; without it the phases simply start where the last one ended.
  await withClient(adminUrl, (client) => client.query('CHECKPOINT')).catch(() => {});
}

function runPgbench(pgbench: string, url: string, script?: string): number {
  const out = execFileSync(
    pgbench,
    [
      ...(script === undefined ? ['-M', 'simple'] : ['-n', '-M', 'prepared', '-f', script]),
      ...['-c', String(writers), '-j', '2', '-T', String(seconds), url],
    ],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  return Number(/tps = ([\d.]+)/.exec(out)?.[1] ?? Number.NaN);
}

async function main(): Promise<void> {
  const external = process.env.DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | undefined;
  let adminUrl: string;
  let serverLabel: string;
  if (external) {
    adminUrl = external;
    serverLabel = `DATABASE_URL (${new URL(external).host})`;
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'fenqi-bench-ledger-'));
    const embedded = await startEmbeddedPostgres({ dataDir: join(dir, 'pg'), maxConnections: 100 });
    adminUrl = embedded.url;
    serverLabel = 'embedded PostgreSQL (scratch cluster)';
    stopEmbedded = async () => {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const suffix = randomBytes(3).toString('hex');
  const ledgerDb = `fenqi_bench_ledger_${suffix}`;
  const pgbenchDb = `fenqi_bench_pgbench_${suffix}`;
  const settings = await withClient(adminUrl, async (client) => {
    await client.query(`CREATE DATABASE ${ledgerDb}`);
    await client.query(`CREATE DATABASE ${pgbenchDb}`);
    const { rows } = await client.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'shared_buffers', 'max_connections') ORDER BY name`,
    );
    return rows.map((r) => `${r.name}=${r.setting}`).join(' ');
  });
  const pool = createPool({
    connectionString: databaseUrlFor(adminUrl, ledgerDb),
    max: writers + 2,
    applicationName: 'fenqi-bench-ledger',
  });
  const db = createDb(pool);
  try {
    await migrate(databaseUrlFor(adminUrl, ledgerDb));
    const spread: string[] = [];
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < spreadAccounts; i++) {
        const code = `9${String(i).padStart(4, '0')}`;
        await openAccount(trx, {
          code,
          currency: 'CNY',
          nameZh: `压测账户${i}`,
          nameEn: `Bench ${i}`,
          type: 'asset',
        });
        spread.push(code);
      }
    });
    console.log(`ledger bench — ${serverLabel}; ${settings}`);
    console.log(
      `${writers} writers, ${seconds}s per phase after ${warmupSeconds}s warm-up; load average before: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );

    // (d) first: the ceiling, on a scratch database of the same server.
    const pgbench = pgbenchPath();
    const pgbenchUrl = databaseUrlFor(adminUrl, pgbenchDb);
    execFileSync(pgbench, ['-i', '-q', '-s', String(pgbenchScale), pgbenchUrl], { stdio: 'pipe' });
    await checkpoint(adminUrl);
    const tpsBefore = runPgbench(pgbench, pgbenchUrl);
    await checkpoint(adminUrl);

    // (a) spread accounts.
    const random = (n: number) => Math.floor(Math.random() * n);
    const a = await postingPhase(db, 'spread', () => {
      const d = random(spread.length);
      const c = (d + 1 + random(spread.length - 1)) % spread.length;
      return [spread[d] ?? '90000', spread[c] ?? '90001'];
    });
    await checkpoint(adminUrl);
    // (b) one hot pair.
    const before = await getAccountBalance(db, '1002.01', 'CNY');
    let hotExpected = 0n;
    const b = await timed(writers, async (worker, i) => {
      const amount = BigInt(1 + (i % 997));
      await db
        .transaction()
        .execute((trx) =>
          postJournal(
            trx,
            twoLine(`hot-${worker}-${i}`, '1002.01', '4001', amount, `H${worker}-${i % 5000}`),
          ),
        );
      hotExpected += amount;
      return 1;
    });
    const after = await getAccountBalance(db, '1002.01', 'CNY');
    const hotExact = after.balance.balanceMinor - before.balance.balanceMinor === hotExpected;

    await checkpoint(adminUrl);
    // (c) batches of 1,000 two-line entries per transaction.
    const c = await timed(batchWriters, async (worker, i) => {
      const entries = Array.from({ length: batchEntries }, (_, k) => {
        const d = (k * 7 + i) % spread.length;
        return twoLine(
          `batch-${worker}-${i}-${k}`,
          spread[d] ?? '90000',
          spread[(d + 1) % spread.length] ?? '90001',
          BigInt(1 + k),
          `B${k}`,
        );
      });
      await db.transaction().execute((trx) => postJournals(trx, entries));
      return batchEntries * 2;
    });

    await checkpoint(adminUrl);
    // (e) bulk: 50,000 two-line entries per transaction through COPY, as close of business posts.
    const e = await timed(batchWriters, async (worker, i) => {
      const entries = Array.from({ length: bulkEntries }, (_, k) => {
        const d = (k * 7 + i) % spread.length;
        return twoLine(
          `bulk-${suffix}-${worker}-${i}-${k}`,
          spread[d] ?? '90000',
          spread[(d + 1) % spread.length] ?? '90001',
          BigInt(1 + (k % 100_000)),
          `E${k}`,
        );
      });
      await db.transaction().execute((trx) => postJournalsBulk(trx, entries));
      return bulkEntries * 2;
    });

    // (f) the posting itself without Node.js: pgbench runs the same function call in the same
    // three statements per transaction, on the spread accounts.
    const scriptDir = mkdtempSync(join(tmpdir(), 'fenqi-bench-post-'));
    const script = join(scriptDir, 'post.pgbench');
    writeFileSync(
      script,
      [
        '\\set k random(1, 1000000000000)',
        `\\set a random(0, ${spreadAccounts - 2})`,
        'BEGIN;',
        "SELECT ledger_post_entry('pgbench-' || :client_id || '-' || :k, 'fp', 'bench', 'bench:' || :k, '', 'CNY', NULL, NULL, " +
          "jsonb_build_array(jsonb_build_object('account', '9' || lpad(:a::text, 4, '0'), 'side', 'debit', 'amount', '5', 'loan', 'L' || :k, 'customer', 'cL' || :k), " +
          "jsonb_build_object('account', '9' || lpad((:a + 1)::text, 4, '0'), 'side', 'credit', 'amount', '5', 'loan', 'L' || :k, 'customer', 'cL' || :k)));",
        'END;',
        '',
      ].join('\n'),
    );
    await checkpoint(adminUrl);
    const f = runPgbench(pgbench, databaseUrlFor(adminUrl, ledgerDb), script);
    rmSync(scriptDir, { recursive: true, force: true });

    // The rejected design, for the record: the same hot-pair postings, each also updating a balance
    // row per account in the same transaction (UPDATE takes row locks, in account order, held to
    // commit), so every writer queues behind the one committing.
    await sql`CREATE TABLE bench_locked_balances (account_id int4 PRIMARY KEY, balance_minor int8 NOT NULL)`.execute(
      db,
    );
    await sql`INSERT INTO bench_locked_balances SELECT id, 0 FROM ledger_accounts WHERE currency = 'CNY' AND code IN ('1002.01', '4001')`.execute(
      db,
    );
    await checkpoint(adminUrl);
    const locked = await timed(writers, async (worker, i) => {
      const amount = BigInt(1 + (i % 997));
      await db.transaction().execute(async (trx) => {
        await postJournal(
          trx,
          twoLine(`locked-${worker}-${i}`, '1002.01', '4001', amount, `K${worker}-${i % 5000}`),
        );
        await sql`UPDATE bench_locked_balances b SET balance_minor = balance_minor + ${amount}::int8
                  FROM ledger_accounts a WHERE a.id = b.account_id AND a.currency = 'CNY' AND a.code IN ('1002.01', '4001')`.execute(
          trx,
        );
      });
      return 1;
    });
    await checkpoint(adminUrl);
    const tpsAfter = runPgbench(pgbench, pgbenchUrl);
    await withClient(adminUrl, (client) => client.query(`DROP DATABASE ${pgbenchDb} WITH (FORCE)`));
    const tps = (tpsBefore + tpsAfter) / 2;

    const foldStart = performance.now();
    const fold = await foldLedgerBalances(db);
    const foldMs = performance.now() - foldStart;
    const trial = await wholeSchema(db)
      .selectFrom('ledger_lines')
      .select((eb) => [
        eb.fn
          .sum<bigint>(eb.case().when('side', '=', 'debit').then(eb.ref('amount_minor')).else(0n).end())
          .as('debits'),
        eb.fn
          .sum<bigint>(eb.case().when('side', '=', 'credit').then(eb.ref('amount_minor')).else(0n).end())
          .as('credits'),
      ])
      .executeTakeFirstOrThrow();

    console.log('');
    console.log(
      `(a) spread accounts, ${writers} writers:      ${fmt(a.perSecond)} entries/s  (${fmt(a.units)} entries, ${a.errors} errors)`,
    );
    console.log(
      `(b) one hot account pair, ${writers} writers: ${fmt(b.perSecond)} entries/s  (${fmt(b.units)} entries, ${b.errors} errors, hot balance exact: ${hotExact})`,
    );
    console.log(
      `(c) batched, ${batchEntries} entries/tx, ${batchWriters} writers: ${fmt(c.perSecond)} lines/s  (${fmt(c.units)} lines, ${c.errors} errors)`,
    );
    console.log(
      `(e) bulk (COPY), ${fmt(bulkEntries)} entries/tx, ${batchWriters} writers: ${fmt(e.perSecond)} lines/s  (${fmt(e.units)} lines, ${e.errors} errors)`,
    );
    console.log(
      `(d) pgbench TPC-B-like, ${writers} clients, scale ${pgbenchScale}: ${fmt(tps)} tps  (before ${fmt(tpsBefore)}, after ${fmt(tpsAfter)})`,
    );
    console.log(
      `(f) the same postings driven by pgbench (no Node.js), ${writers} clients: ${fmt(f)} entries/s`,
    );
    console.log(
      `    for the record — (b) with row-locked balance rows (rejected design): ${fmt(locked.perSecond)} entries/s  (${locked.errors} errors)`,
    );
    console.log('');
    console.log(
      `(a)/(d) = ${(a.perSecond / tps).toFixed(2)}  (aim ≥ 0.80); (f)/(d) = ${(f / tps).toFixed(2)}`,
    );
    console.log(`(c) = ${fmt(c.perSecond)} lines/s  (aim ≥ 50,000)`);
    console.log(
      `(e) = ${fmt(e.perSecond)} lines/s  (aim ≥ 300,000; ${(e.perSecond / c.perSecond).toFixed(1)}× (c) in this run)`,
    );
    console.log(
      `fold of ${fmt(fold.lines)} lines into ${fold.accounts} accounts: ${fmt(foldMs)} ms; all lines: debits ${trial.debits} = credits ${trial.credits}: ${String(trial.debits) === String(trial.credits)}`,
    );
    console.log(
      `load average after: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    );
  } finally {
    await db.destroy();
    await withClient(adminUrl, async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${ledgerDb} WITH (FORCE)`);
      await client.query(`DROP DATABASE IF EXISTS ${pgbenchDb} WITH (FORCE)`);
    });
    await stopEmbedded?.();
  }
}

await main();
