import type { CallerKind, Permission } from '../../platform/http/route.ts';

// Permissions. Every module declares the staff permissions its routes and approval actions need,
// with the built-in roles that hold them (modules/index.ts composes the declarations into one
// registry); a route or action naming a permission nobody declared fails start-up. Three
// permissions belong to a kind of caller instead of a role: `staff:self` (every signed-in staff
// user: their own session and password), `borrower:self` (a borrower, on their own records only)
// and `partner:self` (a merchant or funder API client, on its owner's records only).

/** The built-in roles (seeded by migration 0003); their permissions come from the declarations. */
export const builtInRoleNames = [
  'admin',
  'risk_analyst',
  'approver',
  'operator',
  'collector',
  'finance',
  'auditor',
] as const;

export type BuiltInRole = (typeof builtInRoleNames)[number];

/** Roles a declaration names: admin holds every permission, auditor every read-only one that is not sensitive. */
export type GrantableRole = Exclude<BuiltInRole, 'admin' | 'auditor'>;

export type PermissionSpec = {
  description: string;
  /** Reads only; the auditor role holds every read-only permission that is not sensitive. */
  readOnly: boolean;
  /**
   * Moves money, unmasks personal data or changes who may do so (ASVS L3 for money movement):
   * held only through a session established with a second factor.
   */
  sensitive: boolean;
  /** The built-in roles that hold it besides admin (and auditor, when read-only and not sensitive). */
  roles: readonly GrantableRole[];
};

export const readPermission = (
  description: string,
  roles: readonly GrantableRole[] = [],
): PermissionSpec => ({
  description,
  readOnly: true,
  sensitive: false,
  roles,
});
export const writePermission = (
  description: string,
  roles: readonly GrantableRole[] = [],
): PermissionSpec => ({
  description,
  readOnly: false,
  sensitive: false,
  roles,
});
export const sensitivePermission = (
  description: string,
  roles: readonly GrantableRole[] = [],
  readOnly = false,
): PermissionSpec => ({ description, readOnly, sensitive: true, roles });

/** Permissions that come with the kind of caller, not with a role. */
export const callerPermissions = {
  'staff:self': { kinds: ['staff'], description: 'Any signed-in staff user: their own session and password' },
  'borrower:self': { kinds: ['borrower'], description: "A borrower, on the borrower's own records only" },
  'partner:self': {
    kinds: ['merchant', 'funder'],
    description: "A merchant or funder API client, on its owner's records only",
  },
} as const satisfies Record<string, { kinds: readonly CallerKind[]; description: string }>;

export type CallerPermission = keyof typeof callerPermissions;

export function isCallerPermission(permission: string): permission is CallerPermission {
  return Object.hasOwn(callerPermissions, permission);
}

export function isBuiltInRole(role: string): role is BuiltInRole {
  return (builtInRoleNames as readonly string[]).includes(role);
}

/** The permission a role_permissions row may hold (the same rule as its CHECK constraint). */
const permissionPattern = /^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$/;

export type PermissionRegistry = {
  /** Every staff permission, by name, in name order. */
  readonly staff: ReadonlyMap<string, PermissionSpec>;
  /** What each built-in role holds, sorted. */
  readonly builtInRoles: Readonly<Record<BuiltInRole, readonly string[]>>;
  isStaffPermission(permission: string): boolean;
  /** A permission a route may declare: `public`, a caller permission or a declared staff permission. */
  isKnown(permission: Permission): boolean;
  /** Whether a user holding these permissions must sign in with a second factor. */
  requiresSecondFactor(permissions: Iterable<string>): boolean;
};

/** One registry from every module's declarations; a permission declared twice is a start-up error. */
export function createPermissionRegistry(
  declarations: readonly { module: string; permissions: Readonly<Record<string, PermissionSpec>> }[],
): PermissionRegistry {
  const owners = new Map<string, string>();
  const specs: [string, PermissionSpec][] = [];
  for (const { module, permissions } of declarations) {
    for (const [name, spec] of Object.entries(permissions)) {
      if (!permissionPattern.test(name)) throw new Error(`${module} declares a malformed permission ${name}`);
      if (isCallerPermission(name) || name === 'public')
        throw new Error(`${module} declares ${name}, which belongs to IAM`);
      const owner = owners.get(name);
      if (owner !== undefined)
        throw new Error(`permission ${name} is declared by both ${owner} and ${module}`);
      owners.set(name, module);
      specs.push([name, spec]);
    }
  }
  specs.sort(([a], [b]) => a.localeCompare(b));
  const staff = new Map(specs);
  const names = specs.map(([name]) => name);
  const holding = (role: GrantableRole) => names.filter((name) => staff.get(name)?.roles.includes(role));
  const builtInRoles: Record<BuiltInRole, readonly string[]> = {
    admin: names,
    risk_analyst: holding('risk_analyst'),
    approver: holding('approver'),
    operator: holding('operator'),
    collector: holding('collector'),
    finance: holding('finance'),
    auditor: names.filter((name) => {
      const spec = staff.get(name);
      return spec?.readOnly && !spec.sensitive;
    }),
  };
  return {
    staff,
    builtInRoles,
    isStaffPermission: (permission) => staff.has(permission),
    isKnown: (permission) =>
      permission === 'public' || isCallerPermission(permission) || staff.has(permission),
    requiresSecondFactor: (permissions) => {
      for (const permission of permissions) if (staff.get(permission)?.sensitive) return true;
      return false;
    },
  };
}
