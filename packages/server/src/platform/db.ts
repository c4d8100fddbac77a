import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { PlatformTables } from './tables.ts';

/**
 * A connection as it crosses context boundaries: typed with no tables. Each context's store types
 * it with its own tables (`Kysely<LedgerTables>`), so a query on another context's table does not
 * compile; services that other contexts call take this type and hand it to their store.
 */
export type NoTables = Record<never, never>;
export type DB = Kysely<NoTables>;
export type Tx = Transaction<NoTables>;

/** The platform's own tables (business date, idempotency keys, migrations, data keys). */
export type PlatformDb = Kysely<PlatformTables> | Transaction<PlatformTables>;
export type PlatformTx = Transaction<PlatformTables>;

const OID = { int8: 20, int8Array: 1016, date: 1082, dateArray: 1182 } as const;

// pg returns int8 and numeric as strings and dates as JS Date objects. Money is int8 and must
// become bigint exactly; business dates are plain YYYY-MM-DD values and must never pass through a
// Date (a time zone would shift them). numeric stays a decimal string for decimal.js.
const parseInt8Array = pg.types.getTypeParser(OID.int8Array as Parameters<typeof pg.types.getTypeParser>[0]);

function parseDateArray(value: string): (string | null)[] {
  // Arrays of dates come as {2026-01-31,NULL,...}; dates never contain commas or quotes.
  const inner = value.slice(1, -1);
  return inner === '' ? [] : inner.split(',').map((item) => (item === 'NULL' ? null : item));
}

export const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (format === 'binary') return pg.types.getTypeParser(oid, 'binary');
    switch (oid) {
      case OID.int8:
        return (value: string) => BigInt(value);
      case OID.int8Array:
        return (value: string) =>
          (parseInt8Array(value) as (string | null)[]).map((item) => (item === null ? null : BigInt(item)));
      case OID.date:
        return (value: string) => value;
      case OID.dateArray:
        return parseDateArray;
      default:
        return pg.types.getTypeParser(oid, 'text');
    }
  }) as pg.CustomTypesConfig['getTypeParser'],
};

export type PoolOptions = {
  connectionString: string;
  max?: number;
  statementTimeoutMs?: number;
  applicationName?: string;
};

export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    types: typeParsers,
    application_name: options.applicationName ?? 'fenqi',
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    // Sessions run in UTC; business dates never depend on the session time zone because they are
    // `date` values, and timestamps are instants (timestamptz).
    options: '-c TimeZone=UTC',
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client losing its connection (database restart) must not crash the process;
  // the pool discards it and the next checkout reconnects.
  pool.on('error', () => {});
  return pool;
}

/** A Kysely instance on the pool; `Tables` is what the caller may name (tests and tools: all). */
export function createDb<Tables = NoTables>(pool: pg.Pool): Kysely<Tables> {
  return new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
}
