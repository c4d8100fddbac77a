import { randomBytes, randomUUID } from 'node:crypto';
import { addDays, localDate } from '@fenqi/core';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll } from 'vitest';
import { type GrantInput, grantLine } from '../../src/modules/credit/service.ts';
import type { CreditTables } from '../../src/modules/credit/tables.ts';
import { getBusinessDate } from '../../src/platform/business-date.ts';
import { type Config, loadConfig } from '../../src/platform/config.ts';
import type { DB, Tx } from '../../src/platform/db.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { type Failure, failure } from '../support/failure.ts';

export { type Failure, failure };

// Factories and assertions for credit tests. Customers are plain ids to the credit module (the
// risk module checked them before granting), so a service test makes up its own.

const key = () => randomBytes(32).toString('base64');

/** A configuration for service tests (keys of their own; the cap as given, else the default). */
/**
 * A test file's own database and a credit configuration, made before its tests and dropped after
 * them; the objects are filled in by the hook, so read them inside tests and hooks.
 */
export function useCreditDatabase(): { database: TestDatabase; config: Config } {
  const database = {} as TestDatabase;
  const config = {} as Config;
  beforeAll(async () => {
    Object.assign(database, await createTestDatabase());
    Object.assign(config, creditConfig());
  });
  afterAll(async () => {
    await database.drop?.();
  });
  return { database, config };
}

export function creditConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    FENQI_MASTER_KEYS: `test1:${key()}`,
    FENQI_BLIND_INDEX_KEY: key(),
    FENQI_AUDIT_KEY: key(),
    FENQI_SESSION_KEY: key(),
    ...env,
  });
}

/** The connection seen with the credit tables, for a test's own assertions. */
export function creditTables(db: DB): Kysely<CreditTables> {
  return db;
}

export const system = { kind: 'system', id: 'risk' } as const;

/** Grants a line through the service, in a transaction of its own. */
export async function grant(db: DB, config: Config, input: Partial<GrantInput> = {}) {
  const today = await getBusinessDate(db);
  return db.transaction().execute((trx) =>
    grantLine(trx, config, {
      customerId: randomUUID(),
      applicationId: `app-${randomUUID()}`,
      limitMinor: 1_000_000n,
      productCodes: ['pos-installment'],
      revolving: true,
      expiresOn: addDays(localDate(today), 365),
      actor: system,
      ...input,
    }),
  );
}

/** Runs a function in a transaction of its own. */
export function inTx<T>(db: DB, work: (trx: Tx) => Promise<T>): Promise<T> {
  return db.transaction().execute(work);
}

/** Rows in every table a credit operation may write to (its own, the outbox, audit, approvals). */
export async function rowCounts(db: DB): Promise<Record<string, number>> {
  const result = await sql<Record<string, number>>`
    SELECT (SELECT count(*) FROM credit_exposures)::int AS exposures,
           (SELECT count(*) FROM credit_lines)::int AS lines,
           (SELECT count(*) FROM credit_reservations)::int AS reservations,
           (SELECT count(*) FROM credit_line_history)::int AS history,
           (SELECT count(*) FROM outbox_events)::int AS events,
           (SELECT count(*) FROM audit_log)::int AS audit,
           (SELECT count(*) FROM approval_requests)::int AS approvals`.execute(db);
  const row = result.rows[0];
  if (!row) throw new Error('no counts');
  return row;
}

/** Expects `work` to fail and leave every row count as it was; returns the failure. */
export async function refused(db: DB, work: () => Promise<unknown>): Promise<Failure> {
  const before = await rowCounts(db);
  const problem = await failure(work);
  expectEqual(await rowCounts(db), before);
  return problem;
}

function expectEqual(actual: unknown, expected: unknown): void {
  const a = JSON.stringify(actual);
  const b = JSON.stringify(expected);
  if (a !== b) throw new Error(`row counts changed: before ${b}, after ${a}`);
}

/** The events published about a line, oldest first, with their payloads. */
export async function eventsOf(
  db: DB,
  lineId: string,
): Promise<{ type: string; payload: Record<string, unknown> }[]> {
  const result = await sql<{ type: string; payload: Record<string, unknown> }>`
    SELECT type, payload FROM outbox_events
    WHERE subject_type = 'credit-line' AND subject_id = ${lineId} ORDER BY id`.execute(db);
  return result.rows;
}
