import { PgBoss } from 'pg-boss';
import { pruneIdempotencyKeys } from './http/idempotency.ts';
import type { Logger } from './logger.ts';
import type { Services } from './services.ts';

// Background jobs on pg-boss: a queue in PostgreSQL, so no extra infrastructure. Exactly-once
// effects come from our own idempotency, not from the queue; every job is safe to run twice.

export type JobRunner = {
  /** Queues one run of a job now, besides its schedule (operators, tests). */
  trigger(name: string): Promise<void>;
  stop(): Promise<void>;
};

/**
 * A recurring job: a pg-boss queue name, a cron schedule (in `timeZone`, default UTC) and an
 * idempotent body.
 */
export type JobDefinition = {
  name: string;
  cron: string;
  timeZone?: string;
  run: () => Promise<Record<string, unknown>>;
};

export function platformJobs(services: Services): JobDefinition[] {
  return [
    {
      name: 'prune-idempotency-keys',
      cron: '17 * * * *',
      run: async () => ({ deleted: await pruneIdempotencyKeys(services.db) }),
    },
  ];
}

export async function startJobs(
  connectionString: string,
  logger: Logger,
  jobs: JobDefinition[],
  options: { pollingIntervalSeconds?: number } = {},
): Promise<JobRunner> {
  const names = new Set<string>();
  for (const job of jobs) {
    if (names.has(job.name)) throw new Error(`two jobs are named ${job.name}`);
    names.add(job.name);
  }
  const boss = new PgBoss({ connectionString, schema: 'pgboss', application_name: 'fenqi-worker' });
  boss.on('error', (error) => logger.error({ err: error }, 'job queue error'));
  await boss.start();
  for (const job of jobs) {
    await boss.createQueue(job.name);
    await boss.schedule(job.name, job.cron, null, { tz: job.timeZone ?? 'UTC' });
    await boss.work(job.name, { pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2 }, async () => {
      const result = await job.run();
      logger.info({ job: job.name, ...result }, 'job completed');
      return result;
    });
  }
  logger.info({ jobs: jobs.map((job) => job.name) }, 'worker started');
  return {
    trigger: async (name) => {
      if (!names.has(name)) throw new Error(`unknown job ${name}`);
      await boss.send(name, {});
    },
    stop: () => boss.stop({ graceful: true, timeout: 20_000 }),
  };
}
