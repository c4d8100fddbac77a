import type pg from 'pg';
import type { SimContext } from './context.ts';
import type { Order } from './orders.ts';
import { signSimRequest } from './signature.ts';
import type { Queryable } from './store.ts';

// Callbacks are rows first and HTTP second: queued in the transaction that finishes (or bounces)
// the order, then delivered by a background loop, so a restart loses none. A delivery counts only
// when the receiver answers 200 with the body SUCCESS; anything else is retried on the schedule.

/** WeChat Pay's notification schedule, in seconds after each failed attempt. */
export const retrySchedule = [
  15, 15, 30, 180, 600, 1200, 1800, 1800, 1800, 3600, 10800, 10800, 10800, 21600, 21600,
];

const deliveryTimeoutMs = 10_000;

type CallbackStatus = Order['status'];

function callbackBody(order: Order, status: CallbackStatus): string {
  const stale = status === 'PROCESSING';
  return JSON.stringify({
    txnId: order.txnId,
    orderNo: order.orderNo,
    kind: order.kind,
    status,
    amountFen: Number(order.amountFen),
    code: stale ? null : order.code,
    finishedAt: stale ? null : (order.finishedAt?.toISOString() ?? null),
    ...(status === 'BOUNCED' && order.bouncedAt ? { bouncedAt: order.bouncedAt.toISOString() } : {}),
  });
}

export async function enqueueCallbacks(
  client: pg.PoolClient,
  context: SimContext,
  order: Order,
): Promise<void> {
  const behaviour = order.behaviour;
  if (behaviour.dropCallbacks) return;
  const nowMs = context.now();
  const copies = 1 + (behaviour.duplicateCallbacks ?? 0);
  const queue: { status: CallbackStatus; atMs: number }[] = [];
  for (let i = 0; i < copies; i++) queue.push({ status: order.status, atMs: nowMs });
  // Queued after the final ones and delivered after them (deliveries of one order are in order).
  if (behaviour.reorderCallbacks && order.status !== 'BOUNCED')
    queue.push({ status: 'PROCESSING', atMs: nowMs + 1 });
  for (const item of queue) {
    await client.query(
      `INSERT INTO channel_sim.callbacks (order_no, notify_url, body, status, next_attempt_at, created_at)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        order.orderNo,
        order.notifyUrl,
        callbackBody(order, item.status),
        item.status,
        new Date(item.atMs),
        new Date(nowMs),
      ],
    );
  }
  context.wake();
}

type DueCallback = { id: string; order_no: string; notify_url: string; body: string; attempts: number };

async function deliver(context: SimContext, callback: DueCallback): Promise<void> {
  const url = new URL(callback.notify_url);
  const headers = signSimRequest({
    merchantNo: context.merchantNo,
    secret: context.secret,
    method: 'POST',
    path: `${url.pathname}${url.search}`,
    body: callback.body,
    nowMs: context.now(),
  });
  let httpStatus: number | null = null;
  let excerpt: string | null = null;
  let error: string | null = null;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: callback.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(deliveryTimeoutMs),
    });
    httpStatus = response.status;
    excerpt = (await response.text()).slice(0, 200);
  } catch (caught) {
    const cause = (caught as { cause?: { code?: string } }).cause?.code;
    error = `${caught instanceof Error ? caught.message : String(caught)}${cause ? ` (${cause})` : ''}`.slice(
      0,
      200,
    );
  }
  const acknowledged = httpStatus === 200 && excerpt === 'SUCCESS';
  const attempt = callback.attempts + 1;
  const nowMs = context.now();
  const retryInSeconds = retrySchedule[attempt - 1];
  const gaveUp = !acknowledged && retryInSeconds === undefined;
  const nextMs = nowMs + Math.round((retryInSeconds ?? 0) * 1000 * context.timeScale);
  await context.pool.query(
    `WITH attempt AS (
       INSERT INTO channel_sim.callback_attempts (callback_id, attempt, attempted_at, http_status, body_excerpt, error)
       VALUES ($1, $2, $3, $4, $5, $6)
     )
     UPDATE channel_sim.callbacks
        SET attempts = $2, acknowledged = $7, gave_up = $8, next_attempt_at = $9
      WHERE id = $1`,
    [
      callback.id,
      attempt,
      new Date(nowMs),
      httpStatus,
      excerpt,
      error,
      acknowledged,
      gaveUp,
      new Date(nextMs),
    ],
  );
}

/** One pass: every due callback, the deliveries of one order one after another. */
export async function deliverDueCallbacks(context: SimContext): Promise<void> {
  const { rows } = await context.pool.query<DueCallback>(
    `SELECT id::text, order_no, notify_url, body, attempts
       FROM channel_sim.callbacks
      WHERE NOT acknowledged AND NOT gave_up AND next_attempt_at <= $1
      ORDER BY next_attempt_at, id
      LIMIT 100`,
    [new Date(context.now())],
  );
  const byOrder = new Map<string, DueCallback[]>();
  for (const row of rows) byOrder.set(row.order_no, [...(byOrder.get(row.order_no) ?? []), row]);
  await Promise.all(
    [...byOrder.values()].map(async (callbacks) => {
      for (const callback of callbacks) await deliver(context, callback);
    }),
  );
}

export async function callbackLog(db: Queryable, orderNo: string) {
  const { rows } = await db.query(
    `SELECT c.id::text AS id, c.status, c.body, c.attempts, c.acknowledged, c.gave_up AS "gaveUp",
            c.next_attempt_at AS "nextAttemptAt", c.created_at AS "createdAt",
            coalesce(json_agg(json_build_object(
              'attempt', a.attempt, 'at', a.attempted_at, 'httpStatus', a.http_status,
              'body', a.body_excerpt, 'error', a.error) ORDER BY a.id) FILTER (WHERE a.id IS NOT NULL), '[]')
              AS "attemptLog"
       FROM channel_sim.callbacks c
       LEFT JOIN channel_sim.callback_attempts a ON a.callback_id = c.id
      WHERE c.order_no = $1
      GROUP BY c.id
      ORDER BY c.id`,
    [orderNo],
  );
  return rows;
}
