import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { isBuiltInRole, type PermissionRegistry } from './permissions.ts';
import * as store from './store.ts';

// Roles and what they grant. Built-in roles take their permissions from the modules' declarations
// (permissions.ts); custom roles from role_permissions. Role changes run only as approved
// maker-checker actions (actions.ts), except the first-admin bootstrap from the command line.

export type RoleView = { name: string; description: string; builtIn: boolean; permissions: string[] };

export async function permissionsOfUser(
  db: DB | Tx,
  registry: PermissionRegistry,
  userId: string,
): Promise<Set<string>> {
  const permissions = new Set<string>();
  for (const row of await store.userRoleGrants(db, userId)) {
    if (isBuiltInRole(row.role))
      for (const permission of registry.builtInRoles[row.role]) permissions.add(permission);
    // A custom role's permission that no module declares any more grants nothing.
    else if (row.permission !== null && registry.isStaffPermission(row.permission))
      permissions.add(row.permission);
  }
  return permissions;
}

export async function rolesOfUser(db: DB | Tx, userId: string): Promise<string[]> {
  return store.rolesOfUser(db, userId);
}

export async function listRoles(db: DB, registry: PermissionRegistry): Promise<RoleView[]> {
  const { roles, grants } = await store.listRoleRows(db);
  return roles.map((role) => ({
    name: role.name,
    description: role.description,
    builtIn: role.built_in,
    permissions: isBuiltInRole(role.name)
      ? [...registry.builtInRoles[role.name]]
      : grants.filter((row) => row.role === role.name).map((row) => row.permission),
  }));
}

export async function assertRolesExist(db: DB | Tx, roles: string[]): Promise<void> {
  const found = new Set(await store.existingRoles(db, roles));
  const missing = roles.filter((role) => !found.has(role));
  if (missing.length > 0) throw new AppError('role_unknown', `No such role: ${missing.join(', ')}.`);
}

export function assertPermissionsKnown(registry: PermissionRegistry, permissions: string[]): void {
  const unknown = permissions.filter((permission) => !registry.isStaffPermission(permission));
  if (unknown.length > 0) {
    throw new AppError(
      'permission_unknown',
      `No such staff permission: ${unknown.join(', ')}. GET /api/v1/iam/permissions lists them.`,
    );
  }
}

/** Replaces a user's roles; returns the roles before. Runs inside an approved action's transaction. */
export async function replaceUserRoles(trx: Tx, userId: string, roles: string[]): Promise<string[]> {
  // Lock the user so two approved changes to the same user apply one after the other.
  if (!(await store.lockStaffUser(trx, userId)))
    throw new AppError('not_found', `There is no staff user ${userId}.`);
  await assertRolesExist(trx, roles);
  const before = await store.rolesOfUser(trx, userId);
  await store.replaceRolesOfUser(trx, userId, roles);
  return before;
}

/** Creates or redefines a custom role; returns its permissions before (empty when new). */
export async function defineCustomRole(
  trx: Tx,
  registry: PermissionRegistry,
  role: { name: string; description: string; permissions: string[] },
): Promise<string[]> {
  if (isBuiltInRole(role.name))
    throw new AppError(
      'role_built_in',
      `${role.name} is a built-in role; its permissions come from the modules that declare them.`,
    );
  assertPermissionsKnown(registry, role.permissions);
  return store.upsertCustomRole(trx, { ...role, permissions: [...new Set(role.permissions)].sort() });
}
