import { allJobs } from '../modules/jobs.ts';
import { openDatabase } from '../platform/database.ts';
import { startJobs } from '../platform/jobs.ts';
import type { Command } from './command.ts';
import { createLogger, loadConfigOrExit, type Stoppable, stopOnSignals } from './runtime.ts';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'Run background jobs',
  usage: 'fenqi worker',
  description:
    'Runs scheduled background jobs (pruning expired idempotency keys and credentials; close of business when it lands).\nAny number of workers may run at once: each run of a job is claimed by one of them.',
  options: {},
  run: async () => {
    const config = loadConfigOrExit();
    const logger = createLogger(config);
    const components: Stoppable[] = [];
    stopOnSignals(logger, components);
    const database = await openDatabase(config, logger, 'fenqi-worker');
    components.push({ name: 'database', stop: () => database.close() });
    const jobs = await startJobs(database.url, logger, allJobs(database.db, logger));
    components.push({ name: 'jobs', stop: () => jobs.stop() });
    return new Promise<number>(() => {});
  },
};
