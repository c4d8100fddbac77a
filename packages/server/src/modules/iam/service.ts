// The IAM module's public surface for other modules. Import from here, not from IAM's inner files.
//   audit:          appendAudit(trx, config.secrets.auditKey, event) in the same transaction as the
//                   change; every unmasking and every export must be audited (auditExport).
//   ownership:      borrowerScope(caller) / partnerScope(caller) — pass the scope to every store
//                   function that serves a borrower or partner route, and filter by it in SQL.
//   maker-checker:  declare actions in the module definition (`approvalActions`); ask for one from
//                   the module's own route with requestApproval(trx, config, { action, … }). The
//                   checker approves through /api/v1/approvals/{id}/approve.
//   permissions:    declare them in the module definition with readPermission / writePermission /
//                   sensitivePermission, naming the built-in roles that hold them.

// Staff users, roles and approvals, and the borrower's sign-in, as the routes (and the command
// line) use them: for a client that acts in-process as those users (the simulation,
// docs/simulation.md) — it asks and decides approvals through the same maker-checker steps.
export { setUserRolesAction } from './actions.ts';
export {
  type ApprovalAction,
  type ApprovalContext,
  type ApprovalRegistry,
  approvalAction,
  decideApproval,
  requestApproval,
  staffOf,
} from './approvals.ts';
export { type AuditEvent, actorOf, appendAudit } from './audit.ts';
export { borrowerPhone, requestOtp, verifyOtpAndLogin } from './borrowers.ts';
export { auditExport } from './exports.ts';
// Partners' API keys, for the command line's demo merchant (cli/sandbox.ts); the routes are IAM's.
export { createApiClient, listApiClients } from './partners.ts';
export type { PermissionRegistry } from './permissions.ts';
export { readPermission, sensitivePermission, writePermission } from './permissions.ts';
export { permissionsOfUser } from './roles.ts';
export { approvalView } from './schemas.ts';
export { type BorrowerScope, borrowerScope, type PartnerScope, partnerScope } from './scope.ts';
export {
  bootstrapAdministrator,
  createStaffUser,
  hasAdministrator,
  type NewStaffUser,
  usernameExists,
} from './users.ts';
