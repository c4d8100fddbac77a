import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, migrationsDir, readMigrations } from '../../src/platform/migrate.ts';
import { createEmptyDatabase } from '../support/db.ts';

const fenqi = new URL('../../bin/fenqi.js', import.meta.url).pathname;

type Run = { code: number | null; stdout: string; stderr: string };

function runFenqi(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fenqi, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function query<T extends pg.QueryResultRow>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(text)).rows;
  } finally {
    await client.end();
  }
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe('migrations', () => {
  it('two `fenqi migrate` processes at once both succeed and the schema is applied once', async () => {
    const database = await createEmptyDatabase();
    cleanups.push(database.drop);
    const env = { DATABASE_URL: database.url, LOG_LEVEL: 'warn' };
    const [first, second] = await Promise.all([runFenqi(['migrate'], env), runFenqi(['migrate'], env)]);
    expect(first?.code, first?.stderr).toBe(0);
    expect(second?.code, second?.stderr).toBe(0);
    const latest = readMigrations().at(-1)?.version ?? 0;
    // Exactly one of them applied the migrations; the other found the database up to date.
    const outputs = [first?.stdout ?? '', second?.stdout ?? ''].sort();
    expect(outputs.filter((out) => out.includes(`database migrated to version ${latest}`))).toHaveLength(1);
    expect(outputs.filter((out) => out === `database is up to date (version ${latest})\n`)).toHaveLength(1);
    const applied = await query<{ version: number }>(
      database.url,
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    expect(applied.map((row) => row.version)).toEqual(readMigrations().map((m) => m.version));
    const dates = await query<{ n: string }>(database.url, 'SELECT count(*) AS n FROM business_date');
    expect(dates[0]?.n).toBe('1');
  });

  it('a migrator that arrives while another is applying waits on the lock, then applies nothing', async () => {
    const database = await createEmptyDatabase();
    cleanups.push(database.drop);
    const dir = mkdtempSync(join(tmpdir(), 'fenqi-migrations-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(migrationsDir, dir, { recursive: true });
    writeFileSync(join(dir, '9000_slow.sql'), 'SELECT pg_sleep(0.6);\nCREATE TABLE slow_marker (id int);\n');
    const started = performance.now();
    const [first, second] = await Promise.all([
      migrate(database.url, { dir }),
      migrate(database.url, { dir }),
    ]);
    const elapsedMs = performance.now() - started;
    const results = [first, second].sort((a, b) => b.applied.length - a.applied.length);
    expect(results[0]?.applied.map((m) => m.version)).toEqual(readMigrations(dir).map((m) => m.version));
    expect(results[1]).toEqual({ applied: [], current: 9000 });
    expect(elapsedMs).toBeGreaterThanOrEqual(600);
    const markers = await query<{ n: string }>(
      database.url,
      "SELECT count(*) AS n FROM pg_tables WHERE tablename = 'slow_marker'",
    );
    expect(markers[0]?.n).toBe('1');
  });

  it('a second run applies nothing', async () => {
    const database = await createEmptyDatabase();
    cleanups.push(database.drop);
    const first = await migrate(database.url);
    expect(first.applied.length).toBe(readMigrations().length);
    const second = await migrate(database.url);
    expect(second).toEqual({ applied: [], current: first.current });
  });

  it('refuses a migration edited after it was applied', async () => {
    const database = await createEmptyDatabase();
    cleanups.push(database.drop);
    const dir = mkdtempSync(join(tmpdir(), 'fenqi-migrations-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(migrationsDir, dir, { recursive: true });
    await migrate(database.url, { dir });
    const first = readMigrations(dir)[0];
    if (!first) throw new Error('no migrations');
    writeFileSync(join(dir, `0001_${first.name}.sql`), `${first.sql}\n-- edited\n`);
    await expect(migrate(database.url, { dir })).rejects.toThrow(
      `migration 0001_${first.name}.sql was changed after it was applied; add a new migration instead of editing an applied one`,
    );
  });

  it('rolls back a failing migration whole and records nothing for it', async () => {
    const database = await createEmptyDatabase();
    cleanups.push(database.drop);
    const dir = mkdtempSync(join(tmpdir(), 'fenqi-migrations-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(migrationsDir, dir, { recursive: true });
    writeFileSync(
      join(dir, '9999_broken.sql'),
      'CREATE TABLE half_done (id int);\nSELECT no_such_function();\n',
    );
    await expect(migrate(database.url, { dir })).rejects.toThrow(
      /migration 9999_broken failed: function no_such_function\(\) does not exist/,
    );
    const tables = await query<{ n: string }>(
      database.url,
      "SELECT count(*) AS n FROM pg_tables WHERE tablename = 'half_done'",
    );
    expect(tables[0]?.n).toBe('0');
    const recorded = await query<{ version: number }>(
      database.url,
      'SELECT version FROM schema_migrations WHERE version = 9999',
    );
    expect(recorded).toEqual([]);
  });

  it('rejects migration files that are not NNNN_description.sql', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fenqi-migrations-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, '1_bad.sql'), 'SELECT 1;');
    expect(() => readMigrations(dir)).toThrow('migration file name 1_bad.sql is not NNNN_description.sql');
  });
});
