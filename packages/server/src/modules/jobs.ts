import type { DB } from '../platform/db.ts';
import { type JobDefinition, platformJobs } from '../platform/jobs.ts';
import type { Logger } from '../platform/logger.ts';
import { pruneExpiredCredentials } from './iam/housekeeping.ts';
import { ledgerJobs } from './ledger/service.ts';

/** Every recurring job the worker runs: the platform's and each module's. */
export function allJobs(db: DB, logger: Logger): JobDefinition[] {
  return [
    ...platformJobs(db),
    ...ledgerJobs(db, logger),
    {
      name: 'prune-expired-credentials',
      cron: '23 * * * *',
      run: async () => ({ ...(await pruneExpiredCredentials(db)) }),
    },
  ];
}
