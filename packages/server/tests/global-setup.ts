import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { databaseUrlFor, withClient } from '../src/platform/db-admin.ts';
import { type EmbeddedPostgres, startEmbeddedPostgres } from '../src/platform/embedded-postgres.ts';
import { consoleSpa, h5Spa, spaBuilt } from '../src/platform/http/spa.ts';
import { migrate } from '../src/platform/migrate.ts';

// Once per test run: find the PostgreSQL server (DATABASE_URL, else an embedded one), migrate a
// template database, and hand its name to the test files. Each test file then copies the template
// into a database of its own (tests/support/db.ts), so files run in parallel and leave nothing.

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: { adminUrl: string; template: string; runId: string };
  }
}

export default async function setup(project: TestProject) {
  const runId = randomBytes(4).toString('hex');
  // The browser tests need the built console and H5; `npm install` builds them (prepare), so this
  // only runs on a checkout where one was never built.
  for (const [spa, script] of [
    [consoleSpa, 'build:console'],
    [h5Spa, 'build:h5'],
  ] as const) {
    if (!spaBuilt(spa)) {
      execFileSync('npm', ['run', script], {
        cwd: resolve(import.meta.dirname, '../../..'),
        stdio: 'inherit',
      });
    }
  }
  let embedded: EmbeddedPostgres | undefined;
  const external = process.env.DATABASE_URL;
  // Without DATABASE_URL each run gets a throw-away cluster of its own (removed at the end), so
  // concurrent runs never share, or stop, each other's server.
  const embeddedDir = resolve(import.meta.dirname, `../../../.fenqi/test-pg/${runId}`);
  if (external === undefined || external === '') {
    embedded = await startEmbeddedPostgres({
      dataDir: embeddedDir,
      durable: false,
      maxConnections: 400,
    });
  }
  const adminUrl = external && external !== '' ? external : (embedded?.url ?? '');
  const template = `fenqi_tpl_${runId}`;
  await withClient(adminUrl, (client) => client.query(`CREATE DATABASE ${template}`));
  await migrate(databaseUrlFor(adminUrl, template));
  project.provide('postgres', { adminUrl, template, runId });

  return async () => {
    await withClient(adminUrl, async (client) => {
      const { rows } = await client.query<{ datname: string }>(
        `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`,
        [template, `fenqi_t_${runId}_%`],
      );
      for (const { datname } of rows) {
        await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      }
    });
    if (embedded) {
      await embedded.stop();
      for (const path of [
        embeddedDir,
        `${embeddedDir}.log`,
        `${embeddedDir}.owner`,
        `${embeddedDir}.password`,
      ]) {
        rmSync(path, { recursive: true, force: true });
      }
    }
  };
}
