import { createHmac, createSecretKey, hkdfSync, type KeyObject, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { canonicalJson } from '../canonical-json.ts';
import type { PlatformDb } from '../db.ts';
import { AppError } from '../errors.ts';

// Idempotency-Key handling (docs/architecture.md invariant 3). The key is scoped to the caller; the request
// is identified by a fingerprint (method, path, canonical JSON body). A replay returns the stored
// status and body byte for byte; the same key with another request is idempotency_key_reused; a
// key whose first request is still running is idempotency_key_in_progress.

const keyPattern = /^[\x21-\x7e]{1,255}$/;

export type StoredResponse = { status: number; body: string; contentType: string };

export type Claim =
  | { outcome: 'claimed'; caller: string; key: string; token: string; fingerprint: string }
  | { outcome: 'replay'; response: StoredResponse };

export function parseIdempotencyKey(header: string | string[] | undefined): string {
  if (header === undefined) {
    throw new AppError(
      'idempotency_key_missing',
      'This request changes state: send an Idempotency-Key header (a unique value per intended change, e.g. a UUID).',
      {
        errors: [{ in: 'headers', path: 'idempotency-key', message: 'required' }],
      },
    );
  }
  const key = Array.isArray(header) ? header[0] : header;
  if (Array.isArray(header) && header.length > 1) {
    throw new AppError('idempotency_key_invalid', 'Send exactly one Idempotency-Key header.');
  }
  if (key === undefined || !keyPattern.test(key)) {
    throw new AppError(
      'idempotency_key_invalid',
      'The Idempotency-Key must be 1 to 255 visible ASCII characters.',
      {
        errors: [
          { in: 'headers', path: 'idempotency-key', message: 'must be 1 to 255 visible ASCII characters' },
        ],
      },
    );
  }
  return key;
}

/**
 * The request's identity for replay checks: an HMAC, not a plain hash, because bodies carry
 * personal data (ID and card numbers) that an unkeyed hash would let anyone with a copy of the
 * table recover by guessing. The key is derived from the session key (`fingerprintKey`).
 */
export function fingerprintOf(key: KeyObject, method: string, path: string, body: unknown): string {
  return createHmac('sha256', key)
    .update(`${method}\n${path}\n${body === undefined ? '' : canonicalJson(wireValue(body))}`)
    .digest('hex');
}

/**
 * The body as it travelled: validation has decoded it (money to bigint, instants to Date), and a
 * bigint has no JSON form while every Date would look alike ({}). Both go back to their wire text,
 * so two bodies that differ in an amount or an instant never share a fingerprint.
 */
function wireValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(wireValue);
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, wireValue(v)]));
  return value;
}

/** A key for fingerprints only, derived so that no other use of the session key can collide. */
export function fingerprintKey(sessionKey: Buffer): KeyObject {
  // A KeyObject, made once: building one from raw bytes on every request showed in profiles.
  return createSecretKey(
    Buffer.from(hkdfSync('sha256', sessionKey, Buffer.alloc(0), 'fenqi idempotency fingerprint v1', 32)),
  );
}

export type ClaimRequest = {
  caller: string;
  key: string;
  method: string;
  path: string;
  fingerprint: string;
  ttlHours: number;
  lockSeconds: number;
};

/**
 * Claims the key in its own short transaction (autocommit), so concurrent requests with the same
 * key see it at once instead of queueing behind the first request's business transaction.
 */
