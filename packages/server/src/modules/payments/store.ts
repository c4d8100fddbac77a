import type { PaymentOrderKind, PaymentOrderState } from '@fenqi/core';
import { type Insertable, type Selectable, sql, type Updateable } from 'kysely';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { Tx } from '../../platform/db.ts';
import type {
  CallbackOutcome,
  PaymentCardAgreementTable,
  PaymentCardBindingTable,
  PaymentExceptionTable,
  PaymentOrderTable,
  PaymentOrderTransitionTable,
  PaymentsDb,
  PaymentsTx,
} from './tables.ts';

// The SQL of payment orders, callbacks, bindings and exceptions; nothing else touches these tables
// (reconciliation's set-based SQL is in reconcile-store.ts). Jobs claim work with FOR UPDATE SKIP
// LOCKED, so any number of workers share it without taking the same order twice.

export type OrderRow = Selectable<PaymentOrderTable>;
export type TransitionRow = Selectable<PaymentOrderTransitionTable>;
export type AgreementRow = Selectable<PaymentCardAgreementTable>;
export type BindingRow = Selectable<PaymentCardBindingTable>;
export type ExceptionRow = Selectable<PaymentExceptionTable>;

/** Wakes the submitter in every worker when an order is created (delivered at commit). */
export const paymentsChannel = 'fenqi_payments';

