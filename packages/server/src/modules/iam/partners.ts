import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../../platform/config.ts';
import {
  createDataKey,
  cryptoFor,
  dataKeyIdOf,
  decryptField,
  encryptField,
  fieldContext,
  loadDataKey,
} from '../../platform/crypto/envelope.ts';
import {
  noncePattern,
  signatureMatches,
  signaturePattern,
  signRequest,
  stringToSign,
} from '../../platform/crypto/request-signature.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { Origin } from '../../platform/http/origin.ts';
import { type AuditActor, appendAudit } from './audit.ts';
import type { PartnerScope } from './scope.ts';
import * as store from './store.ts';

// Merchants and funders call the API with an API key and a request signature (the scheme of
// platform/crypto/request-signature.ts, with the key id in X-Fenqi-Key):
//
//   X-Fenqi-Key:        fqk_…                 (public key id)
//   X-Fenqi-Timestamp:  within ±SIGNATURE_WINDOW_SECONDS of the server's clock
//   X-Fenqi-Nonce, X-Fenqi-Signature
//
// The secret is shown once at creation. It cannot be stored as a hash (verifying an HMAC needs
// the key itself), so it is stored as a field ciphertext under the master key hierarchy: a copy
// of the database alone does not reveal it. A nonce is recorded only after the signature verifies,
// so unauthenticated traffic cannot fill the nonce store.

export const signatureHeaders = {
  key: 'x-fenqi-key',
  timestamp: 'x-fenqi-timestamp',
  nonce: 'x-fenqi-nonce',
  signature: 'x-fenqi-signature',
} as const;

export { signRequest, stringToSign };

const keyIdPattern = /^fqk_[A-Za-z0-9_-]{20,}$/;

function secretContext(clientId: string): string {
  return fieldContext('api_clients', 'secret', clientId);
}

export type NewApiClient = {
  id: string;
  keyId: string;
  secret: string;
  ownerKind: 'merchant' | 'funder';
  ownerId: string;
  name: string;
  createdAt: Date;
};

export async function createApiClient(
  trx: Tx,
  config: Config,
  input: {
    ownerKind: 'merchant' | 'funder';
    ownerId: string;
    name: string;
    actor: AuditActor;
    origin: Origin;
  },
): Promise<NewApiClient> {
  const id = randomUUID();
  const keyId = `fqk_${randomBytes(18).toString('base64url')}`;
  const secret = `fqs_${randomBytes(32).toString('base64url')}`;
  const dataKey = await createDataKey(trx, cryptoFor(config).kms, 'api-clients');
  const row = await store.insertApiClient(trx, {
    id,
    key_id: keyId,
    owner_kind: input.ownerKind,
    owner_id: input.ownerId,
    name: input.name,
    secret_enc: encryptField(dataKey, secret, secretContext(id)),
    created_by: input.actor.id,
  });
  await appendAudit(trx, config.secrets.auditKey, {
    actor: input.actor,
    action: 'iam.api-client-created',
    subject: { type: 'api-client', id },
    origin: input.origin,
    after: { keyId, ownerKind: input.ownerKind, ownerId: input.ownerId, name: input.name },
  });
  return {
    id,
    keyId,
    secret,
    ownerKind: input.ownerKind,
    ownerId: input.ownerId,
    name: input.name,
    createdAt: row.created_at,
  };
}

export async function revokeApiClient(
  trx: Tx,
  config: Config,
  id: string,
  actor: AuditActor,
  origin: Origin,
): Promise<ApiClientView> {
  const row = await store.revokeApiClientRow(trx, id);
  if (!row) throw new AppError('not_found', `There is no API client ${id}.`);
  await appendAudit(trx, config.secrets.auditKey, {
    actor,
    action: 'iam.api-client-revoked',
    subject: { type: 'api-client', id },
    origin,
    after: { keyId: row.key_id, revoked: true },
  });
  return toView(row);
}

