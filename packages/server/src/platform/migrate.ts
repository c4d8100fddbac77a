import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

// Plain ordered SQL files, each applied in its own transaction, the whole run under one advisory
// lock so that any number of processes can start at once: the first applies, the others wait on the
// lock, then find nothing left to do. Files are immutable once applied (checksum checked).

export const migrationsDir = fileURLToPath(new URL('../../migrations/', import.meta.url));

/** pg_advisory_lock key owned by the migrator: the bytes of "fenqimig" read as an int8. */
const migrationLockKey = 0x66656e71696d6967n;

export type MigrationFile = { version: number; name: string; sql: string; checksum: string };

export function readMigrations(dir = migrationsDir): MigrationFile[] {
  const files = readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort();
  const migrations = files.map((file) => {
    const match = /^(\d{4})_([a-z0-9_]+)\.sql$/.exec(file);
    if (!match?.[1] || !match[2]) throw new Error(`migration file name ${file} is not NNNN_description.sql`);
    const sql = readFileSync(`${dir}/${file}`, 'utf8');
    return {
      version: Number(match[1]),
      name: match[2],
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    };
  });
  migrations.forEach((migration, index) => {
    const previous = migrations[index - 1];
    if (previous && previous.version === migration.version) {
      throw new Error(
        `two migrations share the number ${migration.version}: ${previous.name} and ${migration.name}`,
      );
    }
  });
  return migrations;
}

export type MigrateResult = { applied: { version: number; name: string }[]; current: number };

export async function migrate(
  connectionString: string,
  options: { dir?: string; log?: (message: string) => void } = {},
): Promise<MigrateResult> {
  const migrations = readMigrations(options.dir);
  const log = options.log ?? (() => {});
  const client = new pg.Client({ connectionString, application_name: 'fenqi-migrate' });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [migrationLockKey.toString()]);
    try {
      await client.query(`
        CREATE TABLE IF NOT EXISTS schema_migrations (
          version    integer PRIMARY KEY,
          name       text NOT NULL,
          checksum   text NOT NULL,
          applied_at timestamptz NOT NULL DEFAULT now()
        )`);
      const { rows } = await client.query<{ version: number; name: string; checksum: string }>(
        'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
      );
      const applied = new Map(rows.map((row) => [row.version, row]));
      const byVersion = new Map(migrations.map((migration) => [migration.version, migration]));
      for (const [version, row] of applied) {
        const file = byVersion.get(version);
        if (!file) {
          throw new Error(
            `the database has migration ${version} (${row.name}) that this build does not know: is this build older than the database?`,
          );
        }
        if (file.checksum !== row.checksum) {
          throw new Error(
            `migration ${String(version).padStart(4, '0')}_${file.name}.sql was changed after it was applied; ` +
              'add a new migration instead of editing an applied one',
          );
        }
      }
      const result: MigrateResult = { applied: [], current: rows.at(-1)?.version ?? 0 };
      for (const migration of migrations) {
        if (applied.has(migration.version)) continue;
        const label = `${String(migration.version).padStart(4, '0')}_${migration.name}`;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
            migration.version,
            migration.name,
            migration.checksum,
          ]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${label} failed: ${(error as Error).message}`, { cause: error });
        }
        log(`applied migration ${label}`);
        result.applied.push({ version: migration.version, name: migration.name });
        result.current = migration.version;
      }
      return result;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [migrationLockKey.toString()]);
    }
  } finally {
    await client.end();
  }
}
