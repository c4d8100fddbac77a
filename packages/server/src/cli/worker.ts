import { openDatabase } from '../platform/database.ts';
import { platformJobs, startJobs } from '../platform/jobs.ts';
import type { Command } from './command.ts';
import { createLogger, loadConfigOrExit, type Stoppable, stopOnSignals } from './runtime.ts';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'Run background jobs',
  usage: 'fenqi worker',
  description:
    'Runs scheduled and queued background jobs (for now: pruning expired idempotency keys). Any number of workers may run at once.',
  options: {},
  run: async () => {
    const config = loadConfigOrExit();
    const logger = createLogger(config);
    const components: Stoppable[] = [];
    stopOnSignals(logger, components);
    const database = await openDatabase(config, logger, 'fenqi-worker');
    components.push({ name: 'database', stop: () => database.close() });
    const jobs = await startJobs(database.url, logger, platformJobs(database.db));
    components.push({ name: 'jobs', stop: () => jobs.stop() });
    return new Promise<number>(() => {});
  },
};
