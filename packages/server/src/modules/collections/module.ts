import { getBusinessDate } from '../../platform/business-date.ts';
import { wallClock } from '../../platform/services.ts';
import { readPermission, sensitivePermission, writePermission } from '../iam/service.ts';
import type { ContextModule } from '../module.ts';
import { breakLapsedPromises } from './cases.ts';
import { collectionsConsumers } from './consumers.ts';
import { sendDueReminders } from './reminders.ts';
import { collectionsRoutes } from './routes.ts';
import { waiverApprovals } from './waivers.ts';

export const collectionsModule: ContextModule = {
  name: 'collections',
  routes: collectionsRoutes,
  permissions: {
    'collections:read': readPermission('Read collections cases, their contact log, strategies and agencies', [
      'collector',
      'operator',
      'finance',
    ]),
    'collections:work': writePermission(
      'Work collections cases: contact attempts, promises to pay, contact targets',
      ['collector'],
    ),
    'collections:manage': writePermission('Manage collections strategies, queues, agencies and assignment', [
      'operator',
    ]),
    'collections:waive-request': writePermission('Ask for a waiver of penalty, fee or interest (maker)', [
      'collector',
    ]),
    // Waivers forgive money owed: four eyes and a second factor, by tier of the amount.
    'collections:waive-approve': sensitivePermission('Approve a waiver up to 500 CNY (team lead)', [
      'approver',
    ]),
    'collections:waive-approve-finance': sensitivePermission('Approve a waiver up to 5,000 CNY', ['finance']),
    'collections:waive-approve-senior': sensitivePermission('Approve a waiver above 5,000 CNY (senior)', []),
  },
  approvalActions: waiverApprovals,
  consumers: collectionsConsumers,
  jobs: (services) => [
    {
      // The strategies' SMS reminders, in the day (the conduct rules refuse the night anyway).
      name: 'collections-reminders',
      cron: '5 10 * * *',
      timeZone: 'Asia/Shanghai',
      run: async () => sendDueReminders(services, wallClock(services)),
    },
    {
      // A promise dated D is broken once D is closed unpaid; checked hourly for the open date.
      name: 'collections-broken-promises',
      cron: '23 * * * *',
      run: async () =>
        services.db.transaction().execute(async (trx) => ({
          broken: await breakLapsedPromises(trx, await getBusinessDate(trx)),
        })),
    },
  ],
};
