import { randomUUID } from 'node:crypto';
import { addDays, type LocalDate } from '@fenqi/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cobJobs } from '../../src/modules/cob/background.ts';
import { finishRun, runPartitions, workOnRun } from '../../src/modules/cob/service.ts';
import { openAccountConsumer } from '../../src/modules/servicing/service.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { deliverPendingTo, syncSubscriptions } from '../../src/platform/outbox/dispatcher.ts';
import { publishEvent } from '../../src/platform/outbox/publish.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { http, startTestServer, type TestServer, testKeys } from '../support/server.ts';
import { cloneLoans, type Portfolio, seedPortfolio } from './portfolio.ts';
import { closeRowCounts, spawnCob } from './support.ts';

// Close of business through the staff API and the worker's loop, over a book of 400 loans in
// partitions of 100: the refusals (a date that is not open, loans still without their servicing
// account), planning and resuming, two workers racing to finish, an account opened after
// planning (swept in the finishing transaction) and one that fell days behind (caught up).

const open = '2026-06-15' as LocalDate;
let database: TestDatabase;
let server: TestServer;
let book: Portfolio;

beforeAll(async () => {
  database = await createTestDatabase();
  book = await seedPortfolio(database.db, { open, loans: 400 });
  server = await startTestServer(database, { env: { COB_PARTITION_LOANS: '100' } });
});

afterAll(async () => {
  await server?.close();
  await database?.drop();
});

const post = (body: unknown, key = `cob-test-${randomUUID()}`) =>
  http(server.baseUrl, 'POST', '/api/v1/cob/runs', { body, headers: { 'idempotency-key': key } });

function notOpen(date: string, when: string) {
  return {
    type: 'https://fenqi.dev/problems/cob_date_not_open',
    title: 'Close of business runs only for the open business date',
    status: 409,
    code: 'cob_date_not_open',
    detail: `Close of business runs only for the open business date ${open}; ${date} ${when}.`,
    businessDate: open,
    date,
    instance: '/api/v1/cob/runs',
    requestId: expect.any(String),
  };
}

