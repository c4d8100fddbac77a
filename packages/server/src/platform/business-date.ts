import { parseLocalDate } from '@fenqi/core';
import { sql } from 'kysely';
import type { DB, PlatformDb, PlatformTx, Tx } from './db.ts';
import type { DateString } from './tables.ts';

// "Today" for lending logic is the business date stored in the database, never the wall clock.
// Close of business is the only code that advances it (advanceBusinessDate).

/** A real calendar date written YYYY-MM-DD (the core's LocalDate rules). */
export function isIsoDate(value: string): boolean {
  return parseLocalDate(value) !== undefined;
}

export async function getBusinessDate(connection: DB | Tx): Promise<DateString> {
  const db: PlatformDb = connection;
  const row = await db.selectFrom('business_date').select('business_date').executeTakeFirstOrThrow();
  return row.business_date;
}

/** Locks the business-date row: close of business holds it for the whole day switch. */
export async function lockBusinessDate(transaction: Tx): Promise<DateString> {
  const trx: PlatformTx = transaction;
  const row = await trx
    .selectFrom('business_date')
    .select('business_date')
    .forUpdate()
    .executeTakeFirstOrThrow();
  return row.business_date;
}

/**
 * Closes `expected` and makes the next day the business date. Fails if the date is not `expected`
 * (someone else closed it), so a repeated or concurrent close of business cannot skip a day.
 */
export async function advanceBusinessDate(transaction: Tx, expected: DateString): Promise<DateString> {
  const trx: PlatformTx = transaction;
  const row = await trx
    .updateTable('business_date')
    .set({ business_date: sql<DateString>`business_date + 1` })
    .where('business_date', '=', expected)
    .returning('business_date')
    .executeTakeFirst();
  if (!row) {
    const current = await getBusinessDate(transaction);
    throw new Error(`cannot close ${expected}: the business date is ${current}`);
  }
  return row.business_date;
}

export type SetBusinessDateResult =
  | { ok: true; from: DateString; to: DateString }
  | { ok: false; reason: string };

/**
 * Operator action for a new installation: choose the first business date. Refused once any day has
 * been closed, because booked business would then straddle the change.
 */
export async function setInitialBusinessDate(
  transaction: Tx,
  to: DateString,
): Promise<SetBusinessDateResult> {
  const trx: PlatformTx = transaction;
  const from = await lockBusinessDate(transaction);
  const closed = await trx
    .selectFrom('business_date_history')
    .select(sql<number>`1`.as('one'))
    .limit(1)
    .executeTakeFirst();
  if (closed) return { ok: false, reason: `day ${from} and earlier days were already closed` };
  await sql`SELECT set_config('fenqi.business_date_override', 'on', true)`.execute(trx);
  await trx.updateTable('business_date').set({ business_date: to }).execute();
  return { ok: true, from, to };
}
