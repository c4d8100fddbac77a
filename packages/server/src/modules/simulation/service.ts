import { parseLocalDate } from '@fenqi/core';
import { sql } from 'kysely';
import { getBusinessDate, setInitialBusinessDate } from '../../platform/business-date.ts';
import { createComputePool } from '../../platform/compute/pool.ts';
import type { DB } from '../../platform/db.ts';
import { syncSubscriptions } from '../../platform/outbox/dispatcher.ts';
import type { EventConsumer } from '../../platform/outbox/event.ts';
import { listDeliveries } from '../../platform/outbox/operations.ts';
import type { Services } from '../../platform/services.ts';
import type { ApprovalRegistry, PermissionRegistry } from '../iam/service.ts';
import { foldLedgerBalances } from '../ledger/service.ts';
import { contractRenderer } from '../loans/service.ts';
import { type Progress, SimulatedBusiness, type SimulationOptions, stageTimes, timed } from './business.ts';
import type { ChannelWorld, SimulationContext } from './context.ts';
import { borrowersMax } from './profiles.ts';
import * as store from './store.ts';
import { type SimulationResult, summarize } from './summary.ts';
import { seedWorld } from './world.ts';

// The simulation's public service (docs/simulation.md): runSimulation seeds a lender on a fresh
// database and runs its business day by day through the real services; simulationStatus says what
// a database holds — nothing, a completed simulation (whose summary `fenqi demo` shows again), one
// running now in another process, or one that was interrupted.

export type { Progress, SimulationOptions } from './business.ts';
export { channelWorld } from './channel-world.ts';
export type { ChannelWorld } from './context.ts';
export { borrowersMax } from './profiles.ts';
export { invariantsHold, type SimulationResult, type SimulationSummary } from './summary.ts';

export const simulationDefaults = {
  seed: 20251201,
  months: 12,
  borrowers: 60,
  startDate: '2025-12-01',
  concurrency: 8,
} as const satisfies SimulationOptions;

/** Held for as long as a simulation runs: a second process can tell "running" from "interrupted". */
const runLockKey = 'fenqi:simulation';

export type SimulationStatus =
  | { state: 'none' }
  | { state: 'running' | 'interrupted' | 'failed'; run: store.RunRow }
  | { state: 'completed'; run: store.RunRow; result: SimulationResult };

export async function simulationStatus(db: DB): Promise<SimulationStatus> {
  const run = await store.findRun(db);
  if (run === undefined) return { state: 'none' };
  if (run.status === 'completed')
    return { state: 'completed', run, result: run.summary as unknown as SimulationResult };
  if (run.status === 'failed') return { state: 'failed', run };
  const free = await db.connection().execute(async (connection) => {
    const locked = await sql<{
      ok: boolean;
    }>`SELECT pg_try_advisory_lock(hashtext(${runLockKey})) AS ok`.execute(connection);
    if (locked.rows[0]?.ok === true)
      await sql`SELECT pg_advisory_unlock(hashtext(${runLockKey}))`.execute(connection);
    return locked.rows[0]?.ok === true;
  });
  return { state: free ? 'interrupted' : 'running', run };
}

export class SimulationRefused extends Error {}

export type SimulationInput = {
  services: Services;
  approvals: ApprovalRegistry;
  permissions: PermissionRegistry;
  consumers: ReadonlyMap<string, EventConsumer>;
  channel: ChannelWorld;
  options: SimulationOptions;
  onProgress?: (progress: Progress & { stage: string }) => void;
  /** Time each stage and consumer (seconds, summed over concurrent work): for tuning. */
  profile?: boolean;
};

export type SimulationRun = SimulationResult & {
  /** Credentials of the staff users the simulation created: shown once, stored nowhere in clear. */
  staff: SimulationContext['created'];
  stages?: Record<string, number>;
};

export function checkOptions(options: SimulationOptions): string[] {
  const problems: string[] = [];
  if (!Number.isInteger(options.seed) || options.seed < 0 || options.seed > 4_294_967_295)
    problems.push('--seed must be a whole number from 0 to 4294967295');
  if (!Number.isInteger(options.months) || options.months < 1 || options.months > 60)
    problems.push('--months must be 1 to 60');
  if (!Number.isInteger(options.borrowers) || options.borrowers < 1 || options.borrowers > borrowersMax)
    problems.push(`--borrowers must be 1 to ${borrowersMax}`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(options.startDate) || parseLocalDate(options.startDate) === undefined)
    problems.push('--start must be a date YYYY-MM-DD');
  return problems;
}

/**
 * Seeds the lender and simulates its business. Refused (SimulationRefused) when the database
 * already holds a simulation, or has closed a day before (the simulation sets the first
 * business date, which only a database that never closed a day allows).
 */
export async function runSimulation(input: SimulationInput): Promise<SimulationRun> {
  const { services, options } = input;
  const { db } = services;
  const problems = checkOptions(options);
  if (problems.length > 0) throw new SimulationRefused(problems.join('; '));
  return db.connection().execute(async (connection) => {
    const locked = await sql<{
      ok: boolean;
    }>`SELECT pg_try_advisory_lock(hashtext(${runLockKey})) AS ok`.execute(connection);
    if (locked.rows[0]?.ok !== true)
      throw new SimulationRefused('a simulation is running on this database now');
    try {
      return await simulate(input);
    } finally {
      await sql`SELECT pg_advisory_unlock(hashtext(${runLockKey}))`.execute(connection);
    }
  });
}

