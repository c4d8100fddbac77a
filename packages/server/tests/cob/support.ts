import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { type RawBuilder, sql } from 'kysely';
import { inject } from 'vitest';
import { createDb, createPool, type DB } from '../../src/platform/db.ts';
import { databaseUrlFor, withClient } from '../../src/platform/db-admin.ts';
import { testKeys } from '../support/server.ts';

// Close-of-business tests: copies of one seeded book (CREATE DATABASE … TEMPLATE), `fenqi cob` as a
// child process, and everything a close writes read back in a form two runs can be compared in.

export const fenqi = new URL('../../bin/fenqi.js', import.meta.url).pathname;

export type CopiedDatabase = { name: string; url: string; db: DB; drop(): Promise<void> };

/** A copy of `source` (nobody may be connected to it), removed again by drop(). */
export async function copyDatabase(source: string): Promise<CopiedDatabase> {
  const { adminUrl, runId } = inject('postgres');
  const name = `fenqi_t_${runId}_${randomBytes(4).toString('hex')}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${source}`));
  const url = databaseUrlFor(adminUrl, name);
  const db = createDb(createPool({ connectionString: url, max: 10 }));
  return {
    name,
    url,
    db,
    async drop() {
      await db.destroy();
      await withClient(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

export type CobProcess = {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
};

/** `fenqi cob …` against `url` with partitions of 100 loans. */
export function spawnCob(url: string, args: string[]): CobProcess {
  const child = spawn(process.execPath, [fenqi, 'cob', ...args], {
    env: { ...process.env, DATABASE_URL: url, COB_PARTITION_LOANS: '100', LOG_LEVEL: 'warn', ...testKeys },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, exited };
}

async function texts(db: DB, query: RawBuilder<{ r: string }>): Promise<string[]> {
  return (await query.execute(db)).rows.map((row) => row.r);
}

/**
 * Everything close of business writes, row by row, without what differs between two equal runs
 * (generated ids, timestamps): servicing accounts and installments, delinquency history, loan
 * states and their history, every journal line with its entry's key, the outbox's events, the
 * partitions with their totals, and the business date.
 */
export async function closeSnapshot(db: DB): Promise<Record<string, string[]>> {
  return {
    accounts: await texts(
      db,
      sql`SELECT (to_jsonb(a) - 'updated_at')::text AS r FROM servicing_accounts a ORDER BY a.loan_id`,
    ),
    installments: await texts(
      db,
      sql`SELECT to_jsonb(i)::text AS r FROM servicing_installments i ORDER BY i.loan_id, i.number`,
    ),
    delinquency: await texts(
      db,
      sql`SELECT concat_ws(' ', loan_id, business_date, dpd, bucket_from, bucket_to, cause) AS r
          FROM servicing_delinquency_history ORDER BY 1`,
    ),
    loans: await texts(db, sql`SELECT concat_ws(' ', id, state) AS r FROM loans ORDER BY id`),
    loanStates: await texts(
      db,
      sql`SELECT concat_ws(' ', loan_id, from_state, to_state, event, reason, source_ref, business_date) AS r
          FROM loan_state_changes ORDER BY 1`,
    ),
    journal: await texts(
      db,
      sql`SELECT concat_ws(' ', e.idempotency_key, e.event_type, e.source_ref, e.business_date, l.line_no, a.code,
                           l.side, l.amount_minor, l.loan_id, l.customer_id, l.product_id, l.funder_id) AS r
          FROM ledger_lines l JOIN ledger_entries e ON e.id = l.entry_id JOIN ledger_accounts a ON a.id = l.account_id
          ORDER BY 1`,
    ),
    events: await texts(
      db,
      sql`SELECT concat_ws(' ', event_id, type, subject_type, subject_id, payload::text, business_date) AS r
          FROM outbox_events ORDER BY 1`,
    ),
    partitions: await texts(
      db,
      sql`SELECT concat_ws(' ', business_date, number, loan_from, loan_to, loans, status, totals::text) AS r
          FROM cob_partitions ORDER BY business_date, number`,
    ),
    businessDate: await texts(db, sql`SELECT business_date::text AS r FROM business_date`),
  };
}

/** Rows in every table close of business writes (a refused close must leave them as they were). */
export async function closeRowCounts(db: DB): Promise<Record<string, number>> {
  const tables = [
    'cob_runs',
    'cob_partitions',
    'servicing_day_close',
    'servicing_delinquency_history',
    'loan_state_changes',
    'ledger_entries',
    'ledger_lines',
    'outbox_events',
    'outbox_deliveries',
    'business_date_history',
    'idempotency_keys',
  ];
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const result = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(db);
    counts[table] = result.rows[0]?.n ?? 0;
  }
  const closed = await sql<{ r: string }>`
    SELECT md5(string_agg(concat_ws(' ', loan_id, closed_through, status, dpd), ',' ORDER BY loan_id)) AS r
    FROM servicing_accounts`.execute(db);
  counts.accountsDigest = Number.parseInt((closed.rows[0]?.r ?? '0').slice(0, 8), 16);
  return counts;
}

/** Waits for `check` to hold, looking again after each short pause (never for a fixed time). */
export async function until(check: () => Promise<boolean>, what: string, pollsMax = 6000): Promise<void> {
  for (let poll = 0; poll < pollsMax; poll += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`gave up waiting for ${what}`);
}
