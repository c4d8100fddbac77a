import { application } from '../modules/index.ts';
import { openDatabase } from '../platform/database.ts';
import type { Command } from './command.ts';
import { createLogger, loadConfigOrExit, type Stoppable, stopOnSignals } from './runtime.ts';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'Run background jobs',
  usage: 'fenqi worker',
  description:
    'Runs scheduled background jobs (pruning expired idempotency keys and credentials, ledger folds and verification, reconciliation; the start of close of business when COB_CRON is set), the outbox dispatcher, the payment submit and query loops, and the partitions of a close-of-business run in progress (docs/cob.md).\nAny number of workers may run at once: each run of a job is claimed by one of them.',
  options: {},
  run: async () => {
    const config = loadConfigOrExit();
    const logger = createLogger(config);
    const components: Stoppable[] = [];
    stopOnSignals(logger, components);
    const database = await openDatabase(config, logger, 'fenqi-worker');
    components.push({ name: 'database', stop: () => database.close() });
    const services = { config, db: database.db, logger };
    components.push(...(await application.startBackground(services, database.url)));
    return new Promise<number>(() => {});
  },
};
