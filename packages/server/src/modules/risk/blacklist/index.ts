import type { ApprovalAction } from '../../iam/approvals.ts';
import type { PermissionSpec } from '../../iam/permissions.ts';
import { writePermission } from '../../iam/service.ts';
import {
  blacklistApprovalActions as actions,
  blacklistCheckerPermission,
  blacklistMakerPermission,
} from './actions.ts';

// The blacklist's public surface, for the risk module to compose (routes, permissions, approval
// actions, tables) and for decisions to call (blacklistHits). Import from here, not from the files.

export type { BlacklistEntry } from './entries.ts';
export type { BlacklistImport } from './imports.ts';
export {
  type BlacklistHits,
  type BlacklistIndexProbe,
  type BlacklistProbe,
  blacklistHits,
  blacklistHitsByIndex,
} from './matching.ts';
export { blacklistReadPermission, blacklistRoutes } from './routes.ts';
export { type BlacklistKind, type BlacklistStatus, type BlacklistTables, blacklistTables } from './tables.ts';

/**
 * The permissions the blacklist adds. Its reads need `risk:read`, which the risk module declares
 * (blacklistReadPermission names it).
 */
export const blacklistPermissions: Readonly<Record<string, PermissionSpec>> = {
  [blacklistMakerPermission]: writePermission('Propose blacklist entries, removals and imports (maker)', [
    'risk_analyst',
  ]),
  [blacklistCheckerPermission]: writePermission('Approve or reject blacklist changes (checker)', [
    'approver',
  ]),
};

export const blacklistApprovalActions: readonly ApprovalAction[] = actions;
