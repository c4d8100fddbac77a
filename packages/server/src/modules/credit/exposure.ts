import { sql } from 'kysely';
import type { Config } from '../../platform/config.ts';
import type { DB, Tx } from '../../platform/db.ts';
import * as store from './store.ts';
import type { CreditDb, CreditTx } from './tables.ts';

// The per-person exposure cap (商业银行互联网贷款管理暂行办法, 2020: consumer credit to one person
// at most 200,000 CNY; CREDIT_EXPOSURE_CAP). A person's exposure is the limit of every line that
// can still be drawn on (active, frozen: a frozen line can be unfrozen without a new decision)
// plus, for lines that can no longer be drawn on (expired, closed), what is still owed or held on
// them. Counting limits rather than balances is what the rule caps (授信额度), and it lets a grant
// be decided without knowing future drawdowns.

export type Exposure = {
  customerId: string;
  capMinor: bigint;
  exposureMinor: bigint;
  /** What may still be granted: the cap less the exposure, never below zero. */
  headroomMinor: bigint;
  /** Lines that count with their limit (active or frozen). */
  linesHeld: number;
};

async function figures(db: CreditDb, config: Config, customerId: string): Promise<Exposure> {
  const capMinor = config.credit.exposureCapMinor;
  const exposureMinor = await store.exposureOf(db, customerId);
  const held = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM credit_lines
    WHERE customer_id = ${customerId} AND status IN ('active', 'frozen')`.execute(db);
  // A cap lowered below what was already granted leaves no headroom; the lines stay as they are.
  const headroomMinor = exposureMinor >= capMinor ? 0n : capMinor - exposureMinor;
  return { customerId, capMinor, exposureMinor, headroomMinor, linesHeld: held.rows[0]?.n ?? 0 };
}

/**
 * Locks the customer's exposure row (creating it on first use) for the rest of the transaction and
 * returns the exposure as it stands: every grant, limit adjustment and reservation of this person
 * takes the same lock first, so the figures cannot change until the caller commits. The risk
 * module calls it in its own transaction, clamps its offer to `headroomMinor`, then grantLine.
 */
export async function lockExposure(trx: Tx, config: Config, customerId: string): Promise<Exposure> {
  const t: CreditTx = trx;
  await store.lockExposureRow(t, customerId);
  // Read after the lock, in a statement of its own: under READ COMMITTED it sees every change
  // committed by whoever held the lock before.
  return figures(t, config, customerId);
}

/** The exposure as it stands, without a lock (for reading, never for deciding). */
export async function currentExposure(db: DB | Tx, config: Config, customerId: string): Promise<Exposure> {
  return figures(db as CreditDb, config, customerId);
}
