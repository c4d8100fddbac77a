import type pg from 'pg';
import { enqueueCallbacks } from './callbacks.ts';
import { type SimContext, shanghaiDate } from './context.ts';
import { type Behaviour, feeFor, type OrderKind } from './rules.ts';
import { loadSettlementDate, type Queryable } from './store.ts';

// Payment orders inside the channel: created once per order number, finished once (by the
// processor when due, at once for a synchronous collection, or by an admin), bounced at most once.

export type OrderStatus = 'PROCESSING' | 'SUCCEEDED' | 'FAILED' | 'BOUNCED';

export type Order = {
  orderNo: string;
  txnId: string;
  kind: OrderKind;
  status: OrderStatus;
  amountFen: bigint;
  feeFen: bigint;
  code: string | null;
  notifyUrl: string;
  agreementNo: string | null;
  originalOrderNo: string | null;
  behaviour: Behaviour;
  plannedStatus: 'SUCCEEDED' | 'FAILED';
  plannedCode: string | null;
  dueAt: Date | null;
  createdAt: Date;
  finishedAt: Date | null;
  settlementDate: string | null;
  bounceDueAt: Date | null;
  bouncedAt: Date | null;
  bounceSettlementDate: string | null;
};

// Dates are read as text: node-postgres would turn a DATE into a local-midnight Date.
export const orderColumns = `order_no, txn_id, kind, status, amount_fen, fee_fen, code, notify_url,
  agreement_no, original_order_no, behaviour, planned_status, planned_code, due_at, created_at,
  finished_at, settlement_date::text AS settlement_date, bounce_due_at, bounced_at,
  bounce_settlement_date::text AS bounce_settlement_date`;

type OrderRow = Record<string, unknown>;

export function toOrder(row: OrderRow): Order {
  return {
    orderNo: row.order_no as string,
    txnId: row.txn_id as string,
    kind: row.kind as OrderKind,
    status: row.status as OrderStatus,
    amountFen: BigInt(row.amount_fen as string),
    feeFen: BigInt(row.fee_fen as string),
    code: (row.code as string | null) ?? null,
    notifyUrl: row.notify_url as string,
    agreementNo: (row.agreement_no as string | null) ?? null,
    originalOrderNo: (row.original_order_no as string | null) ?? null,
    behaviour: row.behaviour as Behaviour,
    plannedStatus: row.planned_status as 'SUCCEEDED' | 'FAILED',
    plannedCode: (row.planned_code as string | null) ?? null,
    dueAt: (row.due_at as Date | null) ?? null,
    createdAt: row.created_at as Date,
    finishedAt: (row.finished_at as Date | null) ?? null,
    settlementDate: (row.settlement_date as string | null) ?? null,
    bounceDueAt: (row.bounce_due_at as Date | null) ?? null,
    bouncedAt: (row.bounced_at as Date | null) ?? null,
    bounceSettlementDate: (row.bounce_settlement_date as string | null) ?? null,
  };
}

export async function findOrder(db: Queryable, orderNo: string, forUpdate = false): Promise<Order | null> {
  const { rows } = await db.query(
    `SELECT ${orderColumns} FROM channel_sim.orders WHERE order_no = $1${forUpdate ? ' FOR UPDATE' : ''}`,
    [orderNo],
  );
  return rows[0] ? toOrder(rows[0]) : null;
}

export type NewOrder = {
  orderNo: string;
  kind: OrderKind;
  amountFen: bigint;
  notifyUrl: string;
  agreementNo?: string | null;
  originalOrderNo?: string | null;
  cardTail?: string | null;
  accountTail?: string | null;
  behaviour: Behaviour;
  plannedStatus: 'SUCCEEDED' | 'FAILED';
  plannedCode: string | null;
  /** When the processor finishes it; null = only an admin (or the request itself) does. */
  dueAtMs: number | null;
};

async function nextTxnId(db: Queryable, nowMs: number): Promise<string> {
  const { rows } = await db.query<{ n: string }>(`SELECT nextval('channel_sim.txn_seq')::text AS n`);
  const sequence = BigInt(rows[0]?.n ?? '0') % 100_000_000n;
  return `T${shanghaiDate(nowMs).replaceAll('-', '')}${String(sequence).padStart(8, '0')}`;
}

