import type { Config } from '../../platform/config.ts';
import type { DB } from '../../platform/db.ts';
import type { AccessControl } from '../../platform/http/register.ts';
import type { ContextModule } from '../module.ts';
import { createIamAccessControl, unknownPermissions } from './access.ts';
import { iamApprovalActions } from './actions.ts';
import { type ApprovalRegistry, createApprovalRegistry } from './approvals.ts';
import { pruneExpiredCredentials } from './housekeeping.ts';
import {
  createPermissionRegistry,
  type PermissionRegistry,
  readPermission,
  sensitivePermission,
  writePermission,
} from './permissions.ts';
import { adminRoutes } from './routes/admin.ts';
import { approvalRoutes } from './routes/approvals.ts';
import { auditRoutes } from './routes/audit.ts';
import { borrowerAuthRoutes } from './routes/borrower-auth.ts';
import { partnerRoutes } from './routes/partner.ts';
import { staffAuthRoutes } from './routes/staff-auth.ts';

// IAM as a module. It owns the permission and approval registries, so it is composed last, from
// the other modules' declarations: every permission a route or action names must be declared by
// some module, and start-up fails otherwise.

export const iamPermissions = {
  'audit:read': readPermission('Read and verify the audit log'),
  'approvals:read': readPermission('Read maker-checker approval requests', [
    'risk_analyst',
    'approver',
    'operator',
    'finance',
  ]),
  'approvals:decide': writePermission(
    'Approve or reject requests, for actions whose checker permission the user holds',
    ['risk_analyst', 'approver', 'finance'],
  ),
  'iam:read': readPermission('Read staff users, roles, permissions and API clients'),
  'iam:users-manage': writePermission('Create and disable staff users'),
  'iam:roles-request': sensitivePermission('Request role assignments and custom role definitions (maker)'),
  'iam:roles-approve': sensitivePermission('Approve or reject role changes (checker)'),
  'api-clients:manage': sensitivePermission('Issue and revoke merchant and funder API keys'),
};

export type Iam = {
  module: ContextModule;
  permissions: PermissionRegistry;
  approvals: ApprovalRegistry;
  accessControl(options: { db: DB; config: Config }): AccessControl;
};

export function createIam(others: readonly ContextModule[]): Iam {
  const permissions = createPermissionRegistry([
    { module: 'iam', permissions: iamPermissions },
    ...others.map((module) => ({ module: module.name, permissions: module.permissions ?? {} })),
  ]);
  const approvals = createApprovalRegistry(
    [...iamApprovalActions(permissions), ...others.flatMap((module) => module.approvalActions ?? [])],
    permissions,
  );
  const registries = { permissions, approvals };
  const module: ContextModule = {
    name: 'iam',
    routes: [
      ...staffAuthRoutes(registries),
      ...adminRoutes(registries),
      ...approvalRoutes(registries),
      ...auditRoutes,
      ...borrowerAuthRoutes,
      ...partnerRoutes,
    ],
    jobs: (services) => [
      {
        name: 'prune-expired-credentials',
        cron: '23 * * * *',
        run: async () => ({ ...(await pruneExpiredCredentials(services.db)) }),
      },
    ],
  };
  const unknown = unknownPermissions(permissions, [...module.routes, ...others.flatMap((m) => m.routes)]);
  if (unknown.length > 0)
    throw new Error(`routes declare permissions that no module declares: ${unknown.join('; ')}`);
  return {
    module,
    permissions,
    approvals,
    accessControl: (options) => createIamAccessControl({ ...options, permissions }),
  };
}
