import { createHmac } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { DB, Tx } from '../../platform/db.ts';
import { canonicalJson } from '../../platform/http/idempotency.ts';
import type { Caller } from '../../platform/http/route.ts';

// The audit log (ARCHITECTURE invariant 6): append-only, every row chained to the previous one by
//   hash = HMAC-SHA256(audit key, prev_hash ‖ "\n" ‖ canonical JSON of the row's content)
// where the content is seq, time, actor, action, subject, origin, before, after and details. The
// key is not in the database, so whoever can write to the table still cannot forge a row that
// verifies. Appends take a transaction-scoped advisory lock: the chain is one sequence, in commit
// order, and a row is written in the same transaction as the change it records.

export const genesisHash = '0'.repeat(64);

/** pg_advisory_xact_lock key owned by the audit log: the bytes of "fenqiaud" read as an int8. */
const auditLockKey = 0x66656e7169617564n;

export type AuditActor = { kind: string; id: string };

export type AuditEvent = {
  actor: AuditActor;
  /** `<context>.<verb>`, e.g. `customers.unmask`, `iam.login-failed`. */
  action: string;
  subject?: { type: string; id: string };
  /** Where from: client IP and request id (absent for CLI actions). */
  origin?: { ip: string | null; requestId: string | null };
  before?: unknown;
  after?: unknown;
  details?: unknown;
};

export function originOf(request: FastifyRequest): { ip: string; requestId: string } {
  return { ip: request.ip, requestId: request.id };
}

export function actorOf(caller: Caller): AuditActor {
  return { kind: caller.kind, id: caller.id };
}

type ChainedContent = {
  seq: string;
  occurredAt: string;
  actorKind: string;
  actorId: string;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  ip: string | null;
  requestId: string | null;
  before: unknown;
  after: unknown;
  details: unknown;
};

export function auditHash(key: Buffer, prevHash: string, content: ChainedContent): string {
  return createHmac('sha256', key)
    .update(`${prevHash}\n${canonicalJson(content)}`, 'utf8')
    .digest('hex');
}

function json(value: unknown) {
  return value === undefined || value === null ? null : sql<unknown>`${JSON.stringify(value)}::jsonb`;
}

/** Appends one event to the chain inside the caller's transaction. */
export async function appendAudit(
  trx: Tx,
  key: Buffer,
  event: AuditEvent,
): Promise<{ seq: bigint; hash: string }> {
  await sql`SELECT pg_advisory_xact_lock(${auditLockKey.toString()}::bigint)`.execute(trx);
  const last = await trx
    .selectFrom('audit_log')
    .select('hash')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  const prevHash = last?.hash ?? genesisHash;
  const next = await sql<{ seq: bigint }>`SELECT nextval('audit_log_seq') AS seq`.execute(trx);
  const seq = next.rows[0]?.seq;
  if (seq === undefined) throw new Error('nextval returned no row');
  const occurredAt = new Date();
  // Values pass through JSON once here, so what is hashed is exactly what jsonb gives back.
  const roundTrip = (value: unknown) =>
    value === undefined || value === null ? null : (JSON.parse(JSON.stringify(value)) as unknown);
  const content: ChainedContent = {
    seq: seq.toString(),
    occurredAt: occurredAt.toISOString(),
    actorKind: event.actor.kind,
    actorId: event.actor.id,
    action: event.action,
    subjectType: event.subject?.type ?? null,
    subjectId: event.subject?.id ?? null,
    ip: event.origin?.ip ?? null,
    requestId: event.origin?.requestId ?? null,
    before: roundTrip(event.before),
    after: roundTrip(event.after),
    details: roundTrip(event.details),
  };
  const hash = auditHash(key, prevHash, content);
  await trx
    .insertInto('audit_log')
    .values({
      seq,
      occurred_at: occurredAt,
      actor_kind: content.actorKind,
      actor_id: content.actorId,
      action: content.action,
      subject_type: content.subjectType,
      subject_id: content.subjectId,
      ip: content.ip,
      request_id: content.requestId,
      before: json(content.before),
      after: json(content.after),
      details: json(content.details),
      prev_hash: prevHash,
      hash,
    })
    .execute();
  return { seq, hash };
}

/** Appends in a transaction of its own: for events with no business change (a failed login). */
export async function appendAuditNow(db: DB, key: Buffer, event: AuditEvent): Promise<void> {
  await db.transaction().execute((trx) => appendAudit(trx, key, event));
}

export type ChainVerification =
  | { ok: true; rows: number; head: { seq: string; hash: string } | null }
  | { ok: false; rows: number; brokenSeq: string; reason: string };

/**
 * Walks the whole chain in seq order and names the first row that does not verify: its content
 * was changed (hash mismatch) or the row before it was changed or removed (prev_hash mismatch).
 */
export async function verifyAuditChain(db: DB, key: Buffer, batchRowsMax = 1000): Promise<ChainVerification> {
  let expectedPrev = genesisHash;
  let after = -1n;
  let rows = 0;
  let head: { seq: string; hash: string } | null = null;
  for (;;) {
    const batch = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>', after)
      .orderBy('seq')
      .limit(batchRowsMax)
      .execute();
    for (const row of batch) {
      const seq = row.seq.toString();
      if (row.prev_hash !== expectedPrev) {
        return {
          ok: false,
          rows,
          brokenSeq: seq,
          reason: 'prev_hash does not match the row before it (a row was changed or removed)',
        };
      }
      const content: ChainedContent = {
        seq,
        occurredAt: row.occurred_at.toISOString(),
        actorKind: row.actor_kind,
        actorId: row.actor_id,
        action: row.action,
        subjectType: row.subject_type,
        subjectId: row.subject_id,
        ip: row.ip,
        requestId: row.request_id,
        before: row.before,
        after: row.after,
        details: row.details,
      };
      if (auditHash(key, row.prev_hash, content) !== row.hash) {
        return {
          ok: false,
          rows,
          brokenSeq: seq,
          reason: 'hash does not match the row content (the row was changed)',
        };
      }
      rows += 1;
      expectedPrev = row.hash;
      head = { seq, hash: row.hash };
      after = row.seq;
    }
    if (batch.length < batchRowsMax) return { ok: true, rows, head };
  }
}
