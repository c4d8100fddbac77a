import type pg from 'pg';
import type { Config } from './config.ts';
import { createDb, createPool, type DB } from './db.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import type { Logger } from './logger.ts';

export type Database = {
  url: string;
  pool: pg.Pool;
  db: DB;
  /** 'external' when DATABASE_URL names the server, 'embedded' when we started one. */
  kind: 'external' | 'embedded';
  close(): Promise<void>;
};

/**
 * The database named by DATABASE_URL, or else an embedded PostgreSQL whose data lives in
 * FENQI_PG_DIR (default .fenqi/pg) and which is stopped again by close().
 */
export async function openDatabase(
  config: Config,
  logger: Logger,
  applicationName = 'fenqi',
): Promise<Database> {
  const embedded =
    config.databaseUrl === undefined
      ? await startEmbeddedPostgres({
          dataDir: config.embeddedPgDir,
          log: (message) => logger.info({ component: 'embedded-postgres' }, message),
          warn: (message) => logger.warn({ component: 'embedded-postgres' }, message),
        })
      : undefined;
  const url = config.databaseUrl ?? embedded?.url;
  if (url === undefined) throw new Error('no database URL');
  const pool = createPool({
    connectionString: url,
    max: config.dbPoolMax,
    statementTimeoutMs: config.dbStatementTimeoutMs,
    applicationName,
  });
  const db = createDb(pool);
  return {
    url,
    pool,
    db,
    kind: embedded ? 'embedded' : 'external',
    async close() {
      await db.destroy().catch(() => {});
      if (embedded?.owned) await embedded.stop();
    },
  };
}
