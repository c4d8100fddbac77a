import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allJobs } from '../../src/modules/jobs.ts';
import { type JobRunner, startJobs } from '../../src/platform/jobs.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';

let database: TestDatabase;
let jobs: JobRunner;

beforeAll(async () => {
  database = await createTestDatabase();
  const logger = createLogger({ logLevel: 'silent' });
  jobs = await startJobs(database.url, logger, allJobs(database.db, logger), {
    pollingIntervalSeconds: 0.5,
  });
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
    await jobs.trigger('prune-idempotency-keys');
    const deadline = Date.now() + 15_000;
    let keys: string[] = [];
    while (Date.now() < deadline) {
      keys = (await database.db.selectFrom('idempotency_keys').select('key').orderBy('key').execute()).map(
        (r) => r.key,
      );
      if (keys.length === 1) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(keys).toEqual(['live']);
  });

  it('schedules the prune job hourly', async () => {
    const rows = await sql<{ name: string; cron: string }>`SELECT name, cron FROM pgboss.schedule`.execute(
      database.db,
    );
    expect(rows.rows).toContainEqual({ name: 'prune-idempotency-keys', cron: '17 * * * *' });
  });
});
