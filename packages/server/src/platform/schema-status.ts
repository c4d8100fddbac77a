import { sql } from 'kysely';
import type { DB } from './db.ts';
import { readMigrations } from './migrate.ts';

// Whether the database can serve this build: reachable, and migrated to the schema the build was
// written for. `fenqi serve` says it once at start-up and /readyz on every probe; each says what
// to do about it, and a database that answers is never called unreachable.

export type SchemaStatus =
  | { state: 'ready'; version: number }
  | { state: 'unmigrated'; expected: number }
  | { state: 'behind'; version: number; expected: number }
  | { state: 'unreachable'; reason: string };

/** SQLSTATE 42P01: the migrations table does not exist, so nothing was ever migrated. */
const undefinedTable = '42P01';

export const expectedSchemaVersion = (): number => readMigrations().at(-1)?.version ?? 0;

export async function schemaStatus(db: DB, expected = expectedSchemaVersion()): Promise<SchemaStatus> {
  try {
    const result = await sql<{ version: number | null }>`
      SELECT max(version) AS version FROM schema_migrations`.execute(db);
    const version = result.rows[0]?.version ?? 0;
    if (version === 0) return { state: 'unmigrated', expected };
    return version < expected ? { state: 'behind', version, expected } : { state: 'ready', version };
  } catch (error) {
    if ((error as { code?: unknown }).code === undefinedTable) return { state: 'unmigrated', expected };
    return { state: 'unreachable', reason: error instanceof Error ? error.message : String(error) };
  }
}

/** What an operator should read about a status that is not ready. */
export function schemaStatusMessage(status: Exclude<SchemaStatus, { state: 'ready' }>): string {
  switch (status.state) {
    case 'unmigrated':
      return 'schema not migrated: run `fenqi migrate` (or start with `fenqi serve --migrate`, or MIGRATE_ON_START=true)';
    case 'behind':
      return `schema at version ${status.version}, this build needs ${status.expected}: run \`fenqi migrate\``;
    case 'unreachable':
      return `the database is not reachable: ${status.reason}`;
  }
}
