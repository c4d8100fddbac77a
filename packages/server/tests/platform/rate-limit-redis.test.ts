import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { http, startTestServer, type TestServer } from '../support/server.ts';

// With REDIS_URL set, rate-limit counters live in Redis and are shared by every API process.
// The machine's Redis (127.0.0.1:6379, or REDIS_URL) must be running for this file.

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `fenqi-test-${randomBytes(4).toString('hex')}:`;
let database: TestDatabase;
let first: TestServer;
let second: TestServer;

beforeAll(async () => {
  database = await createTestDatabase();
  const env = { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix, RATE_LIMIT_MAX: '4' };
  first = await startTestServer(database, { env });
  second = await startTestServer(database, { env });
});

afterAll(async () => {
  await first?.close();
  await second?.close();
  await database?.drop();
  const redis = new Redis(redisUrl);
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

describe('rate limit with REDIS_URL', () => {
  it('counts requests across API processes: the limit holds for both together', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await http(first.baseUrl, 'GET', '/api/v1/business-date')).status);
    for (let i = 0; i < 3; i++)
      statuses.push((await http(second.baseUrl, 'GET', '/api/v1/business-date')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    const redis = new Redis(redisUrl);
    const keys = await redis.keys(`${prefix}rate-limit:*`);
    redis.disconnect();
    expect(keys.length).toBe(1);
  });
});
