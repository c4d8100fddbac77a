import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import { text } from '../../platform/http/text.ts';
import { type ApprovalAction, approvalAction } from './approvals.ts';
import { appendAudit } from './audit.ts';
import type { PermissionRegistry } from './permissions.ts';
import { assertPermissionsKnown, assertRolesExist, defineCustomRole, replaceUserRoles } from './roles.ts';
import { revokeUserSessions } from './sessions.ts';
import { staffUserExists } from './users.ts';

// The maker-checker actions IAM owns: role changes. Other modules declare theirs in their module
// definitions (product publishing, limit adjustments, manual journal entries, write-offs).

export const roleNamePattern = /^[a-z][a-z0-9_]{1,39}$/;
export const roleName = text().regex(
  roleNamePattern,
  'must be 2–40 of a-z, 0-9 and _, starting with a letter',
);

export const setUserRolesPayload = z.strictObject({
  userId: z.uuid(),
  roles: z.array(roleName).max(20),
});

export const defineRolePayload = z.strictObject({
  name: roleName,
  description: text().trim().min(1).max(200),
  permissions: z.array(text().max(80)).max(200),
});

export const setUserRolesAction = 'iam.set-user-roles';
export const defineRoleAction = 'iam.define-role';

/** IAM's actions; defining a role checks its permissions against the composed registry. */
export function iamApprovalActions(permissions: PermissionRegistry): ApprovalAction[] {
  return [
    approvalAction({
      name: setUserRolesAction,
      summary: "Replace a staff user's roles",
      makerPermission: 'iam:roles-request',
      checkerPermission: 'iam:roles-approve',
      payload: setUserRolesPayload,
      // A checker may not decide a change to their own roles (nor approve their own elevation).
      subjectUserId: (payload) => payload.userId,
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
    }),
    approvalAction({
      name: defineRoleAction,
      summary: 'Create or redefine a custom role',
      makerPermission: 'iam:roles-request',
      checkerPermission: 'iam:roles-approve',
      payload: defineRolePayload,
      validate: async (_trx, payload) => {
        assertPermissionsKnown(permissions, payload.permissions);
      },
      execute: async (trx, payload, context) => {
        const granted = [...new Set(payload.permissions)].sort();
        const before = await defineCustomRole(trx, permissions, { ...payload, permissions: granted });
        await appendAudit(trx, context.config.secrets.auditKey, {
          actor: { kind: 'staff', id: context.checkerId },
          action: 'iam.role-defined',
          subject: { type: 'role', id: payload.name },
          origin: context.origin,
          before: { permissions: before },
          after: { description: payload.description, permissions: granted },
          details: { approvalRequestId: context.requestId, makerId: context.makerId },
        });
        return { role: payload.name, permissions: granted };
      },
    }),
  ];
}
