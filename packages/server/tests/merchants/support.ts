import { randomInt, randomUUID } from 'node:crypto';
import { socialCreditCheckCharacter, socialCreditCodeCharacters } from '@fenqi/core';
import { sql } from 'kysely';
import { expect } from 'vitest';
import type { DB } from '../../src/platform/db.ts';
import { type StaffCredentials, signedHeaders } from '../iam/support.ts';
import { type HttpResult, http, type TestServer } from '../support/server.ts';

// Shared by the merchants tests and by the origination tests that need a merchant: valid unified
// social credit codes, a merchant taken through onboarding to active with an API key, and calls
// signed with that key.

/** A new valid unified social credit code: an enterprise (91) registered in Shenzhen (440300). */
export function socialCreditCode(): string {
  let subject = '';
  for (let i = 0; i < 9; i += 1) subject += socialCreditCodeCharacters.charAt(randomInt(0, 31));
  const first17 = `91440300${subject}`;
  return `${first17}${socialCreditCheckCharacter(first17)}`;
}

/** An account number of 19 digits, different each time. */
export function accountNumber(): string {
  return `6222${String(randomInt(0, 1e9)).padStart(9, '0')}${String(randomInt(0, 1e6)).padStart(6, '0')}`;
}

/** A request body for POST /api/v1/merchants, with a settlement account and a product. */
export function merchantBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: '乐学教育',
    legalName: '深圳市乐学教育科技有限公司',
    scenario: 'education',
    socialCreditCode: socialCreditCode(),
    discountRate: '0.035',
    productCodes: ['pos-installment'],
    settlementAccount: {
      accountName: '深圳市乐学教育科技有限公司',
      accountNo: accountNumber(),
      bankName: '招商银行深圳分行',
    },
    ...overrides,
  };
}

type StaffHeaders = StaffCredentials | Record<string, string>;

/** Write headers (cookie and CSRF token) of a signed-in staff user, however the caller holds them. */
function writeHeaders(staff: StaffHeaders): Record<string, string> {
  return typeof staff.headers === 'function'
    ? (staff as StaffCredentials).headers()
    : (staff as Record<string, string>);
}

/** POST with a fresh Idempotency-Key (or GET), as staff. */
export function staffCall(
  server: TestServer,
  staff: StaffHeaders,
  method: 'GET' | 'POST' | 'PATCH',
  path: string,
  body?: unknown,
): Promise<HttpResult> {
  const headers = writeHeaders(staff);
  return http(server.baseUrl, method, path, {
    ...(body === undefined ? {} : { body }),
    headers: method === 'GET' ? headers : { ...headers, 'idempotency-key': randomUUID() },
  });
}

export type OnboardedMerchant = {
  merchantId: string;
  /** The merchant as the create and activate calls answered it. */
  merchant: Record<string, unknown>;
  /** The IAM api client. */
  clientId: string;
  keyId: string;
  secret: string;
};

/**
 * Registers a merchant (with `overrides` on merchantBody), activates it and issues it an API key,
 * all over HTTP. The staff user needs merchants:manage and api-clients:manage (admin has both).
 */
export async function onboardMerchant(
  server: TestServer,
  staffHeaders: StaffHeaders,
  overrides: Record<string, unknown> = {},
): Promise<OnboardedMerchant> {
  const created = await staffCall(server, staffHeaders, 'POST', '/api/v1/merchants', merchantBody(overrides));
  expect(created.status, created.text).toBe(201);
  const merchantId = (created.json as { id: string }).id;
  const activated = await staffCall(
    server,
    staffHeaders,
    'POST',
    `/api/v1/merchants/${merchantId}/activate`,
    {
      reason: 'contract signed',
    },
  );
  expect(activated.status, activated.text).toBe(200);
  // API keys are IAM's api clients: ownerKind merchant, ownerId the merchant's id.
  const key = await http(server.baseUrl, 'POST', '/api/v1/iam/api-clients', {
    body: { ownerKind: 'merchant', ownerId: merchantId, name: `${merchantId} checkout` },
    headers: writeHeaders(staffHeaders),
  });
  expect(key.status, key.text).toBe(201);
  const client = key.json as { id: string; keyId: string; secret: string };
  return {
    merchantId,
    merchant: activated.json as Record<string, unknown>,
    clientId: client.id,
    keyId: client.keyId,
    secret: client.secret,
  };
}

/**
 * A request signed with a merchant's API key (docs/security.md, "Signed requests"): the body is
 * serialised once and the same bytes are signed and sent; the path (with its query) is signed
 * percent-encoded, as sent. Anything but a GET gets a fresh Idempotency-Key unless one is given.
 */
export function signedCall(
  server: TestServer,
  client: { keyId: string; secret: string },
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
  options: { idempotencyKey?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  const raw = body === undefined ? '' : JSON.stringify(body);
  // The path is signed as it travels (percent-encoded), which is what the server verifies.
  const url = new URL(path, server.baseUrl);
  const wirePath = `${url.pathname}${url.search}`;
  const headers: Record<string, string> = {
    ...signedHeaders(client, method, wirePath, raw),
    ...options.headers,
  };
  if (method !== 'GET') headers['idempotency-key'] = options.idempotencyKey ?? randomUUID();
  if (raw !== '') headers['content-type'] = 'application/json';
  return http(server.baseUrl, method, wirePath, { ...(raw === '' ? {} : { rawBody: raw }), headers });
}

export type RowCounts = {
  merchants: number;
  history: number;
  data_keys: number;
  events: number;
  audit: number;
};

/** Rows in every table a merchants request may write to. */
export async function rowCounts(db: DB): Promise<RowCounts> {
  const result = await sql<RowCounts>`
    SELECT (SELECT count(*) FROM merchants)::int AS merchants,
           (SELECT count(*) FROM merchant_status_history)::int AS history,
           (SELECT count(*) FROM data_keys)::int AS data_keys,
           (SELECT count(*) FROM outbox_events)::int AS events,
           (SELECT count(*) FROM audit_log)::int AS audit`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('no counts');
  return row;
}
