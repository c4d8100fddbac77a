import type { ApprovalRegistry } from '../approvals.ts';
import type { PermissionRegistry } from '../permissions.ts';

/** What IAM's routes decide with: the registries composed from every module's declarations. */
export type IamRegistries = { permissions: PermissionRegistry; approvals: ApprovalRegistry };

export const noStore = { 'cache-control': 'no-store' };
