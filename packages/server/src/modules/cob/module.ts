import { readPermission, writePermission } from '../iam/service.ts';
import type { ContextModule } from '../module.ts';
import { cobJobs, cobLoops } from './background.ts';
import { cobRoutes } from './routes.ts';

export const cobModule: ContextModule = {
  name: 'cob',
  routes: cobRoutes,
  permissions: {
    'cob:read': readPermission('Read close-of-business runs, their progress and summaries', [
      'operator',
      'finance',
    ]),
    'cob:run': writePermission('Start or resume close of business for the open business date', ['operator']),
  },
  jobs: cobJobs,
  loops: cobLoops,
};
