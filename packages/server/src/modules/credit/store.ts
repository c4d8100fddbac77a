import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import type { DateString } from '../../platform/tables.ts';
import type {
  CreditDb,
  CreditLineHistoryTable,
  CreditLineTable,
  CreditReservationTable,
  CreditTx,
  ReservationStatus,
} from './tables.ts';

// The SQL of the credit module; nothing else touches its tables. Locking reads take a transaction
// only. Every operation on a person's lines locks that person's exposure row first and the line
// second, so two operations of one person queue on one row and never lock in opposite orders.

export type LineRow = Selectable<CreditLineTable>;
export type ReservationRow = Selectable<CreditReservationTable>;
export type HistoryRow = Selectable<CreditLineHistoryTable>;

/** Creates the customer's exposure row if it is missing, then locks it until the transaction ends. */
export async function lockExposureRow(trx: CreditTx, customerId: string): Promise<void> {
  // A concurrent first insert makes this one wait for it and then do nothing; the lock below then
  // queues behind whoever holds the row.
  await trx
    .insertInto('credit_exposures')
    .values({ customer_id: customerId })
    .onConflict((oc) => oc.column('customer_id').doNothing())
    .execute();
  await trx
    .selectFrom('credit_exposures')
    .select('customer_id')
    .where('customer_id', '=', customerId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

/** Marks a change of the customer's exposure (see the migration: stale readers then fail, not decide). */
export async function touchExposure(trx: CreditTx, customerId: string): Promise<void> {
  await trx
    .updateTable('credit_exposures')
    .set({ version: sql`version + 1`, updated_at: sql`now()` })
    .where('customer_id', '=', customerId)
    .execute();
}

/**
 * A person's exposure (docs/credit.md, "The exposure cap"): the limit of every line that can still
 * be drawn on (active, frozen), and what is still owed or held on the others (expired, closed).
 */
export async function exposureOf(db: CreditDb, customerId: string): Promise<bigint> {
  const result = await sql<{ exposure_minor: bigint }>`
    SELECT coalesce(sum(CASE WHEN status IN ('active', 'frozen') THEN limit_minor
                             ELSE used_minor - repaid_minor + reserved_minor END), 0)::int8 AS exposure_minor
    FROM credit_lines
    WHERE customer_id = ${customerId}`.execute(db);
  return result.rows[0]?.exposure_minor ?? 0n;
}

export async function insertLine(trx: CreditTx, row: Insertable<CreditLineTable>): Promise<LineRow> {
  return trx.insertInto('credit_lines').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findLine(db: CreditDb, lineId: string): Promise<LineRow | undefined> {
  return db.selectFrom('credit_lines').selectAll().where('id', '=', lineId).executeTakeFirst();
}

export async function lockLine(trx: CreditTx, lineId: string): Promise<LineRow | undefined> {
  return trx.selectFrom('credit_lines').selectAll().where('id', '=', lineId).forUpdate().executeTakeFirst();
}

export async function findLineByApplication(
  db: CreditDb,
  applicationId: string,
): Promise<LineRow | undefined> {
  return db
    .selectFrom('credit_lines')
    .selectAll()
    .where('application_id', '=', applicationId)
    .executeTakeFirst();
}

export async function linesOfCustomer(db: CreditDb, customerId: string): Promise<LineRow[]> {
  return db
    .selectFrom('credit_lines')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

export async function updateLine(
  trx: CreditTx,
  lineId: string,
  patch: Updateable<CreditLineTable>,
): Promise<LineRow> {
  return trx
    .updateTable('credit_lines')
    .set({ ...patch, updated_at: sql`now()` })
    .where('id', '=', lineId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertReservation(
  trx: CreditTx,
  row: Insertable<CreditReservationTable>,
): Promise<ReservationRow> {
  return trx.insertInto('credit_reservations').values(row).returningAll().executeTakeFirstOrThrow();
}

export type ReservationRef = { reservationId: string } | { sourceRef: string };

export async function findReservation(
  db: CreditDb,
  ref: ReservationRef,
): Promise<ReservationRow | undefined> {
  const query = db.selectFrom('credit_reservations').selectAll();
  return 'reservationId' in ref
    ? query.where('id', '=', ref.reservationId).executeTakeFirst()
    : query.where('source_ref', '=', ref.sourceRef).executeTakeFirst();
}

export async function lockReservation(trx: CreditTx, reservationId: string): Promise<ReservationRow> {
  return trx
    .selectFrom('credit_reservations')
    .selectAll()
    .where('id', '=', reservationId)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

export async function settleReservation(
  trx: CreditTx,
  reservationId: string,
  status: Exclude<ReservationStatus, 'held'>,
): Promise<ReservationRow> {
  return trx
    .updateTable('credit_reservations')
    .set({ status, settled_at: sql`now()` })
    .where('id', '=', reservationId)
    .where('status', '=', 'held')
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertHistory(
  trx: CreditTx,
  row: Insertable<CreditLineHistoryTable>,
): Promise<HistoryRow> {
  return trx.insertInto('credit_line_history').values(row).returningAll().executeTakeFirstOrThrow();
}

/** The history row of an earlier restore (or repayment count) for this repayment, if any. */
export async function findRestore(db: CreditDb, sourceRef: string): Promise<HistoryRow | undefined> {
  return db
    .selectFrom('credit_line_history')
    .selectAll()
    .where('source_ref', '=', sourceRef)
    .where('kind', 'in', ['restored', 'repaid'])
    .executeTakeFirst();
}

/** A line's history, newest first, a page at a time (`before` is the id of the last row seen). */
export async function historyOf(
  db: CreditDb,
  lineId: string,
  page: { before?: bigint | undefined; limit: number },
): Promise<HistoryRow[]> {
  let query = db
    .selectFrom('credit_line_history')
    .selectAll()
    .where('line_id', '=', lineId)
    .orderBy('id', 'desc')
    .limit(page.limit);
  if (page.before !== undefined) query = query.where('id', '<', page.before);
  return query.execute();
}

/**
 * Expires, in one statement, every line still counting with its limit whose last drawing date is
 * before `businessDate`, and writes each one's history row. Rows are locked in id order, so two
 * sweeps cannot deadlock each other; a frozen line's reason ends with its freeze.
 */
export async function expireDue(trx: CreditTx, businessDate: DateString): Promise<LineRow[]> {
  const result = await sql<LineRow>`
    WITH due AS (
      SELECT id FROM credit_lines
      WHERE status IN ('active', 'frozen') AND expires_on < ${businessDate}::date
      ORDER BY id
      FOR UPDATE
    ),
    expired AS (
      UPDATE credit_lines l
      SET status = 'expired', frozen_reason = NULL, updated_at = now()
      FROM due
      WHERE l.id = due.id
      RETURNING l.*
    ),
    history AS (
      INSERT INTO credit_line_history (
        line_id, customer_id, kind,
        limit_delta_minor, used_delta_minor, reserved_delta_minor, repaid_delta_minor,
        limit_after_minor, used_after_minor, reserved_after_minor, repaid_after_minor,
        available_after_minor, status_after, business_date)
      SELECT id, customer_id, 'expired', 0, 0, 0, 0,
             limit_minor, used_minor, reserved_minor, repaid_minor,
             limit_minor - used_minor - reserved_minor, 'expired', ${businessDate}::date
      FROM expired
    )
    SELECT * FROM expired ORDER BY id`.execute(trx);
  return result.rows;
}
