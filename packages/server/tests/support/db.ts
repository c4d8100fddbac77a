import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { createDb, createPool, type DB } from '../../src/platform/db.ts';

export type TestDatabase = {
  /** URL of this file's own database (a copy of the migrated template). */
  url: string;
  name: string;
  db: DB;
  pool: pg.Pool;
  drop(): Promise<void>;
};

export function databaseUrl(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const { adminUrl } = inject('postgres');
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** An empty database on the test server (no migrations): for migrator tests. */
export async function createEmptyDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const { adminUrl, runId } = inject('postgres');
  const name = `fenqi_t_${runId}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  return {
    url: databaseUrl(adminUrl, name),
    name,
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** A migrated database of the test file's own, copied from the run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const { adminUrl, template, runId } = inject('postgres');
  const name = `fenqi_t_${runId}_${randomBytes(4).toString('hex')}`;
  // Copies of one template may be created concurrently; PostgreSQL refuses only while another
  // session is connected to the template itself, which nothing here does for long.
  for (let attempt = 1; ; attempt++) {
    try {
      await adminQuery(`CREATE DATABASE ${name} TEMPLATE ${template}`);
      break;
    } catch (error) {
      if (attempt >= 10 || !String((error as Error).message).includes('is being accessed by other users'))
        throw error;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
  const url = databaseUrl(adminUrl, name);
  const pool = createPool({ connectionString: url, max: 30 });
  const db = createDb(pool);
  return {
    url,
    name,
    db,
    pool,
    async drop() {
      await db.destroy();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
