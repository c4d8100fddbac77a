import { sql } from 'kysely';
import type { DB, Tx } from '../../platform/db.ts';
import type { PaymentsDb } from './tables.ts';

// Orders that have no outcome yet — created (not sent), submitted, processing, unknown — counted by
// state: whoever drives the payment loops by hand (the simulation, which waits until every payment
// of a day has its outcome before it closes the day) knows when the channel has nothing left to say.

export type OrdersInFlight = { total: number; byState: Record<string, number> };

export async function ordersInFlight(db: DB | Tx): Promise<OrdersInFlight> {
  const rows = await sql<{ state: string; n: number }>`
    SELECT state, count(*)::int AS n FROM payment_orders
    WHERE state IN ('created', 'submitted', 'processing', 'unknown')
    GROUP BY state ORDER BY state`.execute(db as PaymentsDb);
  return {
    total: rows.rows.reduce((sum, row) => sum + row.n, 0),
    byState: Object.fromEntries(rows.rows.map((row) => [row.state, row.n])),
  };
}
