import { sql } from 'kysely';
import { z } from 'zod';
import { readPermission, writePermission } from '../../src/modules/iam/service.ts';
import type { ContextModule } from '../../src/modules/module.ts';
import type { DB } from '../../src/platform/db.ts';
import { AppError } from '../../src/platform/errors.ts';
import { commandRoute, queryRoute } from '../../src/platform/http/route.ts';
import { text } from '../../src/platform/http/text.ts';

// A minimal module used only by the platform tests: one table, a command that writes one row, a
// query, and handlers that fail on purpose. It exercises the route kinds the real modules use.

export async function createNotesTable(db: DB): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS test_notes (
    id bigserial PRIMARY KEY,
    text text NOT NULL,
    amount_minor bigint NOT NULL DEFAULT 0
  )`.execute(db);
  await sql`CREATE TABLE IF NOT EXISTS test_note_tags (tag text PRIMARY KEY)`.execute(db);
}

const note = z.object({ id: z.string(), text: z.string(), amountMinor: z.string() });

const createNote = z.strictObject({
  text: text().min(1, 'must not be empty').max(200),
  amount: text()
    .regex(/^\d+(\.\d{1,2})?$/, 'must be a decimal amount with at most 2 decimals')
    .optional(),
  delayMs: z.number().int().min(0).max(5000).optional(),
  // Waits, after the write, for an advisory lock the test holds: the test decides when it ends.
  holdLock: z.number().int().optional(),
  // `duplicate` writes a second row with the same unique tag: a race no store anticipated.
  failAfterWrite: z.enum(['domain', 'bug', 'duplicate']).optional(),
});

function toMinor(amount: string | undefined): bigint {
  if (amount === undefined) return 0n;
  const [units = '0', cents = ''] = amount.split('.');
  return BigInt(units) * 100n + BigInt(cents.padEnd(2, '0'));
}

export const notesModule: ContextModule = {
  name: 'test-notes',
  permissions: {
    'test-notes:read': readPermission('Read test notes'),
    'test-notes:write': writePermission('Write test notes'),
  },
  routes: [
    commandRoute({
      method: 'POST',
      url: '/api/v1/test-notes',
      permission: 'test-notes:write',
      summary: 'Create a note (test module)',
      tags: ['test'],
      schema: { body: createNote, response: { 201: note } },
      handler: async ({ trx, body }) => {
        const inserted = await sql<{ id: bigint; text: string; amount_minor: bigint }>`
          INSERT INTO test_notes (text, amount_minor) VALUES (${body.text}, ${toMinor(body.amount)})
          RETURNING id, text, amount_minor`.execute(trx);
        const row = inserted.rows[0];
        if (!row) throw new Error('insert returned no row');
        if (body.delayMs) await sql`SELECT pg_sleep(${body.delayMs / 1000})`.execute(trx);
        if (body.holdLock !== undefined)
          await sql`SELECT pg_advisory_xact_lock(${body.holdLock})`.execute(trx);
        if (body.failAfterWrite === 'domain')
          throw new AppError('validation_failed', 'rejected after the write, on purpose');
        if (body.failAfterWrite === 'bug')
          throw new Error('internal detail that must not leak: secret-table-name');
        if (body.failAfterWrite === 'duplicate') {
          await sql`INSERT INTO test_note_tags (tag) VALUES ('same'), ('same')`.execute(trx);
        }
        return {
          status: 201,
          body: { id: String(row.id), text: row.text, amountMinor: String(row.amount_minor) },
        };
      },
    }),
    commandRoute({
      method: 'POST',
      url: '/api/v1/test-notes/:id/touch',
      permission: 'test-notes:write',
      summary: 'A command without a request body (test module)',
      tags: ['test'],
      schema: {
        params: z.strictObject({ id: text().regex(/^\d+$/) }),
        response: { 200: z.object({ id: z.string() }) },
      },
      handler: async ({ params }) => ({ status: 200, body: { id: params.id } }),
    }),
    queryRoute({
      method: 'GET',
      url: '/api/v1/test-notes/:id',
      permission: 'test-notes:read',
      summary: 'Read a note (test module)',
      tags: ['test'],
      schema: { params: z.strictObject({ id: text().regex(/^\d+$/) }), response: { 200: note } },
      handler: async ({ db, params }) => {
        const result = await sql<{ id: bigint; text: string; amount_minor: bigint }>`
          SELECT id, text, amount_minor FROM test_notes WHERE id = ${params.id}`.execute(db);
        const row = result.rows[0];
        if (!row) throw new AppError('not_found', `There is no note ${params.id}.`);
        return {
          status: 200,
          body: { id: String(row.id), text: row.text, amountMinor: String(row.amount_minor) },
        };
      },
    }),
  ],
};

export async function countNotes(db: DB): Promise<number> {
  const result = await sql<{ n: bigint }>`SELECT count(*) AS n FROM test_notes`.execute(db);
  return Number(result.rows[0]?.n ?? 0n);
}
