import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { pruneIdempotencyKeys } from '../../src/platform/http/idempotency.ts';
import { countNotes, createNotesTable, notesModule } from '../support/notes-module.ts';
import { http, useTestServer } from '../support/server.ts';

const { database, server } = useTestServer({
  modules: [notesModule],
  prepare: async (database) => {
    await createNotesTable(database.db);
  },
});

async function notesWithText(text: string): Promise<number> {
  const result = await sql<{ n: bigint }>`SELECT count(*) AS n FROM test_notes WHERE text = ${text}`.execute(
    database.db,
  );
  return Number(result.rows[0]?.n ?? 0n);
}

const post = (body: unknown, idempotencyKey?: string) =>
  http(server.baseUrl, 'POST', '/api/v1/test-notes', {
    body,
    headers: idempotencyKey === undefined ? {} : { 'idempotency-key': idempotencyKey },
  });

describe('Idempotency-Key on mutating routes', () => {
  it('is required: a POST without it is 400 idempotency_key_missing and writes nothing', async () => {
    const result = await post({ text: 'no key' });
    expect(result.status).toBe(400);
    expect(result.json).toMatchObject({
      code: 'idempotency_key_missing',
      errors: [{ in: 'headers', path: 'idempotency-key', message: 'required' }],
    });
    expect(await notesWithText('no key')).toBe(0);
  });

  it('must be visible ASCII of at most 255 characters', async () => {
    for (const bad of ['x'.repeat(256), 'has space']) {
      const result = await post({ text: 'bad key' }, bad);
      expect(result.status).toBe(400);
      expect(result.json).toMatchObject({ code: 'idempotency_key_invalid' });
    }
    expect(await notesWithText('bad key')).toBe(0);
  });

  it('a replayed POST returns the identical response and writes once', async () => {
    const key = crypto.randomUUID();
    const first = await post({ text: 'replay me', amount: '12.30' }, key);
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ text: 'replay me', amountMinor: '1230' });
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    // Same request, keys in another order and other whitespace: still the same request.
    const second = await http(server.baseUrl, 'POST', '/api/v1/test-notes', {
      rawBody: '{ "amount": "12.30",   "text": "replay me" }',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
    });
    expect(second.status).toBe(201);
    expect(second.text).toBe(first.text);
    expect(second.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await notesWithText('replay me')).toBe(1);
  });

  it('the same key with another body is 409 idempotency_key_reused and writes nothing', async () => {
    const key = crypto.randomUUID();
    expect((await post({ text: 'original' }, key)).status).toBe(201);
    const reused = await post({ text: 'different' }, key);
    expect(reused.status).toBe(409);
    expect(reused.json).toMatchObject({
      type: 'https://fenqi.dev/problems/idempotency_key_reused',
      code: 'idempotency_key_reused',
      status: 409,
    });
    expect(await notesWithText('different')).toBe(0);
    expect(await notesWithText('original')).toBe(1);
  });

  it('keys are scoped to the route: the same key on another path is a different request', async () => {
    const key = crypto.randomUUID();
    expect((await post({ text: 'scoped' }, key)).status).toBe(201);
    const other = await http(server.baseUrl, 'POST', '/api/v1/test-notes?variant=2', {
      body: { text: 'scoped' },
      headers: { 'idempotency-key': key },
    });
    expect(other.status).toBe(409);
    expect(other.json).toMatchObject({ code: 'idempotency_key_reused' });
  });

  it('20 concurrent requests with one key execute exactly once', async () => {
    const key = crypto.randomUUID();
    const body = { text: 'concurrent', delayMs: 300 };
    const results = await Promise.all(Array.from({ length: 20 }, () => post(body, key)));
    const created = results.filter((r) => r.status === 201);
    const inProgress = results.filter((r) => r.status === 409);
    expect(created.length + inProgress.length).toBe(20);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const conflict of inProgress)
      expect(conflict.json).toMatchObject({ code: 'idempotency_key_in_progress' });
    // Every 201 is the one response (the first, or its replay).
    expect(new Set(created.map((r) => r.text)).size).toBe(1);
    expect(await notesWithText('concurrent')).toBe(1);
    // Once finished, a retry gets the stored response.
    const retry = await post(body, key);
    expect(retry.status).toBe(201);
    expect(retry.text).toBe(created[0]?.text);
  });

  it('a request that fails leaves its key free: a retry with the same key runs again', async () => {
    const key = crypto.randomUUID();
    const failed = await post({ text: 'retry after failure', failAfterWrite: 'domain' }, key);
    expect(failed.status).toBe(400);
    const keys = await database.tables
      .selectFrom('idempotency_keys')
      .select('key')
      .where('key', '=', key)
      .execute();
    expect(keys).toEqual([]);
    const retried = await post({ text: 'retry after failure' }, key);
    expect(retried.status).toBe(201);
    expect(await notesWithText('retry after failure')).toBe(1);
  });

  it('a claim left by a crashed process is taken over after the lock time, for the same request only', async () => {
    const key = crypto.randomUUID();
    const path = '/api/v1/test-notes';
    const { fingerprintKey, fingerprintOf } = await import('../../src/platform/http/idempotency.ts');
    await database.tables
      .insertInto('idempotency_keys')
      .values({
        caller: 'anonymous:anonymous',
        key,
        method: 'POST',
        path,
        fingerprint: fingerprintOf(fingerprintKey(server.config.secrets.sessionKey), 'POST', path, {
          text: 'orphaned claim',
        }),
        claim_token: crypto.randomUUID(),
        state: 'in_progress',
        response_status: null,
        response_body: null,
        response_content_type: null,
        locked_until: sql<Date>`now() - interval '1 second'`,
        completed_at: null,
        expires_at: sql<Date>`now() + interval '1 hour'`,
      })
      .execute();
    const otherBody = await post({ text: 'not the orphan' }, key);
    expect(otherBody.status).toBe(409);
    expect(otherBody.json).toMatchObject({ code: 'idempotency_key_reused' });
    const sameBody = await post({ text: 'orphaned claim' }, key);
    expect(sameBody.status).toBe(201);
    expect(await notesWithText('orphaned claim')).toBe(1);
  });

  it('an in-flight claim younger than the lock time is 409 idempotency_key_in_progress', async () => {
    const key = crypto.randomUUID();
    const gate = 81_001;
    // The test holds the gate, so the first request stays in flight until the test lets it go.
    const holder = await database.pool.connect();
    try {
      await holder.query('SELECT pg_advisory_lock($1)', [gate]);
      const slow = post({ text: 'slow one', holdLock: gate }, key);
      while (
        (await database.tables.selectFrom('idempotency_keys').select('key').where('key', '=', key).execute())
          .length === 0
      ) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      const during = await post({ text: 'slow one', holdLock: gate }, key);
      expect(during.status).toBe(409);
      expect(during.json).toMatchObject({ code: 'idempotency_key_in_progress', status: 409 });
      await holder.query('SELECT pg_advisory_unlock($1)', [gate]);
      expect((await slow).status).toBe(201);
    } finally {
      holder.release();
    }
  });

  it('expired keys are pruned, and an expired key may be used again', async () => {
    const key = crypto.randomUUID();
    expect((await post({ text: 'will expire' }, key)).status).toBe(201);
    await database.tables
      .updateTable('idempotency_keys')
      .set({ expires_at: sql<Date>`now() - interval '1 second'` })
      .where('key', '=', key)
      .execute();
    // Before the prune job runs, an expired key is treated as new.
    expect((await post({ text: 'reuse after expiry' }, key)).status).toBe(201);
    await database.tables
      .updateTable('idempotency_keys')
      .set({ expires_at: sql<Date>`now() - interval '1 second'` })
      .where('key', '=', key)
      .execute();
    const live = await database.tables
      .selectFrom('idempotency_keys')
      .select('key')
      .where('expires_at', '>', sql<Date>`now()`)
      .execute();
    const deleted = await pruneIdempotencyKeys(database.db, 2);
    expect(deleted).toBeGreaterThanOrEqual(1);
    const left = await database.tables.selectFrom('idempotency_keys').select('key').execute();
    expect(left.map((row) => row.key).sort()).toEqual(live.map((row) => row.key).sort());
    expect(left.some((row) => row.key === key)).toBe(false);
  });

  it('stores a keyed fingerprint, so a copy of the table does not reveal request bodies', async () => {
    const key = crypto.randomUUID();
    const body = { text: 'ID 110101199003074258' };
    await post(body, key);
    const row = await database.tables
      .selectFrom('idempotency_keys')
      .select('fingerprint')
      .where('key', '=', key)
      .executeTakeFirstOrThrow();
    const { fingerprintKey, fingerprintOf } = await import('../../src/platform/http/idempotency.ts');
    const { canonicalJson } = await import('../../src/platform/canonical-json.ts');
    const { createHash } = await import('node:crypto');
    const unkeyed = createHash('sha256')
      .update(`POST\n/api/v1/test-notes\n${canonicalJson(body)}`)
      .digest('hex');
    expect(row.fingerprint).not.toBe(unkeyed);
    expect(row.fingerprint).toBe(
      fingerprintOf(fingerprintKey(server.config.secrets.sessionKey), 'POST', '/api/v1/test-notes', body),
    );
  });

  it('a body of 20,000 nested arrays is refused (400 body_too_deep) before the fingerprint walks it', async () => {
    const before = await countNotes(database.db);
    const result = await http(server.baseUrl, 'POST', '/api/v1/test-notes', {
      rawBody: `{"text":${'['.repeat(20_000)}${']'.repeat(20_000)}}`,
      headers: { 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
    });
    expect(result.status).toBe(400);
    expect(result.json).toMatchObject({ code: 'body_too_deep' });
    expect(await countNotes(database.db)).toBe(before);
    const requestId = result.headers.get('x-request-id');
    expect(server.logs.some((line) => line.requestId === requestId && line.msg === 'unhandled error')).toBe(
      false,
    );
  });

  it('stores keys with the configured time to live', async () => {
    const key = crypto.randomUUID();
    await post({ text: 'ttl' }, key);
    const row = await sql<{ hours: string }>`
      SELECT round(extract(epoch FROM expires_at - created_at) / 3600) AS hours FROM idempotency_keys WHERE key = ${key}`.execute(
      database.db,
    );
    expect(Number(row.rows[0]?.hours)).toBe(48);
    expect(await countNotes(database.db)).toBeGreaterThan(0);
  });
});
