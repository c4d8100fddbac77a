import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { application } from '../../src/modules/index.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { type JobRunner, startJobs } from '../../src/platform/jobs.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { testKeys } from '../support/server.ts';

let database: TestDatabase;
let jobs: JobRunner;
let armed: (() => void) | undefined;

beforeAll(async () => {
  database = await createTestDatabase();
  const logger = createLogger({ logLevel: 'silent' });
  const config = loadConfig({ DATABASE_URL: database.url, ...testKeys });
  // The prune job tells the test when a run that started after the trigger has finished, so the
  // test waits for that event, not for an amount of time.
  const list = application.jobs({ config, db: database.db, logger }).map((job) =>
    job.name !== 'prune-idempotency-keys'
      ? job
      : {
          ...job,
          run: async () => {
            const waiter = armed;
            const result = await job.run();
            waiter?.();
            return result;
          },
        },
  );
  jobs = await startJobs(database.url, logger, list, { pollingIntervalSeconds: 0.5 });
});

afterAll(async () => {
  await jobs?.stop();
  await database?.drop();
});

async function insertKey(key: string, expiresIn: string): Promise<void> {
  await sql`
    INSERT INTO idempotency_keys (caller, key, method, path, fingerprint, claim_token, state,
      response_status, response_body, response_content_type, completed_at, expires_at)
    VALUES ('staff:1', ${key}, 'POST', '/api/v1/x', 'f', gen_random_uuid(), 'completed', 201, '{}',
      'application/json', now(), now() + ${expiresIn}::interval)`.execute(database.db);
}

describe('worker jobs', () => {
  it('the prune job, run by the worker, deletes expired idempotency keys and keeps live ones', async () => {
    await insertKey('expired-1', '-1 hour');
    await insertKey('expired-2', '-1 second');
    await insertKey('live', '1 hour');
    const ran = new Promise<void>((resolve) => {
      armed = resolve;
    });
    await jobs.trigger('prune-idempotency-keys');
    await ran;
    const keys = (
      await database.tables.selectFrom('idempotency_keys').select('key').orderBy('key').execute()
    ).map((r) => r.key);
    expect(keys).toEqual(['live']);
  });

  it('schedules the prune job hourly', async () => {
    const rows = await sql<{ name: string; cron: string }>`SELECT name, cron FROM pgboss.schedule`.execute(
      database.db,
    );
    expect(rows.rows).toContainEqual({ name: 'prune-idempotency-keys', cron: '17 * * * *' });
  });
});