export type ApiClientView = {
  id: string;
  keyId: string;
  ownerKind: 'merchant' | 'funder';
  ownerId: string;
  name: string;
  createdAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
};

function toView(row: store.ApiClientViewRow): ApiClientView {
  return {
    id: row.id,
    keyId: row.key_id,
    ownerKind: row.owner_kind,
    ownerId: row.owner_id,
    name: row.name,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

/** Every API client (staff view). */
export async function listApiClients(db: DB, filter: store.ApiClientFilter = {}): Promise<ApiClientView[]> {
  return (await store.listApiClientRows(db, undefined, filter)).map(toView);
}

/** The partner's own API clients: scoped by owner in SQL (scope.ts). */
export async function listOwnApiClients(db: DB, scope: PartnerScope): Promise<ApiClientView[]> {
  return (await store.listApiClientRows(db, { kind: scope.kind, id: scope.ownerId })).map(toView);
}

/** One of the partner's own API clients, or 404 — whether another owner's exists is not said. */
export async function findOwnApiClient(db: DB, scope: PartnerScope, id: string): Promise<ApiClientView> {
  const row = await store.findOwnApiClientRow(db, { kind: scope.kind, id: scope.ownerId }, id);
  if (!row) throw new AppError('not_found', `There is no API key ${id}.`);
  return toView(row);
}

function header(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

export function hasSignatureHeaders(request: FastifyRequest): boolean {
  return (
    request.headers[signatureHeaders.key] !== undefined ||
    request.headers[signatureHeaders.signature] !== undefined
  );
}

export type PartnerPrincipal = { clientId: string; ownerKind: 'merchant' | 'funder'; ownerId: string };

const invalid = (detail: string) => new AppError('signature_invalid', detail);

/** Verifies a signed request and records its nonce; throws signature_invalid (401) otherwise. */
export async function verifySignedRequest(
  db: DB,
  config: Config,
  request: FastifyRequest,
  rawBody: Buffer,
): Promise<PartnerPrincipal> {
  const keyId = header(request, signatureHeaders.key);
  const timestamp = header(request, signatureHeaders.timestamp);
  const nonce = header(request, signatureHeaders.nonce);
  const signature = header(request, signatureHeaders.signature);
  if (keyId === undefined || timestamp === undefined || nonce === undefined || signature === undefined) {
    throw invalid(`Send all of ${Object.values(signatureHeaders).join(', ')}.`);
  }
  if (
    !keyIdPattern.test(keyId) ||
    !noncePattern.test(nonce) ||
    !/^\d{1,12}$/.test(timestamp) ||
    !signaturePattern.test(signature)
  ) {
    throw invalid('A signature header is malformed (see docs/security.md, "Signed requests").');
  }
  const skew = Math.abs(Math.floor(Date.now() / 1000) - Number(timestamp));
  if (skew > config.signatureWindowSeconds) {
    throw invalid(`The timestamp is more than ${config.signatureWindowSeconds} s from the server's clock.`);
  }
  const client = await store.findLiveApiClientByKeyId(db, keyId);
  if (!client) throw invalid('The API key is unknown or revoked.');
  const dataKey = await loadDataKey(db, cryptoFor(config).kms, dataKeyIdOf(client.secret_enc));
  const secret = decryptField(dataKey, client.secret_enc, secretContext(client.id));
  if (
    !signatureMatches(secret, signature, {
      method: request.method,
      path: request.url,
      timestamp,
      nonce,
      body: rawBody,
    })
  )
    throw invalid('The signature does not match the request.');
  const fresh = await store.recordRequestNonce(db, {
    keyId,
    nonce,
    timestampSeconds: Number(timestamp),
    windowSeconds: config.signatureWindowSeconds,
  });
  if (!fresh) throw invalid('This nonce was already used: the request is a replay.');
  await store.markApiClientUsed(db, client.id);
  return { clientId: client.id, ownerKind: client.owner_kind, ownerId: client.owner_id };
}
