import type { SimContext } from './context.ts';
import { bounceOrder, finishOrder } from './orders.ts';
import { inTransaction, pruneNonces } from './store.ts';

// One pass of the channel's own work: orders whose outcome is due finish with their planned
// status, paid payouts whose bounce is due come back, and old nonces go.

export async function processDueOrders(context: SimContext): Promise<void> {
  const now = new Date(context.now());
  const due = await context.pool.query<{
    order_no: string;
    planned_status: 'SUCCEEDED' | 'FAILED';
    planned_code: string | null;
  }>(
    `SELECT order_no, planned_status, planned_code FROM channel_sim.orders
      WHERE status = 'PROCESSING' AND due_at <= $1
      ORDER BY due_at LIMIT 200`,
    [now],
  );
  for (const row of due.rows) {
    await inTransaction(context.pool, (client) =>
      finishOrder(client, context, row.order_no, row.planned_status, row.planned_code),
    );
  }
  const bounces = await context.pool.query<{ order_no: string }>(
    `SELECT order_no FROM channel_sim.orders
      WHERE status = 'SUCCEEDED' AND bounce_due_at <= $1
      ORDER BY bounce_due_at LIMIT 200`,
    [now],
  );
  for (const row of bounces.rows) {
    await inTransaction(context.pool, (client) => bounceOrder(client, context, row.order_no));
  }
  await pruneNonces(context.pool, context.now());
}
