// The IAM module's public surface for other modules. Import from here, not from IAM's inner files.
//   audit:          appendAudit(trx, config.secrets.auditKey, event) in the same transaction as the
//                   change; every unmasking and every export must be audited (auditExport).
//   ownership:      borrowerScope(caller) / partnerScope(caller) — pass the scope to every store
//                   function that serves a borrower or partner route, and filter by it in SQL.
//   maker-checker:  registerApprovalAction({...}) at import time; requestApproval(trx, …) from the
//                   maker's route. The checker approves through /api/v1/approvals/{id}/approve.

export {
  type ApprovalAction,
  type ApprovalContext,
  approvalJson,
  registerApprovalAction,
  requestApproval,
  staffOf,
} from './approvals.ts';
export { type AuditEvent, actorOf, appendAudit, originOf } from './audit.ts';
export { borrowerPhone } from './borrowers.ts';
export { auditExport } from './exports.ts';
export { approvalView } from './schemas.ts';
export { type BorrowerScope, borrowerScope, type PartnerScope, partnerScope } from './scope.ts';
