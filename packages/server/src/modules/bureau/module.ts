import { readPermission, sensitivePermission } from '../iam/service.ts';
import type { ContextModule } from '../module.ts';
import { bureauJobs } from './background.ts';
import { reportEventsConsumer } from './consumers.ts';
import { noticeDeliveredConsumer } from './notices.ts';
import { bureauRoutes } from './routes.ts';

export const bureauModule: ContextModule = {
  name: 'bureau',
  routes: bureauRoutes,
  permissions: {
    'bureau:read': readPermission(
      'Read credit-bureau records (without the borrowers’ identity), their validation and loans’ grids',
      ['operator', 'finance'],
    ),
    // The file names every borrower with their ID number: a second factor, as any unmasking.
    'bureau:submit': sensitivePermission(
      'Generate credit-bureau records, make and read submission files, import feedback and correct records',
      ['finance'],
    ),
  },
  jobs: bureauJobs,
  consumers: [reportEventsConsumer, noticeDeliveredConsumer],
};
