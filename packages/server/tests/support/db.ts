import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { inject } from 'vitest';
import { type Database, wholeSchema } from '../../src/modules/database.ts';
import { createDb, createPool, type DB } from '../../src/platform/db.ts';
import { databaseUrlFor, withClient } from '../../src/platform/db-admin.ts';

export type TestDatabase = {
  /** URL of this file's own database (a copy of the migrated template). */
  url: string;
  name: string;
  /** The connection services are given. */
  db: DB;
  /** The same connection seen with every table, for a test's own assertions and set-up. */
  tables: Kysely<Database>;
  pool: pg.Pool;
  drop(): Promise<void>;
};

async function adminQuery(sql: string): Promise<void> {
  await withClient(inject('postgres').adminUrl, (client) => client.query(sql));
}

/** An empty database on the test server (no migrations): for migrator tests. */
export async function createEmptyDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const { adminUrl, runId } = inject('postgres');
  const name = `fenqi_t_${runId}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  return {
    url: databaseUrlFor(adminUrl, name),
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
  const url = databaseUrlFor(adminUrl, name);
  const pool = createPool({ connectionString: url, max: 30 });
  const db = createDb(pool);
  return {
    url,
    name,
    db,
    tables: wholeSchema(db),
    pool,
    async drop() {
      await db.destroy();
      await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