/** Null when the order number is taken: the channel refuses duplicates (BF00126). */
export async function createOrder(client: pg.PoolClient, context: SimContext, order: NewOrder) {
  const nowMs = context.now();
  const txnId = await nextTxnId(client, nowMs);
  const { rows } = await client.query(
    `INSERT INTO channel_sim.orders
       (order_no, txn_id, kind, status, amount_fen, notify_url, agreement_no, original_order_no,
        card_tail, account_tail, behaviour, planned_status, planned_code, due_at, created_at)
     VALUES ($1, $2, $3, 'PROCESSING', $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13, $14)
     ON CONFLICT (order_no) DO NOTHING
     RETURNING ${orderColumns}`,
    [
      order.orderNo,
      txnId,
      order.kind,
      order.amountFen.toString(),
      order.notifyUrl,
      order.agreementNo ?? null,
      order.originalOrderNo ?? null,
      order.cardTail ?? null,
      order.accountTail ?? null,
      JSON.stringify(order.behaviour),
      order.plannedStatus,
      order.plannedCode,
      order.dueAtMs === null ? null : new Date(order.dueAtMs),
      new Date(nowMs),
    ],
  );
  return rows[0] ? toOrder(rows[0]) : null;
}

async function settlementDateFor(db: Queryable, ms: number): Promise<string> {
  return (await loadSettlementDate(db)) ?? shanghaiDate(ms);
}

/** Finishes a processing order and queues its callbacks; null when it was not processing. */
export async function finishOrder(
  client: pg.PoolClient,
  context: SimContext,
  orderNo: string,
  status: 'SUCCEEDED' | 'FAILED',
  code: string | null,
): Promise<Order | null> {
  const order = await findOrder(client, orderNo, true);
  if (order?.status !== 'PROCESSING') return null;
  const nowMs = context.now();
  const fee = feeFor(order.kind, status, order.amountFen, context.payoutFeeFen);
  const bounceAfter = order.behaviour.bounceAfterMs;
  const bounceDue =
    status === 'SUCCEEDED' && order.kind === 'PAYOUT' && bounceAfter !== undefined
      ? new Date(nowMs + Math.round(bounceAfter * context.timeScale))
      : null;
  const { rows } = await client.query(
    `UPDATE channel_sim.orders
        SET status = $2, code = $3, fee_fen = $4, finished_at = $5, settlement_date = $6,
            due_at = NULL, bounce_due_at = $7
      WHERE order_no = $1
      RETURNING ${orderColumns}`,
    [
      orderNo,
      status,
      status === 'FAILED' ? (code ?? 'FAILED') : null,
      fee.toString(),
      new Date(nowMs),
      await settlementDateFor(client, nowMs),
      bounceDue,
    ],
  );
  const finished = toOrder(rows[0] as OrderRow);
  await enqueueCallbacks(client, context, finished);
  return finished;
}

/** A paid payout comes back; null when the order is not a succeeded payout. */
export async function bounceOrder(
  client: pg.PoolClient,
  context: SimContext,
  orderNo: string,
): Promise<Order | null> {
  const order = await findOrder(client, orderNo, true);
  if (order?.status !== 'SUCCEEDED' || order.kind !== 'PAYOUT') return null;
  const nowMs = context.now();
  const { rows } = await client.query(
    `UPDATE channel_sim.orders
        SET status = 'BOUNCED', bounced_at = $2, bounce_settlement_date = $3, bounce_due_at = NULL
      WHERE order_no = $1
      RETURNING ${orderColumns}`,
    [orderNo, new Date(nowMs), await settlementDateFor(client, nowMs)],
  );
  const bounced = toOrder(rows[0] as OrderRow);
  await enqueueCallbacks(client, context, bounced);
  return bounced;
}

/** The answer of `GET /v1/orders/{orderNo}`. */
export function queryView(order: Order) {
  return {
    found: true as const,
    orderNo: order.orderNo,
    txnId: order.txnId,
    kind: order.kind,
    status: order.status,
    amountFen: Number(order.amountFen),
    code: order.code,
    finishedAt: order.finishedAt?.toISOString() ?? null,
    ...(order.bouncedAt ? { bouncedAt: order.bouncedAt.toISOString() } : {}),
  };
}
