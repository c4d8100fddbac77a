import type { CallerKind, Permission } from '../../platform/http/route.ts';

// The permission registry: every permission a route may declare, and the built-in roles. A route
// naming a permission that is not here fails start-up (createIamAccessControl) and the route ×
// role matrix test. Add a permission here in the same commit as the route that needs it.
//
// Staff permissions are granted through roles. Three permissions belong to a kind of caller
// instead of a role: `staff:self` (every signed-in staff user: their own session and password),
// `borrower:self` (a borrower, on their own records only) and `partner:self` (a merchant or
// funder API client, on its owner's records only).

export type PermissionSpec = {
  description: string;
  /** Reads only; the auditor role holds every read-only permission that is not sensitive. */
  readOnly: boolean;
  /**
   * Moves money, unmasks personal data or changes who may do so (ASVS L3 for money movement):
   * held only through a session established with a second factor.
   */
  sensitive: boolean;
};

const read = (description: string): PermissionSpec => ({ description, readOnly: true, sensitive: false });
const write = (description: string): PermissionSpec => ({ description, readOnly: false, sensitive: false });
const sensitive = (description: string, readOnly = false): PermissionSpec => ({
  description,
  readOnly,
  sensitive: true,
});

export const staffPermissions = {
  'business-date:read': read('Read the business date'),
  'customers:read': read('Read customer profiles and cards, masked'),
  'customers:unmask': sensitive('See full ID numbers, phones and card numbers (every view is audited)', true),
  'loans:read': read('Read loans, schedules and repayments'),
  'loans:write-off': sensitive('Request a loan write-off (maker)'),
  'loans:write-off-approve': sensitive('Approve or reject a loan write-off (checker)'),
  'products:read': read('Read loan products and their versions'),
  'products:write': write('Draft loan products'),
  'products:publish': sensitive('Request publication of a product version (maker)'),
  'products:publish-approve': sensitive('Approve or reject a product publication (checker)'),
  'policies:read': read('Read credit policies, scorecards and decision traces'),
  'policies:write': write('Draft credit policies and scorecards'),
  'reviews:read': read('Read the manual review queue'),
  'reviews:decide': write('Decide manual credit reviews'),
  'credit:read': read('Read credit lines'),
  'credit:limit-adjust': sensitive('Request a credit limit adjustment (maker)'),
  'credit:limit-adjust-approve': sensitive('Approve or reject a credit limit adjustment (checker)'),
  'merchants:read': read('Read merchants'),
  'merchants:write': write('Onboard and change merchants'),
  'payments:read': read('Read payments, payouts and reconciliation'),
  'payments:write': sensitive('Retry, resolve or cancel payments'),
  'collections:read': read('Read collection cases and contact logs'),
  'collections:work': write('Work collection cases: contacts, promises to pay'),
  'ledger:read': read('Read ledger accounts, balances, journal entries and the trial balance'),
  'ledger:post': sensitive('Request a manual journal entry (maker)'),
  'ledger:approve': sensitive('Approve or reject a manual journal entry (checker)'),
  'reports:read': read('Read reports'),
  'reports:export': sensitive('Export reports (every export is audited)', true),
  'audit:read': read('Read and verify the audit log'),
  'approvals:read': read('Read maker-checker approval requests'),
  'approvals:decide': write(
    'Approve or reject requests, for actions whose checker permission the user holds',
  ),
  'iam:read': read('Read staff users, roles, permissions and API clients'),
  'iam:users-manage': write('Create and disable staff users'),
  'iam:roles-request': sensitive('Request role assignments and custom role definitions (maker)'),
  'iam:roles-approve': sensitive('Approve or reject role changes (checker)'),
  'api-clients:manage': sensitive('Issue and revoke merchant and funder API keys'),
} as const satisfies Record<string, PermissionSpec>;

export type StaffPermission = keyof typeof staffPermissions;

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

export function isStaffPermission(permission: string): permission is StaffPermission {
  return Object.hasOwn(staffPermissions, permission);
}

export function isCallerPermission(permission: string): permission is CallerPermission {
  return Object.hasOwn(callerPermissions, permission);
}

export function isKnownPermission(permission: Permission): boolean {
  return permission === 'public' || isStaffPermission(permission) || isCallerPermission(permission);
}

const all = Object.keys(staffPermissions) as StaffPermission[];
const readOnlyNonSensitive = all.filter(
  (p) => staffPermissions[p].readOnly && !staffPermissions[p].sensitive,
);

export const builtInRoles = {
  admin: all,
  risk_analyst: [
    'business-date:read',
    'policies:read',
    'policies:write',
    'reviews:read',
    'credit:read',
    'customers:read',
    'loans:read',
    'products:read',
    'products:publish-approve',
    'reports:read',
    'approvals:read',
    'approvals:decide',
  ],
  approver: [
    'business-date:read',
    'reviews:read',
    'reviews:decide',
    'customers:read',
    'customers:unmask',
    'credit:read',
    'credit:limit-adjust-approve',
    'loans:read',
    'approvals:read',
    'approvals:decide',
  ],
  operator: [
    'business-date:read',
    'customers:read',
    'loans:read',
    'products:read',
    'products:write',
    'products:publish',
    'credit:read',
    'credit:limit-adjust',
    'merchants:read',
    'merchants:write',
    'payments:read',
    'approvals:read',
  ],
  collector: ['business-date:read', 'collections:read', 'collections:work', 'customers:read', 'loans:read'],
  finance: [
    'business-date:read',
    'ledger:read',
    'ledger:post',
    'ledger:approve',
    'payments:read',
    'loans:read',
    'loans:write-off',
    'reports:read',
    'reports:export',
    'approvals:read',
    'approvals:decide',
  ],
  auditor: readOnlyNonSensitive,
} as const satisfies Record<string, readonly StaffPermission[]>;

export type BuiltInRole = keyof typeof builtInRoles;

export function isBuiltInRole(role: string): role is BuiltInRole {
  return Object.hasOwn(builtInRoles, role);
}

/** Whether a staff user holding these permissions must sign in with a second factor. */
export function requiresSecondFactor(permissions: Iterable<string>): boolean {
  for (const permission of permissions)
    if (isStaffPermission(permission) && staffPermissions[permission].sensitive) return true;
  return false;
}
