import { getBusinessDate } from '../../platform/business-date.ts';
import type { JobDefinition } from '../../platform/jobs.ts';
import { type Services, wallClock } from '../../platform/services.ts';
import { runGeneration } from './generation.ts';
import { purgeExpiredRecords } from './submissions.ts';

// The bureau's daily work in `fenqi worker`: the T+1 generation for the open business date each
// morning (after the night's close of business), and the retention housekeeping.

export function bureauJobs(services: Services): JobDefinition[] {
  return [
    {
      name: 'bureau-generation',
      cron: '30 6 * * *',
      timeZone: services.config.businessTimeZone,
      run: async () => ({ ...(await runGeneration(services, { now: wallClock(services) })) }),
    },
    {
      name: 'bureau-retention',
      cron: '45 3 * * *',
      timeZone: services.config.businessTimeZone,
      run: async () => {
        const today = await getBusinessDate(services.db);
        const deleted = await services.db.transaction().execute((trx) => purgeExpiredRecords(trx, today));
        return { deleted };
      },
    },
  ];
}