describe('close of business runs', () => {
  it('refuses a date other than the open business date with a problem, writing nothing', async () => {
    const before = await closeRowCounts(database.db);
    const yesterday = addDays(open, -1);
    const past = await post({ date: yesterday });
    expect(past.status).toBe(409);
    expect(past.json).toEqual(notOpen(yesterday, 'was closed already'));
    const tomorrow = addDays(open, 1);
    const future = await post({ date: tomorrow });
    expect(future.status).toBe(409);
    expect(future.json).toEqual(notOpen(tomorrow, 'is not open yet'));
    const cli = await spawnCob(database.url, ['--date', tomorrow]).exited;
    expect(cli.code).toBe(1);
    expect(cli.stderr).toBe(
      `fenqi cob: Close of business runs only for the open business date ${open}; ${tomorrow} is not open yet.\n`,
    );
    expect(await closeRowCounts(database.db)).toEqual(before);
  });

  it('answers 404 for a date no run was started for', async () => {
    const response = await http(server.baseUrl, 'GET', `/api/v1/cob/runs/${open}`);
    expect(response.status).toBe(404);
    expect(response.json).toEqual({
      type: 'https://fenqi.dev/problems/cob_run_not_found',
      title: 'There is no close-of-business run for this date',
      status: 404,
      code: 'cob_run_not_found',
      detail: `No close-of-business run was started for ${open}.`,
      date: open,
      instance: `/api/v1/cob/runs/${open}`,
      requestId: expect.any(String),
    });
  });

  it('plans nothing while a disbursed loan cannot get its servicing account', async () => {
    await syncSubscriptions(database.db, [openAccountConsumer], false);
    const loanId = randomUUID();
    await database.db
      .transaction()
      .execute((trx) => publishEvent(trx, { type: 'loans.loan-disbursed', payload: { loanId } }));
    const before = await closeRowCounts(database.db);
    const refused = await post({ date: open });
    expect(refused.status).toBe(409);
    expect(refused.json).toEqual({
      type: 'https://fenqi.dev/problems/cob_accounts_pending',
      title: 'Disbursed loans are still waiting for their servicing accounts',
      status: 409,
      code: 'cob_accounts_pending',
      detail:
        '1 disbursed loan(s) could not get their servicing account (delivery of loans.loan-disbursed to servicing.open-account failed); see GET /api/v1/events/deliveries, then start close of business again.',
      failed: 1,
      instance: '/api/v1/cob/runs',
      requestId: expect.any(String),
    });
    expect(await closeRowCounts(database.db)).toEqual(before);
    // An operator gives up on the delivery (the loan does not exist), and the day can be closed.
    await sql`UPDATE outbox_deliveries SET state = 'dead' WHERE consumer = 'module:servicing.open-account'`.execute(
      database.db,
    );
  });

  it('plans the run once: the first start answers 201, a second one resumes it with 200', async () => {
    const first = await post({ date: open }, 'cob-start');
    expect(first.status).toBe(201);
    const planned = {
      businessDate: open,
      status: 'running',
      partitions: { done: 0, total: 4 },
      loans: { done: 0, total: 400 },
      startedAt: expect.any(String),
      finishedAt: null,
      elapsedMs: expect.any(Number),
      loansPerSecond: null,
      etaSeconds: null,
      summary: null,
    };
    expect(first.json).toEqual(planned);
    const replay = await post({ date: open }, 'cob-start');
    expect(replay.status).toBe(201);
    expect(replay.json).toEqual(first.json);
    const again = await post({ date: open });
    expect(again.status).toBe(200);
    expect(again.json).toEqual({ ...planned, startedAt: (first.json as { startedAt: string }).startedAt });
    const runs = await sql<{ n: number }>`SELECT count(*)::int AS n FROM cob_runs`.execute(database.db);
    expect(runs.rows[0]?.n).toBe(1);
  });

  it('two workers close it and one finishes, sweeping an account opened since planning and catching up one days behind', async () => {
    const template = book.templates[0];
    if (template === undefined) throw new Error('no template');
    // Opened after planning, two days behind: its partition closes the day before yesterday,
    // yesterday and today.
    const [behind] = await cloneLoans(database.db, [{ template: template.loanId, count: 1 }]);
    await sql`UPDATE servicing_accounts SET closed_through = ${addDays(open, -3)} WHERE loan_id = ${behind}`.execute(
      database.db,
    );
    const [w1, w2] = await Promise.all([
      runPartitions(database.db, { date: open, worker: 'w1' }),
      runPartitions(database.db, { date: open, worker: 'w2' }),
    ]);
    expect((w1?.partitions ?? 0) + (w2?.partitions ?? 0)).toBe(4);
    expect((w1?.loans ?? 0) + (w2?.loans ?? 0)).toBe(403);
    // Opened once every partition was done (not yet closed for today, like a loan disbursed today):
    // only the finishing transaction's sweep reaches it.
    const [late] = await cloneLoans(database.db, [{ template: template.loanId, count: 1 }]);
    await sql`UPDATE servicing_accounts SET closed_through = ${addDays(open, -1)} WHERE loan_id = ${late}`.execute(
      database.db,
    );
    const finishes = await Promise.all([finishRun(database.db, open), finishRun(database.db, open)]);
    expect(finishes.map((f) => f.outcome).sort()).toEqual(['already_finished', 'finished']);
    const status = await sql<{ status: string; business_date: string }>`
      SELECT r.status, b.business_date::text FROM cob_runs r CROSS JOIN business_date b`.execute(database.db);
    expect(status.rows).toEqual([{ status: 'done', business_date: addDays(open, 1) }]);
    const history = await sql<{ business_date: string }>`
      SELECT business_date::text FROM business_date_history`.execute(database.db);
    expect(history.rows).toEqual([{ business_date: open }]);
    const services = { config: server.config, db: database.db, logger: createLogger({ logLevel: 'silent' }) };
    expect(await workOnRun(services, 'w3')).toBe(0);
    const lateClosed = await sql<{ loan_id: string; closed_through: string }>`
      SELECT loan_id::text, closed_through::text FROM servicing_accounts WHERE loan_id IN (${behind}, ${late})
      ORDER BY loan_id`.execute(database.db);
    expect(lateClosed.rows.map((row) => row.closed_through)).toEqual([open, open]);

    const progress = await http(server.baseUrl, 'GET', `/api/v1/cob/runs/${open}`);
    expect(progress.status).toBe(200);
    const body = progress.json as { summary: Record<string, unknown> } & Record<string, unknown>;
    expect(body).toMatchObject({
      status: 'done',
      partitions: { done: 4, total: 4 },
      loans: { done: 400, total: 400 },
      etaSeconds: 0,
    });
    // 400 planned, the account behind for its three days, the swept one for today.
    expect(body.summary).toMatchObject({
      date: open,
      nextBusinessDate: addDays(open, 1),
      loans: 404,
      partitions: 4,
    });
    const closed = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM servicing_accounts
      WHERE status IN ('active', 'overdue') AND closed_through <> ${open}`.execute(database.db);
    expect(closed.rows[0]?.n).toBe(0);

    const list = await http(server.baseUrl, 'GET', '/api/v1/cob/runs?limit=5');
    expect(list.status).toBe(200);
    expect(list.json).toEqual({
      runs: [
        {
          businessDate: open,
          status: 'done',
          partitions: 4,
          loans: 400,
          startedBy: 'anonymous:anonymous',
          startedAt: expect.any(String),
          finishedAt: expect.any(String),
          summary: body.summary,
        },
      ],
      next: null,
    });
  });

  it('the scheduled job (COB_CRON, in the business time zone) starts the run for the open business date', async () => {
    const config = loadConfig({
      DATABASE_URL: database.url,
      COB_PARTITION_LOANS: '100',
      COB_CRON: '30 23 * * *',
      ...testKeys,
    });
    const services = { config, db: database.db, logger: createLogger({ logLevel: 'silent' }) };
    expect(cobJobs({ ...services, config: server.config })).toEqual([]);
    const [job, ...others] = cobJobs(services);
    expect(others).toEqual([]);
    expect(job).toMatchObject({ name: 'cob-start', cron: '30 23 * * *', timeZone: 'Asia/Shanghai' });
    const next = addDays(open, 1);
    const openAccounts = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM servicing_accounts WHERE status IN ('active', 'overdue')`.execute(
      database.db,
    );
    const loans = openAccounts.rows[0]?.n ?? 0;
    expect(await job?.run()).toEqual({
      date: next,
      created: true,
      partitions: Math.ceil(loans / 100),
      loans,
    });
    expect(await job?.run()).toEqual({
      date: next,
      created: false,
      partitions: Math.ceil(loans / 100),
      loans,
    });
  });
});