export async function claimIdempotencyKey(db: PlatformDb, request: ClaimRequest): Promise<Claim> {
  const token = randomUUID();
  // A claim may be taken over only when it is stale (its process died: no completion within
  // lockSeconds) for the very same request, or when the key has expired but was not yet pruned.
  const claimed = await sql<{ claim_token: string }>`
    INSERT INTO idempotency_keys AS k
      (caller, key, method, path, fingerprint, claim_token, state, locked_until, expires_at)
    VALUES (${request.caller}, ${request.key}, ${request.method}, ${request.path}, ${request.fingerprint},
            ${token}, 'in_progress', now() + make_interval(secs => ${request.lockSeconds}),
            now() + make_interval(hours => ${request.ttlHours}))
    ON CONFLICT (caller, key) DO UPDATE SET
      method = excluded.method, path = excluded.path, fingerprint = excluded.fingerprint,
      claim_token = excluded.claim_token, state = 'in_progress', locked_until = excluded.locked_until,
      response_status = NULL, response_body = NULL, response_content_type = NULL,
      created_at = now(), completed_at = NULL, expires_at = excluded.expires_at
    WHERE k.expires_at < now()
       OR (k.state = 'in_progress' AND k.locked_until < now() AND k.fingerprint = excluded.fingerprint)
    RETURNING k.claim_token`.execute(db);
  if (claimed.rows.length === 1) {
    return {
      outcome: 'claimed',
      caller: request.caller,
      key: request.key,
      token,
      fingerprint: request.fingerprint,
    };
  }
  const existing = await db
    .selectFrom('idempotency_keys')
    .select(['fingerprint', 'state', 'response_status', 'response_body', 'response_content_type'])
    .where('caller', '=', request.caller)
    .where('key', '=', request.key)
    .executeTakeFirst();
  if (!existing) {
    // Pruned between our insert and select: extremely rare; the client may simply retry.
    throw new AppError(
      'idempotency_key_in_progress',
      'The Idempotency-Key changed state during the request; retry it.',
    );
  }
  if (existing.fingerprint !== request.fingerprint) {
    throw new AppError(
      'idempotency_key_reused',
      'This Idempotency-Key was already used with a different request (method, path or body). Use a new key for a new request.',
    );
  }
  if (
    existing.state === 'in_progress' ||
    existing.response_status === null ||
    existing.response_body === null
  ) {
    throw new AppError(
      'idempotency_key_in_progress',
      'A request with this Idempotency-Key is still being processed. Retry after it completes to get its result.',
    );
  }
  return {
    outcome: 'replay',
    response: {
      status: existing.response_status,
      body: existing.response_body,
      contentType: existing.response_content_type ?? 'application/json; charset=utf-8',
    },
  };
}

type OwnedClaim = Extract<Claim, { outcome: 'claimed' }>;

/**
 * Records the response inside the handler's transaction. If our claim was taken over (we ran past
 * the lock time and another attempt started), this updates nothing and the transaction must roll
 * back, so that only one attempt's effects ever commit.
 */
export async function completeIdempotencyKey(
  trx: PlatformDb,
  claim: OwnedClaim,
  response: StoredResponse,
): Promise<void> {
  // Plain SQL: this statement runs in every command, and building it through the query builder
  // showed in profiles of bench/http.ts.
  const result = await sql`
    UPDATE idempotency_keys
    SET state = 'completed', response_status = ${response.status}, response_body = ${response.body},
        response_content_type = ${response.contentType}, completed_at = now(), locked_until = NULL
    WHERE caller = ${claim.caller} AND key = ${claim.key} AND claim_token = ${claim.token}
      AND state = 'in_progress'`.execute(trx);
  if (result.numAffectedRows !== 1n) {
    throw new Error(`idempotency claim for key ${claim.key} was lost before completion`);
  }
}

/** Gives the key back (the request failed in a way a retry may fix, e.g. a 5xx). */
export async function releaseIdempotencyKey(db: PlatformDb, claim: OwnedClaim): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('caller', '=', claim.caller)
    .where('key', '=', claim.key)
    .where('claim_token', '=', claim.token)
    .where('state', '=', 'in_progress')
    .execute();
}

/** Deletes expired keys in batches; returns how many were removed. Run by the worker's prune job. */
export async function pruneIdempotencyKeys(db: PlatformDb, batchRowsMax = 10_000): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await sql`
      DELETE FROM idempotency_keys
      WHERE ctid IN (SELECT ctid FROM idempotency_keys WHERE expires_at < now() LIMIT ${batchRowsMax})`.execute(
      db,
    );
    const deleted = Number(result.numAffectedRows ?? 0n);
    total += deleted;
    if (deleted < batchRowsMax) return total;
  }
}
