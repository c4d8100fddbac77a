import { readPermission, sensitivePermission } from '../iam/service.ts';
import type { ContextModule } from '../module.ts';
import { customerRoutes } from './routes.ts';

export const customersModule: ContextModule = {
  name: 'customers',
  routes: customerRoutes,
  permissions: {
    'customers:read': readPermission('Read customer profiles and cards, masked', [
      'risk_analyst',
      'approver',
      'operator',
      'collector',
    ]),
    'customers:unmask': sensitivePermission(
      'See full ID numbers, phones and card numbers (every view is audited)',
      ['approver'],
      true,
    ),
  },
};
