import { randomUUID } from 'node:crypto';
import { type LocalDate, loanTerms } from '@fenqi/core';
import { Decimal } from 'decimal.js';
import { sql } from 'kysely';
import { expect } from 'vitest';
import { collectionsConsumers } from '../../src/modules/collections/consumers.ts';
import type { DB } from '../../src/platform/db.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { deliverToConsumers, syncSubscriptions } from '../../src/platform/outbox/dispatcher.ts';
import type { Services } from '../../src/platform/services.ts';
import type { StaffCredentials } from '../iam/support.ts';
import { seedLoan } from '../servicing/seed.ts';
import { type HttpResult, http, type TestServer } from '../support/server.ts';

// What the collections tests share: loans seeded into servicing that close of business then makes
// overdue, collections' consumers subscribed and run deterministically, and staff calls.

export const consumers = new Map(collectionsConsumers.map((c) => [c.name, c]));

/** Subscribes collections' consumers: events published after this get a delivery for them. */
export async function subscribe(db: DB): Promise<void> {
  await syncSubscriptions(db, collectionsConsumers, false);
}

export async function deliver(server: TestServer, db: DB): Promise<number> {
  const services: Services = { config: server.config, db, logger: createLogger(server.config) };
  let total = 0;
  for (;;) {
    const n = await deliverToConsumers({ services, consumers });
    total += n;
    if (n === 0) return total;
  }
}

export const terms = (startDate: LocalDate) =>
  loanTerms({
    principalMinor: 1_200_000n,
    method: 'equal_installment',
    termCount: 12,
    startDate,
    annualRate: new Decimal('0.18'),
  });

export async function seedLoans(
  db: DB,
  start: LocalDate,
  n: number,
  options: Parameters<typeof seedLoan>[2] = {},
) {
  const loans = [];
  for (let i = 0; i < n; i++) loans.push(await seedLoan(db, terms(start), { graceDays: 3, ...options }));
  return loans;
}

export async function caseOfLoan(db: DB, loanId: string) {
  const result = await sql<{ id: string; state: string; agent_id: string | null; agency_id: string | null }>`
    SELECT id, state, agent_id, agency_id FROM collections_cases WHERE loan_id = ${loanId}
    ORDER BY created_at DESC LIMIT 1`.execute(db);
  return result.rows[0];
}

export async function count(db: DB, table: string, where = sql`true`): Promise<number> {
  const result = await sql<{
    n: number;
  }>`SELECT count(*)::int AS n FROM ${sql.table(table)} WHERE ${where}`.execute(db);
  return result.rows[0]?.n ?? 0;
}

/** Row counts of every collections table: a refused request must leave them as they were. */
export async function collectionsCounts(db: DB): Promise<Record<string, number>> {
  const tables = [
    'collections_cases',
    'collections_case_history',
    'collections_contact_targets',
    'collections_contact_attempts',
    'collections_promises',
    'collections_waivers',
    'collections_strategies',
    'collections_agencies',
    'collections_queues',
    'approval_requests',
  ];
  const counts: Record<string, number> = {};
  for (const table of tables) counts[table] = await count(db, table);
  return counts;
}

export function staff(server: TestServer, who: StaffCredentials) {
  return {
    get: (path: string) => http(server.baseUrl, 'GET', path, { headers: who.headers(false) }),
    send: (method: 'POST' | 'PATCH', path: string, body?: unknown, key: string = randomUUID()) =>
      http(server.baseUrl, method, path, {
        ...(body === undefined ? {} : { body }),
        headers: { ...who.headers(), 'idempotency-key': key },
      }),
  };
}

export function expectProblem(response: HttpResult, status: number, code: string) {
  expect(response.status, response.text).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
  expect((response.json as { code: string }).code).toBe(code);
  return response.json as Record<string, unknown>;
}
