import { readPermission } from '../iam/service.ts';
import type { ContextModule } from '../module.ts';
import { systemRoutes } from './routes.ts';

export const systemModule: ContextModule = {
  name: 'system',
  routes: systemRoutes,
  permissions: {
    'business-date:read': readPermission('Read the business date', [
      'risk_analyst',
      'approver',
      'operator',
      'collector',
      'finance',
    ]),
  },
};
