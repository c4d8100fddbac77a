import { sql } from 'kysely';
import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import {
  builtInRoles,
  isBuiltInRole,
  isStaffPermission,
  type StaffPermission,
  staffPermissions,
} from './permissions.ts';

// Roles and what they grant. Built-in roles take their permissions from code (permissions.ts);
// custom roles from role_permissions. Role changes run only as approved maker-checker actions
// (approvals.ts), except the first-admin bootstrap from the command line.

export type RoleView = { name: string; description: string; builtIn: boolean; permissions: string[] };

export async function permissionsOfUser(db: DB | Tx, userId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('staff_user_roles as ur')
    .leftJoin('role_permissions as rp', 'rp.role', 'ur.role')
    .select(['ur.role', 'rp.permission'])
    .where('ur.user_id', '=', userId)
    .execute();
  const permissions = new Set<string>();
  for (const row of rows) {
    if (isBuiltInRole(row.role)) for (const permission of builtInRoles[row.role]) permissions.add(permission);
    // A custom role's permission that was since removed from the registry grants nothing.
    else if (row.permission !== null && isStaffPermission(row.permission)) permissions.add(row.permission);
  }
  return permissions;
}

export async function rolesOfUser(db: DB | Tx, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('staff_user_roles')
    .select('role')
    .where('user_id', '=', userId)
    .orderBy('role')
    .execute();
  return rows.map((row) => row.role);
}

export async function listRoles(db: DB): Promise<RoleView[]> {
  const roles = await db
    .selectFrom('roles')
    .select(['name', 'description', 'built_in'])
    .orderBy('built_in', 'desc')
    .orderBy('name')
    .execute();
  const custom = await db
    .selectFrom('role_permissions')
    .select(['role', 'permission'])
    .orderBy('permission')
    .execute();
  return roles.map((role) => ({
    name: role.name,
    description: role.description,
    builtIn: role.built_in,
    permissions: isBuiltInRole(role.name)
      ? [...builtInRoles[role.name]].sort()
      : custom.filter((row) => row.role === role.name).map((row) => row.permission),
  }));
}

export async function assertRolesExist(db: DB | Tx, roles: string[]): Promise<void> {
  if (roles.length === 0) return;
  const found = await db.selectFrom('roles').select('name').where('name', 'in', roles).execute();
  const missing = roles.filter((role) => !found.some((row) => row.name === role));
  if (missing.length > 0) throw new AppError('role_unknown', `No such role: ${missing.join(', ')}.`);
}

export function assertPermissionsKnown(permissions: string[]): asserts permissions is StaffPermission[] {
  const unknown = permissions.filter((permission) => !isStaffPermission(permission));
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
  const user = await trx
    .selectFrom('staff_users')
    .select('id')
    .where('id', '=', userId)
    .forUpdate()
    .executeTakeFirst();
  if (!user) throw new AppError('not_found', `There is no staff user ${userId}.`);
  await assertRolesExist(trx, roles);
  const before = await rolesOfUser(trx, userId);
  await trx.deleteFrom('staff_user_roles').where('user_id', '=', userId).execute();
  if (roles.length > 0) {
    await trx
      .insertInto('staff_user_roles')
      .values(roles.map((role) => ({ user_id: userId, role })))
      .execute();
  }
  return before;
}

/** Creates or redefines a custom role; returns its permissions before (empty when new). */
export async function defineCustomRole(
  trx: Tx,
  role: { name: string; description: string; permissions: string[] },
): Promise<string[]> {
  if (isBuiltInRole(role.name))
    throw new AppError(
      'role_built_in',
      `${role.name} is a built-in role; its permissions are defined in code.`,
    );
  assertPermissionsKnown(role.permissions);
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`role:${role.name}`}))`.execute(trx);
  const before = await trx
    .selectFrom('role_permissions')
    .select('permission')
    .where('role', '=', role.name)
    .orderBy('permission')
    .execute();
  await trx
    .insertInto('roles')
    .values({ name: role.name, description: role.description, built_in: false })
    .onConflict((oc) =>
      oc.column('name').doUpdateSet({ description: role.description, updated_at: sql<Date>`now()` }),
    )
    .execute();
  await trx.deleteFrom('role_permissions').where('role', '=', role.name).execute();
  const unique = [...new Set(role.permissions)].sort();
  if (unique.length > 0) {
    await trx
      .insertInto('role_permissions')
      .values(unique.map((permission) => ({ role: role.name, permission })))
      .execute();
  }
  return before.map((row) => row.permission);
}

export function describePermission(permission: StaffPermission) {
  return staffPermissions[permission];
}