async function simulate(input: SimulationInput): Promise<SimulationRun> {
  const { services, options } = input;
  const { db } = services;
  const started = performance.now();
  const existing = await store.findRun(db);
  if (existing !== undefined)
    throw new SimulationRefused(
      existing.status === 'completed'
        ? `this database already holds a simulation (seed ${existing.seed}, ${existing.months} months, completed ${existing.finishedAt?.toISOString()})`
        : `this database holds a simulation that was ${existing.status === 'failed' ? 'stopped by an error' : 'interrupted'} (${JSON.stringify(existing.progress)}); its data is incomplete: reset the database (docs/simulation.md)`,
    );
  const set = await db.transaction().execute((trx) => setInitialBusinessDate(trx, options.startDate));
  if (!set.ok) throw new SimulationRefused(`the simulation starts on a fresh database: ${set.reason}`);
  if (!(await store.insertRun(db, options)))
    throw new SimulationRefused('another simulation started meanwhile');
  const context: SimulationContext = {
    services: { ...services, clock: () => business?.now ?? new Date(`${options.startDate}T02:00:00.000Z`) },
    config: services.config,
    db,
    approvals: input.approvals,
    permissions: input.permissions,
    consumers: input.profile
      ? new Map(
          [...input.consumers].map(([name, consumer]) => [
            name,
            {
              ...consumer,
              handle: (trx, event, s) => timed(`c.${name}`, () => consumer.handle(trx, event, s)),
            },
          ]),
        )
      : input.consumers,
    channel: input.channel,
    seed: options.seed,
    staff: new Map(),
    created: [],
  };
  let business: SimulatedBusiness | undefined;
  stageTimes.clear();
  const compute = createComputePool({ workers: 2, queueMax: 1024, taskTimeoutMs: 60_000 });
  try {
    // Events published from now on reach this build's consumers (a worker does this at start).
    await syncSubscriptions(db, [...input.consumers.values()], false);
    input.onProgress?.({
      stage: 'seeding',
      day: 0,
      days: 0,
      date: options.startDate,
      borrowers: 0,
      loans: 0,
    });
    const world = await seedWorld(context);
    const seeded = performance.now();
    // Contracts are drawn on worker threads, as the checkout route has them drawn (loans' contract
    // renderer): the borrowers' other steps go on meanwhile.
    const renderer = contractRenderer(compute);
    business = new SimulatedBusiness(context, world, options, (data) =>
      timed('b.render', () => renderer(data)),
    );
    const current = business;
    let lastMonth = options.startDate.slice(0, 7);
    await current.run(async (progress) => {
      input.onProgress?.({ stage: 'simulating', ...progress });
      const month = (await getBusinessDate(db)).slice(0, 7);
      if (month !== lastMonth) {
        lastMonth = month;
        await assertNoDeadDeliveries(db);
        // What a worker's ledger-fold job does every minute: balance reads stay quick.
        await foldLedgerBalances(db);
      }
      if (progress.day % 7 === 0 || progress.day === progress.days)
        await store.updateProgress(db, { stage: 'simulating', ...progress });
    });
    await current.finish();
    await assertNoDeadDeliveries(db);
    const simulated = performance.now();
    input.onProgress?.({
      stage: 'checking',
      day: current.days,
      days: current.days,
      date: await getBusinessDate(db),
      borrowers: current.activity.borrowersArrived,
      loans: current.loans.size,
    });
    await foldLedgerBalances(db);
    const summary = await summarize(db, {
      seed: options.seed,
      months: options.months,
      borrowers: options.borrowers,
      startDate: options.startDate,
      days: current.days,
      activity: current.activity,
      tryBorrower: await current.borrowerToTry(),
    });
    const finished = performance.now();
    const result: SimulationResult = {
      summary,
      timing: {
        elapsedSeconds: round1((finished - started) / 1000),
        seedSeconds: round1((seeded - started) / 1000),
        daysSeconds: round1((simulated - seeded) / 1000),
        checksSeconds: round1((finished - simulated) / 1000),
      },
    };
    await store.finishRun(db, { status: 'completed', summary: result as unknown as Record<string, unknown> });
    const stages = input.profile
      ? Object.fromEntries(
          [...stageTimes].sort(([, a], [, b]) => b - a).map(([k, ms]) => [k, round1(ms / 1000)]),
        )
      : undefined;
    return { ...result, staff: context.created, ...(stages === undefined ? {} : { stages }) };
  } catch (error) {
    await store
      .finishRun(db, {
        status: 'failed',
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      })
      .catch(() => {});
    throw error;
  } finally {
    await compute.close();
  }
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** A consumer that failed every retry is a bug the run must not hide: the data would be wrong. */
async function assertNoDeadDeliveries(db: DB): Promise<void> {
  const dead = await listDeliveries(db, { state: 'dead', limit: 5 });
  if (dead.length > 0)
    throw new Error(
      `event deliveries failed for good: ${dead.map((d) => `${d.consumer} ${d.eventType} (${d.lastError})`).join('; ')}`,
    );
}
