import { hostname } from 'node:os';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { JobDefinition } from '../../platform/jobs.ts';
import type { LoopDefinition } from '../../platform/notified-loop.ts';
import type { Services } from '../../platform/services.ts';
import { finishRun, runningRun, runPartitions, startRun } from './runs.ts';
import { cobChannel } from './store.ts';

// What `fenqi worker` does for close of business: while a run is in progress it claims and closes
// partitions with the others, and the worker that finds the last one done finishes the run; with
// COB_CRON set, a scheduled job starts the run for the open business date at the cut-off.

/** How often an idle worker looks for a run (a new run also wakes it by NOTIFY at once). */
const cobPollMs = 2000;

/** One pass: close what can be claimed of the run in progress, then try to finish it. */
export async function workOnRun(services: Services, worker: string): Promise<number> {
  const run = await runningRun(services.db);
  if (run === undefined) return 0;
  const closed = await runPartitions(services.db, { date: run.businessDate, worker });
  for (const failure of closed.failed)
    services.logger.error(
      { cob: run.businessDate, partition: failure.number, error: failure.error },
      `close of business ${run.businessDate}: partition ${failure.number} failed; it stays pending`,
    );
  const finished = await finishRun(services.db, run.businessDate);
  if (finished.outcome === 'finished')
    services.logger.info({ cob: finished.run.summary }, `close of business ${run.businessDate} finished`);
  return closed.partitions + (finished.outcome === 'finished' ? 1 : 0);
}

export function cobLoops(services: Services): LoopDefinition[] {
  const worker = `worker:${hostname()}:${process.pid}`;
  return [
    {
      name: 'cob-partitions',
      channel: cobChannel,
      pollMs: cobPollMs,
      pass: () => workOnRun(services, worker),
    },
  ];
}

export function cobJobs(services: Services): JobDefinition[] {
  const cron = services.config.cob.cron;
  if (cron === undefined) return [];
  return [
    {
      name: 'cob-start',
      cron,
      timeZone: services.config.businessTimeZone,
      run: async () => {
        const date = await getBusinessDate(services.db);
        const { run, created } = await startRun(services, { date, startedBy: 'schedule' });
        return { date, created, partitions: run.partitions, loans: run.loans };
      },
    },
  ];
}
