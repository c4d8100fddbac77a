import type pg from 'pg';
import { type Rule, rulesSchema } from './rules.ts';
import { toleranceSeconds } from './signature.ts';

// Small SQL helpers shared by the simulator's parts: transactions, settings, nonces.

export type Queryable = pg.Pool | pg.PoolClient;

export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

async function getSetting(db: Queryable, key: string): Promise<unknown> {
  const { rows } = await db.query<{ value: unknown }>(
    `SELECT value FROM channel_sim.settings WHERE key = $1`,
    [key],
  );
  return rows[0]?.value;
}

async function putSetting(db: Queryable, key: string, value: unknown): Promise<void> {
  await db.query(
    `INSERT INTO channel_sim.settings (key, value) VALUES ($1, $2::jsonb)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
    [key, JSON.stringify(value)],
  );
}

export async function loadRules(db: Queryable): Promise<Rule[]> {
  const parsed = rulesSchema.safeParse((await getSetting(db, 'rules')) ?? []);
  return parsed.success ? parsed.data : [];
}

export const saveRules = (db: Queryable, rules: Rule[]) => putSetting(db, 'rules', rules);

export async function loadSettlementDate(db: Queryable): Promise<string | null> {
  const value = await getSetting(db, 'settlement_date');
  return typeof value === 'string' ? value : null;
}

export const saveSettlementDate = (db: Queryable, date: string | null) =>
  putSetting(db, 'settlement_date', date);

/** Records a nonce; false when it was already seen inside the signature window. */
export async function rememberNonce(db: Queryable, nonce: string, nowMs: number): Promise<boolean> {
  const { rowCount } = await db.query(
    `INSERT INTO channel_sim.nonces (nonce, seen_at) VALUES ($1, to_timestamp($2::double precision / 1000))
     ON CONFLICT (nonce) DO UPDATE SET seen_at = excluded.seen_at
       WHERE channel_sim.nonces.seen_at < excluded.seen_at - make_interval(secs => $3)`,
    [nonce, nowMs, toleranceSeconds],
  );
  return rowCount === 1;
}

/** Nonces older than twice the window can never be replayed inside it. */
export async function pruneNonces(db: Queryable, nowMs: number): Promise<void> {
  await db.query(
    `DELETE FROM channel_sim.nonces WHERE seen_at < to_timestamp($1::double precision / 1000) - make_interval(secs => $2)`,
    [nowMs, toleranceSeconds * 2],
  );
}

export const at = (ms: number) => new Date(ms);
