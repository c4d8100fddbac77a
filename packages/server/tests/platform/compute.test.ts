import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ContextModule } from '../../src/modules/module.ts';
import { createComputePool } from '../../src/platform/compute/pool.ts';
import { AppError } from '../../src/platform/errors.ts';
import { computeRoute } from '../../src/platform/http/route.ts';
import { computeTasks, newFlag, release, started } from '../support/compute-tasks.ts';
import { http, useTestServer } from '../support/server.ts';

// Calculations run on worker threads: the event loop — and so /livez — answers while the worst
// one runs; the queue is bounded (503 compute_busy beyond it); a runaway is stopped and its worker
// replaced. Compute routes have their own, tighter rate limit. No test here waits for time to
// pass: a task ends when the test releases its shared flag.

const flag = newFlag();
const blockingModule: ContextModule = {
  name: 'test-compute',
  routes: [
    computeRoute({
      method: 'POST',
      url: '/api/v1/test-compute/block',
      permission: 'public',
      summary: 'A calculation that runs until the test releases it',
      tags: ['test'],
      rateLimit: false,
      schema: { response: { 200: z.object({ result: z.string() }) } },
      handler: async ({ compute }) => ({
        status: 200,
        body: { result: await compute.run<string>(computeTasks, 'block', { flag }) },
      }),
    }),
  ],
};

const { server } = useTestServer({
  modules: [blockingModule],
  env: { COMPUTE_RATE_LIMIT_MAX: '3', COMPUTE_WORKERS: '1', COMPUTE_QUEUE_MAX: '4' },
});

const pools: { close(): Promise<void> }[] = [];
afterAll(async () => {
  release(flag);
  for (const pool of pools) await pool.close();
});

describe('compute on worker threads', () => {
  it('/livez answers while a calculation holds the only worker', async () => {
    const running = http(server.baseUrl, 'POST', '/api/v1/test-compute/block');
    await started(flag);
    for (let probe = 0; probe < 20; probe++) {
      expect((await http(server.baseUrl, 'GET', '/livez')).status).toBe(200);
    }
    release(flag);
    expect((await running).json).toEqual({ result: 'released' });
  });

  it('refuses work beyond the queue with 503 compute_busy and Retry-After, and runs the rest', async () => {
    const pool = createComputePool({ workers: 1, queueMax: 1, taskTimeoutMs: 60_000 });
    pools.push(pool);
    const held = newFlag();
    const first = pool.run<string>(computeTasks, 'block', { flag: held });
    const queued = pool.run<number>(computeTasks, 'double', 21);
    const refused = await pool.run(computeTasks, 'double', 1).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(AppError);
    expect(refused).toMatchObject({ code: 'compute_busy', extensions: { retryAfterSeconds: 1 } });
    release(held);
    expect(await first).toBe('released');
    expect(await queued).toBe(42);
  });

  it('stops a task past its time limit and replaces its worker; the next task runs', async () => {
    const pool = createComputePool({ workers: 1, queueMax: 4, taskTimeoutMs: 100 });
    pools.push(pool);
    const stuck = await pool.run(computeTasks, 'block', { flag: newFlag() }).catch((error: unknown) => error);
    expect(stuck).toMatchObject({ code: 'compute_busy' });
    expect(await pool.run<number>(computeTasks, 'double', 4)).toBe(8);
  });

  it('a bug inside a task is an error of the caller’s, not a dead pool', async () => {
    const pool = createComputePool({ workers: 1, queueMax: 4, taskTimeoutMs: 60_000 });
    pools.push(pool);
    await expect(pool.run(computeTasks, 'fail', null)).rejects.toThrow('a bug inside a task');
    expect(await pool.run<number>(computeTasks, 'double', 5)).toBe(10);
  });
});

describe('compute routes', () => {
  it('have their own, tighter rate limit (COMPUTE_RATE_LIMIT_MAX), and other routes are not affected', async () => {
    const apr = () =>
      http(server.baseUrl, 'POST', '/api/v1/apr', { body: { received: '100.00', payments: ['110.00'] } });
    for (let i = 0; i < 3; i++) expect((await apr()).status).toBe(200);
    const limited = await apr();
    expect(limited.status).toBe(429);
    expect(limited.json).toMatchObject({ code: 'rate_limited' });
    expect((await http(server.baseUrl, 'GET', '/api/v1/business-date')).status).toBe(200);
  });
});
