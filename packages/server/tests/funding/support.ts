import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { expect } from 'vitest';
import {
  createFunder,
  type NewFunder,
  type RuleChange,
  setRuleApproval,
} from '../../src/modules/funding/service.ts';
import { createApiClient } from '../../src/modules/iam/partners.ts';
import type { Config } from '../../src/platform/config.ts';
import type { DB, Tx } from '../../src/platform/db.ts';
import { createStaff, type StaffCredentials, signedHeaders, signIn } from '../iam/support.ts';
import { type Failure, failure } from '../support/failure.ts';
import { type HttpResult, http, type TestServer } from '../support/server.ts';

export { type Failure, failure };

// Factories and assertions for funding tests: funders and rules made through the services (a rule
// through its approval action, as a checker's approval runs it), funders' API clients, staff
// calls, and the row counts that show a refused request wrote nothing.

const origin = { ip: null, requestId: null };
const staffActor = { kind: 'staff', id: randomUUID() } as const;

export function inTx<T>(db: DB, work: (trx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(work);
}

let sequence = 0;
/** A funder code no other test of the file uses. */
export function funderCode(prefix: string): string {
  sequence += 1;
  return `${prefix}_${sequence}_${randomBytes(2).toString('hex').toUpperCase()}`;
}

/** A funder added through the service. */
export async function addFunder(db: DB, config: Config, input: Partial<NewFunder> & Pick<NewFunder, 'kind'>) {
  return inTx(db, (trx) =>
    createFunder(trx, config, {
      code: funderCode(input.kind === 'bank' ? 'BANK' : 'POOL'),
      name: input.kind === 'bank' ? '测试银行 Test Bank' : '测试资金池 Test Pool',
      quotaMinor: 100_000_000_00n,
      ...(input.kind === 'investor_pool' ? { custodyBankName: '存管银行 Custody Bank' } : {}),
      ...input,
      actor: staffActor,
      origin,
    }),
  );
}

/** A rule written as an approved change writes it (checked again, a new version). */
export async function setRule(
  db: DB,
  config: Config,
  productCode: string,
  rule: Omit<RuleChange, 'reason' | 'minBankShareBp'> & { minBankShareBp?: number },
) {
  return inTx(db, (trx) =>
    setRuleApproval.execute(
      trx,
      { productCode, minBankShareBp: 3000, reason: 'test rule', ...rule },
      { config, requestId: randomUUID(), makerId: 'maker', checkerId: 'checker', origin },
    ),
  );
}

export const newProductCode = () => `pos-${randomBytes(4).toString('hex')}`;

/** A funder's API client (IAM api client with ownerKind funder), for signed calls. */
export async function funderClient(db: DB, config: Config, funderId: string) {
  return inTx(db, (trx) =>
    createApiClient(trx, config, {
      ownerKind: 'funder',
      ownerId: funderId,
      name: `funder ${funderId}`,
      actor: staffActor,
      origin,
    }),
  );
}

export type Client = { keyId: string; secret: string };

/** Calls as a signed partner (GET, or a command with an Idempotency-Key). */
export function signedCall(server: TestServer, client: Client) {
  return {
    get: (path: string) =>
      http(server.baseUrl, 'GET', path, { headers: signedHeaders(client, 'GET', path, '') }),
    post: (path: string, body: unknown, key: string = randomUUID()) => {
      const raw = JSON.stringify(body);
      return http(server.baseUrl, 'POST', path, {
        rawBody: raw,
        headers: {
          ...signedHeaders(client, 'POST', path, raw),
          'content-type': 'application/json',
          'idempotency-key': key,
        },
      });
    },
  };
}

/** Two finance users (each holds funding:manage and funding:approve), signed in: maker and checker. */
export async function financeStaff(db: DB, config: Config) {
  const maker = await signIn(db, config, await createStaff(db, config, ['finance']));
  const checker = await signIn(db, config, await createStaff(db, config, ['finance']));
  return { maker, checker };
}

export function staffCall(server: TestServer, who: StaffCredentials) {
  return {
    get: (path: string) => http(server.baseUrl, 'GET', path, { headers: who.headers(false) }),
    send: (method: 'POST' | 'PATCH', path: string, body: unknown = {}, key: string = randomUUID()) =>
      http(server.baseUrl, method, path, { body, headers: { ...who.headers(), 'idempotency-key': key } }),
  };
}

/** Rows in every table a funding operation may write to (its own, the ledger's, audit, approvals). */
export async function rowCounts(db: DB): Promise<Record<string, number>> {
  const result = await sql<Record<string, number>>`
    SELECT (SELECT count(*) FROM funding_funders)::int AS funders,
           (SELECT coalesce(sum(used_minor), 0)::text FROM funding_funders) AS used,
           (SELECT count(*) FROM funding_rule_versions)::int AS rules,
           (SELECT count(*) FROM funding_allocations)::int AS allocations,
           (SELECT count(*) FROM funding_allocations WHERE status = 'released')::int AS released,
           (SELECT count(*) FROM funding_allocation_shares)::int AS shares,
           (SELECT count(*) FROM funding_custody_accounts)::int AS custody_accounts,
           (SELECT coalesce(sum(balance_minor), 0)::text FROM funding_custody_accounts) AS custody_balances,
           (SELECT count(*) FROM funding_custody_instructions)::int AS instructions,
           (SELECT count(*) FROM ledger_entries)::int AS entries,
           (SELECT count(*) FROM audit_log)::int AS audit,
           (SELECT count(*) FROM approval_requests)::int AS approvals`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('no counts');
  return row;
}

/** Expects a service call to fail and leave every row count as it was; returns the failure. */
export async function refused(db: DB, work: () => Promise<unknown>): Promise<Failure> {
  const before = await rowCounts(db);
  const problem = await failure(work);
  expect(await rowCounts(db)).toEqual(before);
  return problem;
}

/** Sends a request that must be refused with `status`, and checks that it wrote nothing. */
export async function refusedOverHttp(db: DB, status: number, send: () => Promise<HttpResult>) {
  const before = await rowCounts(db);
  const response = await send();
  expect(response.status, response.text).toBe(status);
  expect(await rowCounts(db)).toEqual(before);
  return response.json as Record<string, unknown>;
}
