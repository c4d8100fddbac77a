import { readPermission, sensitivePermission, writePermission } from '../iam/service.ts';
import type { ContextModule } from '../module.ts';
import { publishProductApproval } from './publishing.ts';
import { productRoutes } from './routes.ts';

export const productsModule: ContextModule = {
  name: 'products',
  routes: productRoutes,
  permissions: {
    'products:read': readPermission('Read loan product versions and preview their schedules and rates', [
      'risk_analyst',
      'approver',
      'operator',
      'finance',
    ]),
    'products:author': writePermission(
      'Write product drafts; ask for a version to be published, or withdraw the request (maker)',
      ['operator'],
    ),
    // What the platform lends at and on which terms: the checker signs in with a second factor.
    'products:publish': sensitivePermission(
      'Approve publishing a product version (checker); retire the published version',
      ['approver'],
    ),
  },
  approvalActions: [publishProductApproval],
};