describe('COB_CRON', () => {
  it('must be a five-field cron expression', () => {
    expect(() => loadConfig({ COB_CRON: 'every evening', ...testKeys })).toThrow(
      'COB_CRON: must be a cron expression of five fields (minute hour day month weekday), such as 30 23 * * * (got "every evening")',
    );
  });
});

describe('deliverPendingTo (what close of business runs for servicing.open-account)', () => {
  it('delivers every pending delivery of one consumer now, backing-off ones too, and counts those that fail', async () => {
    const seen: string[] = [];
    const consumer = {
      name: 'cob-test.fake',
      events: ['cob-test.happened'],
      async handle(_trx: unknown, event: { data: Record<string, unknown> }) {
        if (event.data.fail === true) throw new Error('refused');
        seen.push(String(event.data.n));
      },
    };
    await syncSubscriptions(database.db, [consumer], false);
    await database.db.transaction().execute(async (trx) => {
      for (const n of [1, 2]) await publishEvent(trx, { type: 'cob-test.happened', payload: { n } });
      await publishEvent(trx, { type: 'cob-test.happened', payload: { n: 3, fail: true } });
    });
    // One of them is backing off after an earlier failure: delivered now all the same.
    await sql`
      UPDATE outbox_deliveries SET next_attempt_at = now() + interval '1 hour', attempts = 1
      WHERE consumer = 'module:cob-test.fake' AND event_row = (
        SELECT min(event_row) FROM outbox_deliveries WHERE consumer = 'module:cob-test.fake')`.execute(
      database.db,
    );
    const services = { config: server.config, db: database.db, logger: createLogger({ logLevel: 'silent' }) };
    expect(await deliverPendingTo(services, consumer)).toEqual({ delivered: 2, failed: 1 });
    expect(seen).toEqual(['1', '2']);
    const states = await sql<{ state: string; attempts: number }>`
      SELECT state, attempts FROM outbox_deliveries WHERE consumer = 'module:cob-test.fake' ORDER BY event_row`.execute(
      database.db,
    );
    expect(states.rows).toEqual([
      { state: 'delivered', attempts: 2 },
      { state: 'delivered', attempts: 1 },
      { state: 'pending', attempts: 1 },
    ]);
    expect(await deliverPendingTo(services, consumer)).toEqual({ delivered: 0, failed: 1 });
  });
});
