import { createHmac } from 'node:crypto';
import { canonicalJson } from '../../platform/canonical-json.ts';
import type { DB, Tx } from '../../platform/db.ts';
import type { Caller } from '../../platform/http/route.ts';
import * as store from './store.ts';

// The audit log: append-only, every row chained to the previous one by
//   hash = HMAC-SHA256(audit key, prev_hash ‖ "\n" ‖ canonical JSON of the row's content)
// where the content is seq, time, actor, action, subject, origin, before, after and details. The
// key is not in the database, so whoever can write to the table still cannot forge a row that
// verifies. Appends take a transaction-scoped advisory lock: the chain is one sequence, in commit
// order, and a row is written in the same transaction as the change it records. Times are hashed
// to the microsecond (the database clock's resolution), so no change to a row's time, however
// small, verifies.

export const genesisHash = '0'.repeat(64);

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

export function actorOf(caller: Caller): AuditActor {
  return { kind: caller.kind, id: caller.id };
}

/**
 * An instant in microseconds since the epoch as ISO 8601 UTC: milliseconds, and three more digits
 * when the instant is not a whole millisecond. Rows appended before times were kept to the
 * microsecond are whole milliseconds, so their hashes (made over the millisecond text) still verify.
 */
export function auditInstant(epochMicroseconds: bigint): string {
  const micros = ((epochMicroseconds % 1000n) + 1000n) % 1000n;
  const millis = (epochMicroseconds - micros) / 1000n;
  const text = new Date(Number(millis)).toISOString();
  return micros === 0n ? text : `${text.slice(0, -1)}${String(micros).padStart(3, '0')}Z`;
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

/** Values pass through JSON once, so what is hashed is exactly what jsonb gives back. */
function roundTrip(value: unknown): unknown {
  return value === undefined || value === null ? null : (JSON.parse(JSON.stringify(value)) as unknown);
}

/** Appends one event to the chain inside the caller's transaction. */
export async function appendAudit(
  trx: Tx,
  key: Buffer,
  event: AuditEvent,
): Promise<{ seq: bigint; hash: string }> {
  const { prevHash = genesisHash, seq, occurredUs } = await store.beginAuditAppend(trx);
  const content: ChainedContent = {
    seq: seq.toString(),
    occurredAt: auditInstant(occurredUs),
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
  const json = (value: unknown) => (value === null ? null : JSON.stringify(value));
  await store.insertAuditRow(trx, {
    seq,
    occurred_at: content.occurredAt,
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
  });
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
    const batch = await store.auditRowsAfter(db, after, batchRowsMax);
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
        occurredAt: auditInstant(row.occurred_us),
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
