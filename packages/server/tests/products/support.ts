import { randomUUID } from 'node:crypto';
import type { ProductDefinition } from '@fenqi/core';
import { sql } from 'kysely';
import { expect } from 'vitest';
import type { Config } from '../../src/platform/config.ts';
import type { DB } from '../../src/platform/db.ts';
import { createStaff, type StaffCredentials, signIn } from '../iam/support.ts';
import { type HttpResult, http, type TestServer } from '../support/server.ts';

// Shared by the product tests, and for anyone who needs a published product: staff to write and
// publish (an operator as maker, an approver as checker), calls with an Idempotency-Key, and
// publishProduct, which takes a definition through draft → publish request → approval over HTTP.

export type ProductStaff = { author: StaffCredentials; checker: StaffCredentials };

export async function productStaff(db: DB, config: Config): Promise<ProductStaff> {
  const author = await createStaff(db, config, ['operator']);
  const checker = await createStaff(db, config, ['approver']);
  return { author: await signIn(db, config, author), checker: await signIn(db, config, checker) };
}

const write = (who: StaffCredentials) => ({ ...who.headers(), 'idempotency-key': randomUUID() });

/** POST with a fresh Idempotency-Key, PUT likewise, and GET, as a signed-in staff user. */
export function calls(server: TestServer) {
  return {
    post: (who: StaffCredentials, path: string, body?: unknown): Promise<HttpResult> =>
      http(server.baseUrl, 'POST', path, { ...(body === undefined ? {} : { body }), headers: write(who) }),
    put: (who: StaffCredentials, path: string, body: unknown): Promise<HttpResult> =>
      http(server.baseUrl, 'PUT', path, { body, headers: write(who) }),
    get: (who: StaffCredentials, path: string): Promise<HttpResult> =>
      http(server.baseUrl, 'GET', path, { headers: who.headers(false) }),
  };
}

/** Writes the draft; its version id. */
export async function writeDraft(
  server: TestServer,
  author: StaffCredentials,
  definition: ProductDefinition | Record<string, unknown>,
): Promise<string> {
  const draft = await calls(server).post(author, '/api/v1/products', { definition });
  expect(draft.status, draft.text).toBe(201);
  return (draft.json as { id: string }).id;
}

/** Asks for the version to be published; the approval request's id. */
export async function requestPublish(
  server: TestServer,
  author: StaffCredentials,
  versionId: string,
): Promise<string> {
  const request = await calls(server).post(
    author,
    `/api/v1/products/versions/${versionId}/publish-requests`,
    {
      reason: 'test product',
    },
  );
  expect(request.status, request.text).toBe(201);
  return (request.json as { id: string }).id;
}

/** Draft → publish request (maker) → approval (checker) over HTTP: the published version's id. */
export async function publishProduct(
  server: TestServer,
  maker: StaffCredentials,
  checker: StaffCredentials,
  definition: ProductDefinition,
): Promise<string> {
  const versionId = await writeDraft(server, maker, definition);
  const requestId = await requestPublish(server, maker, versionId);
  const approved = await calls(server).post(checker, `/api/v1/approvals/${requestId}/approve`, {});
  expect(approved.status, approved.text).toBe(200);
  return versionId;
}

/** Rows in every table a product operation may write to (its own, approvals, audit, outbox, ledger). */
export async function rowCounts(db: DB): Promise<Record<string, number>> {
  const result = await sql<Record<string, number>>`
    SELECT (SELECT count(*) FROM products)::int AS products,
           (SELECT count(*) FROM product_versions)::int AS versions,
           (SELECT count(*) FROM approval_requests)::int AS approvals,
           (SELECT count(*) FROM audit_log)::int AS audit,
           (SELECT count(*) FROM outbox_events)::int AS events,
           (SELECT count(*) FROM ledger_product_posting)::int AS postings`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('no counts');
  return row;
}
