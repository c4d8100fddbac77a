import { readPermission, sensitivePermission, writePermission } from '../iam/service.ts';
import type { ContextModule } from '../module.ts';
import { limitAdjustmentApproval } from './limit-adjustments.ts';
import { creditRoutes } from './routes.ts';

export const creditModule: ContextModule = {
  name: 'credit',
  routes: creditRoutes,
  permissions: {
    'credit:read': readPermission('Read customers’ credit lines, their exposure and history', [
      'risk_analyst',
      'approver',
      'operator',
      'collector',
      'finance',
    ]),
    'credit:manage': writePermission('Freeze, unfreeze and close credit lines', [
      'risk_analyst',
      'approver',
      'operator',
    ]),
    'credit:adjust': writePermission('Ask for a credit line limit adjustment (maker)', ['risk_analyst']),
    // A higher limit is more money that can be lent: the checker signs in with a second factor.
    'credit:approve': sensitivePermission('Approve a credit line limit adjustment (checker)', ['approver']),
  },
  approvalActions: [limitAdjustmentApproval],
};
