import type { DB } from '../platform/db.ts';
import { type JobDefinition, platformJobs } from '../platform/jobs.ts';
import { pruneExpiredCredentials } from './iam/housekeeping.ts';
import { ledgerJobs } from './ledger/service.ts';

/** Every recurring job the worker runs: the platform's and each module's. */
export function allJobs(db: DB): JobDefinition[] {
  return [
    ...platformJobs(db),
    ...ledgerJobs(db),
    {
      name: 'prune-expired-credentials',
      cron: '23 * * * *',
      run: async () => ({ ...(await pruneExpiredCredentials(db)) }),
    },
  ];
}
