import { application } from '../modules/index.ts';
import { openDatabase } from '../platform/database.ts';
import { startJobs } from '../platform/jobs.ts';
import { runOutbox } from '../platform/outbox/run.ts';
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
    const services = { config, db: database.db, logger };
    const jobs = await startJobs(database.url, logger, application.jobs(services));
    components.push({ name: 'jobs', stop: () => jobs.stop() });
    const outbox = await runOutbox(services, database.url, application.consumers);
    components.push({ name: 'outbox', stop: () => outbox.stop() });
    return new Promise<number>(() => {});
  },
};
