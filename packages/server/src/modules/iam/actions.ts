import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import { registerApprovalAction } from './approvals.ts';
import { appendAudit } from './audit.ts';
import { assertPermissionsKnown, assertRolesExist, defineCustomRole, replaceUserRoles } from './roles.ts';
import { revokeUserSessions, staffUserExists } from './staff.ts';

// The maker-checker actions IAM owns: role changes. Other modules register theirs beside their
// own code (product publishing, limit adjustments, manual journal entries, write-offs).

export const roleNamePattern = /^[a-z][a-z0-9_]{1,39}$/;

export const setUserRolesPayload = z.object({
  userId: z.uuid(),
  roles: z.array(z.string().regex(roleNamePattern)).max(20),
});

export const defineRolePayload = z.object({
  name: z.string().regex(roleNamePattern, 'must be 2–40 of a-z, 0-9 and _, starting with a letter'),
  description: z.string().trim().min(1).max(200),
  permissions: z.array(z.string()).max(200),
});

let registered = false;

/** Registers IAM's approval actions (idempotent: tests build several apps in one process). */
export function registerIamApprovalActions(): void {
  if (registered) return;
  registered = true;
  registerApprovalAction({
    name: 'iam.set-user-roles',
    summary: "Replace a staff user's roles",
    makerPermission: 'iam:roles-request',
    checkerPermission: 'iam:roles-approve',
    payload: setUserRolesPayload,
    validate: async (trx, payload) => {
      if (!(await staffUserExists(trx, payload.userId)))
        throw new AppError('not_found', `There is no staff user ${payload.userId}.`);
      await assertRolesExist(trx, payload.roles);
    },
    execute: async (trx, payload, context) => {
      const roles = [...new Set(payload.roles)].sort();
      const before = await replaceUserRoles(trx, payload.userId, roles);
      // New permissions apply to live sessions at their next request (permissions are read per
      // request); sessions are also ended so that a user losing a role cannot keep a console open.
      const sessionsRevoked = await revokeUserSessions(trx, payload.userId, 'roles-changed');
      await appendAudit(trx, context.config.secrets.auditKey, {
        actor: { kind: 'staff', id: context.checkerId },
        action: 'iam.user-roles-changed',
        subject: { type: 'staff-user', id: payload.userId },
        origin: context.origin,
        before: { roles: before },
        after: { roles },
        details: { approvalRequestId: context.requestId, makerId: context.makerId, sessionsRevoked },
      });
      return { userId: payload.userId, roles };
    },
  });
  registerApprovalAction({
    name: 'iam.define-role',
    summary: 'Create or redefine a custom role',
    makerPermission: 'iam:roles-request',
    checkerPermission: 'iam:roles-approve',
    payload: defineRolePayload,
    validate: async (_trx, payload) => {
      assertPermissionsKnown(payload.permissions);
    },
    execute: async (trx, payload, context) => {
      const permissions = [...new Set(payload.permissions)].sort();
      const before = await defineCustomRole(trx, { ...payload, permissions });
      await appendAudit(trx, context.config.secrets.auditKey, {
        actor: { kind: 'staff', id: context.checkerId },
        action: 'iam.role-defined',
        subject: { type: 'role', id: payload.name },
        origin: context.origin,
        before: { permissions: before },
        after: { description: payload.description, permissions },
        details: { approvalRequestId: context.requestId, makerId: context.makerId },
      });
      return { role: payload.name, permissions };
    },
  });
}
