import type { DB } from '../../platform/db.ts';

// Reading the audit log (auditors, compliance). Writing is audit.ts, and only by appending.

export type AuditEventFilter = {
  afterSeq?: string | undefined;
  limit: number;
  subjectType?: string | undefined;
  subjectId?: string | undefined;
  action?: string | undefined;
};

export async function listAuditEvents(db: DB, filter: AuditEventFilter) {
  let query = db.selectFrom('audit_log').selectAll().orderBy('seq').limit(filter.limit);
  if (filter.afterSeq !== undefined) query = query.where('seq', '>', BigInt(filter.afterSeq));
  if (filter.subjectType !== undefined) query = query.where('subject_type', '=', filter.subjectType);
  if (filter.subjectId !== undefined) query = query.where('subject_id', '=', filter.subjectId);
  if (filter.action !== undefined) query = query.where('action', '=', filter.action);
  const rows = await query.execute();
  return rows.map((row) => ({
    seq: row.seq.toString(),
    occurredAt: row.occurred_at.toISOString(),
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
