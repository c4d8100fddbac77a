import type { DB } from '../../platform/db.ts';
import { auditInstant } from './audit.ts';
import * as store from './store.ts';

// Reading the audit log (auditors, compliance). Writing is audit.ts, and only by appending.

export type AuditEventFilter = store.AuditFilter;

export async function listAuditEvents(db: DB, filter: AuditEventFilter) {
  const rows = await store.listAuditRows(db, filter);
  return rows.map((row) => ({
    seq: row.seq,
    occurredAt: auditInstant(row.occurred_us),
    actor: { kind: row.actor_kind, id: row.actor_id },
    action: row.action,
    subject:
      row.subject_type === null || row.subject_id === null
        ? null
        : { type: row.subject_type, id: row.subject_id },
    ip: row.ip,
    requestId: row.request_id,
    before: row.before,
    after: row.after,
    details: row.details,
    hash: row.hash,
  }));
}