/** Inserts an order, or returns undefined when a live order for the same source already exists. */
export async function insertOrder(
  trx: PaymentsTx,
  row: Insertable<PaymentOrderTable>,
): Promise<OrderRow | undefined> {
  const inserted = await trx
    .insertInto('payment_orders')
    .values(row)
    .onConflict((oc) => oc.column('source_ref').where('state', 'not in', ['failed', 'bounced']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) await sql`SELECT pg_notify(${paymentsChannel}, '')`.execute(trx);
  return inserted;
}

export async function liveOrderForSource(db: PaymentsDb, sourceRef: string): Promise<OrderRow | undefined> {
  return db
    .selectFrom('payment_orders')
    .selectAll()
    .where('source_ref', '=', sourceRef)
    .where('state', 'not in', ['failed', 'bounced'])
    .executeTakeFirst();
}

export async function findOrder(db: PaymentsDb, orderNo: string): Promise<OrderRow | undefined> {
  return db.selectFrom('payment_orders').selectAll().where('order_no', '=', orderNo).executeTakeFirst();
}

/** A collection from one customer's card for one loan: the borrower's read of their payment. */
export async function collectionOfCustomer(
  db: PaymentsDb,
  customerId: string,
  loanId: string,
  orderNo: string,
): Promise<OrderRow | undefined> {
  return db
    .selectFrom('payment_orders')
    .selectAll()
    .where('order_no', '=', orderNo)
    .where('kind', '=', 'collect')
    .where('customer_id', '=', customerId)
    .where('loan_id', '=', loanId)
    .executeTakeFirst();
}

export async function lockOrder(trx: PaymentsTx, orderNo: string): Promise<OrderRow | undefined> {
  return trx
    .selectFrom('payment_orders')
    .selectAll()
    .where('order_no', '=', orderNo)
    .forUpdate()
    .executeTakeFirst();
}

export async function lockOrderById(trx: PaymentsTx, id: bigint): Promise<OrderRow | undefined> {
  return trx.selectFrom('payment_orders').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function updateOrder(
  trx: PaymentsTx,
  id: bigint,
  patch: Omit<Updateable<PaymentOrderTable>, 'id' | 'order_no'>,
): Promise<OrderRow> {
  return trx
    .updateTable('payment_orders')
    .set({ ...patch, updated_at: sql`now()` })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function insertTransition(
  trx: PaymentsTx,
  row: Omit<Insertable<PaymentOrderTransitionTable>, 'seq' | 'at'>,
): Promise<void> {
  await sql`
    INSERT INTO payment_order_transitions (order_id, seq, from_state, to_state, source, channel_status, code)
    SELECT ${row.order_id}, coalesce(max(seq), 0) + 1, ${row.from_state}, ${row.to_state}, ${row.source},
           ${row.channel_status ?? null}, ${row.code ?? null}
    FROM payment_order_transitions WHERE order_id = ${row.order_id}`.execute(trx);
}

export async function transitionsOf(db: PaymentsDb, orderId: bigint): Promise<TransitionRow[]> {
  return db
    .selectFrom('payment_order_transitions')
    .selectAll()
    .where('order_id', '=', orderId)
    .orderBy('seq')
    .execute();
}

/**
 * Claims created orders that are due, marking them submitted (with their first transition) in the
 * claiming transaction: once this commits, the order may have been sent, and is never "created"
 * again. `retryAt` is when the query job looks at an order whose submission never got an answer.
 */
export async function claimCreated(
  trx: PaymentsTx,
  now: Date,
  retryAt: Date,
  limit: number,
): Promise<OrderRow[]> {
  const claimed = await sql<OrderRow>`
    UPDATE payment_orders o
    SET state = 'submitted', submit_attempts = o.submit_attempts + 1, next_action_at = ${retryAt}, updated_at = now()
    WHERE o.id IN (
      SELECT id FROM payment_orders
      WHERE state = 'created' AND next_action_at <= ${now}
      ORDER BY next_action_at
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED)
    RETURNING o.*`.execute(trx);
  if (claimed.rows.length > 0) {
    await sql`
      INSERT INTO payment_order_transitions (order_id, seq, from_state, to_state, source)
      SELECT id, 1, 'created', 'submitted', 'submit' FROM unnest(${claimed.rows.map((row) => row.id)}::int8[]) AS id`.execute(
      trx,
    );
  }
  return claimed.rows;
}

/**
 * Leases unresolved orders whose next look is due, pushing that look out by the back-off (the first
 * after `afterMs`, doubling, at most `maxMs`): a worker that dies mid-query leaves the order to the
 * next lease, and a slow channel is not asked more often than the back-off allows.
 */
export async function leaseUnresolved(
  trx: PaymentsTx,
  now: Date,
  backoff: { afterMs: number; maxMs: number },
  limit: number,
): Promise<OrderRow[]> {
  const leased = await sql<OrderRow>`
    UPDATE payment_orders o
    SET query_attempts = o.query_attempts + 1,
        next_action_at = ${now}::timestamptz
          + make_interval(secs => least(${backoff.afterMs}::float8 * power(2, least(o.query_attempts, 40)), ${backoff.maxMs}) / 1000.0),
        updated_at = now()
    WHERE o.id IN (
      SELECT id FROM payment_orders
      WHERE state IN ('submitted', 'processing', 'unknown') AND next_action_at <= ${now}
      ORDER BY next_action_at
      LIMIT ${limit}
      FOR UPDATE SKIP LOCKED)
    RETURNING o.*`.execute(trx);
  return leased.rows;
}

/** Orders still without an outcome since before `createdBefore`, not yet escalated. */
export async function markUnescalated(trx: PaymentsTx, createdBefore: Date, now: Date): Promise<OrderRow[]> {
  const marked = await sql<OrderRow>`
    UPDATE payment_orders SET escalated_at = ${now}
    WHERE state IN ('created', 'submitted', 'processing', 'unknown') AND escalated_at IS NULL
      AND created_at < ${createdBefore}
    RETURNING *`.execute(trx);
  return marked.rows;
}

/** Sets when an order is next looked at (an operator asking for a query now, a resend). */
export async function scheduleOrder(db: PaymentsDb, id: bigint, at: Date): Promise<void> {
  await db
    .updateTable('payment_orders')
    .set({ next_action_at: at, updated_at: sql`now()` })
    .where('id', '=', id)
    .execute();
}

export type OrderFilter = {
  state?: PaymentOrderState | undefined;
  channel?: string | undefined;
  sourceRef?: string | undefined;
  loanId?: string | undefined;
  kind?: PaymentOrderKind | undefined;
  purpose?: string | undefined;
  /** Orders with an id below this (the next page). */
  before?: bigint | undefined;
  limit: number;
};

export async function listOrders(db: PaymentsDb, filter: OrderFilter): Promise<OrderRow[]> {
  let query = db.selectFrom('payment_orders').selectAll().orderBy('id', 'desc').limit(filter.limit);
  if (filter.state !== undefined) query = query.where('state', '=', filter.state);
  if (filter.channel !== undefined) query = query.where('channel', '=', filter.channel);
  if (filter.sourceRef !== undefined) query = query.where('source_ref', '=', filter.sourceRef);
  if (filter.loanId !== undefined) query = query.where('loan_id', '=', filter.loanId);
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind);
  if (filter.purpose !== undefined) query = query.where('purpose', '=', filter.purpose);
  if (filter.before !== undefined) query = query.where('id', '<', filter.before);
  return query.execute();
}

/** What refunds of a collection already take (live and paid ones), so refunds never exceed it. */
export async function refundedOf(trx: PaymentsTx, originalOrderId: bigint): Promise<bigint> {
  const row = await sql<{ total: string }>`
    SELECT coalesce(sum(amount_minor), 0)::text AS total FROM payment_orders
    WHERE original_order_id = ${originalOrderId} AND kind = 'refund' AND state <> 'failed'`.execute(trx);
  return BigInt(row.rows[0]?.total ?? '0');
}

// ---- Callbacks ----

/**
 * Records a callback by (channel, transaction id, status). Returns the stored outcome of the first
 * one when this is a repeat (and counts the repeat), or undefined when it is new.
 */
export async function recordCallback(
  trx: PaymentsTx,
  row: { channel: string; txnId: string; status: string; orderNo: string; amountMinor: bigint },
): Promise<{ repeatOf: string } | undefined> {
  // xmax is non-zero on the row an ON CONFLICT DO UPDATE updated: the callback was seen before.
  const recorded = await sql<{ repeated: boolean; outcome: string }>`
    INSERT INTO payment_callbacks (channel, txn_id, status, order_no, amount_minor, outcome)
    VALUES (${row.channel}, ${row.txnId}, ${row.status}, ${row.orderNo}, ${row.amountMinor}, 'applied')
    ON CONFLICT (channel, txn_id, status) DO UPDATE SET repeats = payment_callbacks.repeats + 1
    RETURNING NOT (xmax = 0) AS repeated, outcome`.execute(trx);
  const result = recorded.rows[0];
  return result?.repeated ? { repeatOf: result.outcome } : undefined;
}

export async function setCallbackOutcome(
  trx: PaymentsTx,
  key: { channel: string; txnId: string; status: string },
  outcome: CallbackOutcome,
): Promise<void> {
  await trx
    .updateTable('payment_callbacks')
    .set({ outcome })
    .where('channel', '=', key.channel)
    .where('txn_id', '=', key.txnId)
    .where('status', '=', key.status)
    .execute();
}

/** Records a callback's nonce; false when it was seen before (a replay). */
export async function recordNonce(trx: PaymentsTx, channel: string, nonce: string): Promise<boolean> {
  const inserted = await trx
    .insertInto('payment_callback_nonces')
    .values({ channel, nonce })
    .onConflict((oc) => oc.columns(['channel', 'nonce']).doNothing())
    .returning('nonce')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function pruneNonces(db: PaymentsDb, seenBefore: Date): Promise<number> {
  const result = await db
    .deleteFrom('payment_callback_nonces')
    .where('seen_at', '<', seenBefore)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

// ---- Exceptions ----

/** Raises an exception item; raising the same one again (same dedupe key) is a no-op. */
export async function raiseException(
  trx: Tx,
  row: Omit<Insertable<PaymentExceptionTable>, 'id' | 'status' | 'raised_at' | 'business_date'>,
): Promise<boolean> {
  const t: PaymentsTx = trx;
  const inserted = await t
    .insertInto('payment_exceptions')
    .values({ ...row, business_date: await getBusinessDate(trx) })
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0;
}

export type ExceptionFilter = {
  status?: 'open' | 'resolved' | undefined;
  kind?: string | undefined;
  channel?: string | undefined;
  statementId?: bigint | undefined;
  before?: bigint | undefined;
  limit: number;
};

export async function listExceptions(db: PaymentsDb, filter: ExceptionFilter): Promise<ExceptionRow[]> {
  let query = db.selectFrom('payment_exceptions').selectAll().orderBy('id', 'desc').limit(filter.limit);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.kind !== undefined) query = query.where('kind', '=', filter.kind as ExceptionRow['kind']);
  if (filter.channel !== undefined) query = query.where('channel', '=', filter.channel);
  if (filter.statementId !== undefined) query = query.where('statement_id', '=', filter.statementId);
  if (filter.before !== undefined) query = query.where('id', '<', filter.before);
  return query.execute();
}

export async function lockException(trx: PaymentsTx, id: bigint): Promise<ExceptionRow | undefined> {
  return trx.selectFrom('payment_exceptions').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function findException(db: PaymentsDb, id: bigint): Promise<ExceptionRow | undefined> {
  return db.selectFrom('payment_exceptions').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function resolveException(
  trx: PaymentsTx,
  id: bigint,
  resolution: {
    resolution: 'no_action' | 'ledger_adjustment';
    note: string;
    by: string;
    entryId: bigint | null;
  },
): Promise<ExceptionRow> {
  return trx
    .updateTable('payment_exceptions')
    .set({
      status: 'resolved',
      resolution: resolution.resolution,
      resolution_note: resolution.note,
      resolved_by: resolution.by,
      adjustment_entry_id: resolution.entryId,
      resolved_at: sql`now()`,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

// ---- Card bindings and agreements ----

export async function insertBinding(
  trx: PaymentsTx,
  row: Insertable<PaymentCardBindingTable>,
): Promise<BindingRow> {
  return trx.insertInto('payment_card_bindings').values(row).returningAll().executeTakeFirstOrThrow();
}

/** A binding of the given customer (the borrower's own, resolved from their scope), optionally locked. */
export async function bindingOfCustomer(
  db: PaymentsDb,
  customerId: string,
  id: string,
  lock: boolean,
): Promise<BindingRow | undefined> {
  let query = db
    .selectFrom('payment_card_bindings')
    .selectAll()
    .where('id', '=', id)
    .where('customer_id', '=', customerId);
  if (lock) query = query.forUpdate();
  return query.executeTakeFirst();
}

export async function updateBinding(
  trx: PaymentsTx,
  id: string,
  patch: Omit<Updateable<PaymentCardBindingTable>, 'id'>,
): Promise<BindingRow> {
  return trx
    .updateTable('payment_card_bindings')
    .set(patch)
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Voids the card's active agreement on the channel, if any; returns it. */
export async function voidActiveAgreement(
  trx: PaymentsTx,
  channel: string,
  cardId: string,
): Promise<AgreementRow | undefined> {
  return trx
    .updateTable('payment_card_agreements')
    .set({ status: 'void', voided_at: sql`now()` })
    .where('channel', '=', channel)
    .where('card_id', '=', cardId)
    .where('status', '=', 'active')
    .returningAll()
    .executeTakeFirst();
}

export async function insertAgreement(
  trx: PaymentsTx,
  row: Insertable<PaymentCardAgreementTable>,
): Promise<AgreementRow> {
  return trx.insertInto('payment_card_agreements').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findAgreement(db: PaymentsDb, id: string): Promise<AgreementRow | undefined> {
  return db.selectFrom('payment_card_agreements').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function lockAgreement(trx: PaymentsTx, id: string): Promise<AgreementRow | undefined> {
  return trx
    .selectFrom('payment_card_agreements')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
}

export async function agreementOfCustomer(
  db: PaymentsDb,
  customerId: string,
  id: string,
): Promise<AgreementRow | undefined> {
  return db
    .selectFrom('payment_card_agreements')
    .selectAll()
    .where('id', '=', id)
    .where('customer_id', '=', customerId)
    .executeTakeFirst();
}

export async function agreementsOfCustomer(db: PaymentsDb, customerId: string): Promise<AgreementRow[]> {
  return db
    .selectFrom('payment_card_agreements')
    .selectAll()
    .where('customer_id', '=', customerId)
    .orderBy('created_at', 'desc')
    .execute();
}

export async function orderNoOf(db: PaymentsDb, id: bigint): Promise<string> {
  const row = await db
    .selectFrom('payment_orders')
    .select('order_no')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return row.order_no;
}
