import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { databaseUrlFor } from '../../packages/server/src/platform/db-admin.ts';
import { startEmbeddedPostgres } from '../../packages/server/src/platform/embedded-postgres.ts';
import { migrate } from '../../packages/server/src/platform/migrate.ts';

// A scratch database for a benchmark: on DATABASE_URL's server when set, else on an embedded
// PostgreSQL started for the run. Both are created, migrated, and removed again.

export type ScratchDatabase = { url: string; server: string; drop(): Promise<void> };

export async function scratchDatabase(label: string): Promise<ScratchDatabase> {
  const external = process.env.DATABASE_URL;
  let stopEmbedded: (() => Promise<void>) | undefined;
  let adminUrl: string;
  let server: string;
  if (external) {
    adminUrl = external;
    server = `DATABASE_URL (${new URL(external).host})`;
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'fenqi-bench-'));
    const embedded = await startEmbeddedPostgres({ dataDir: join(dir, 'pg') });
    adminUrl = embedded.url;
    server = 'embedded PostgreSQL';
    stopEmbedded = async () => {
      await embedded.stop();
      rmSync(dir, { recursive: true, force: true });
    };
  }
  const name = `fenqi_bench_${label}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]
    ?.server_version;
  await admin.end();
  const url = databaseUrlFor(adminUrl, name);
  await migrate(url);
  return {
    url,
    server: `${server}, PostgreSQL ${version}`,
    async drop() {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
      await stopEmbedded?.();
    },
  };
}
