import { setTimeout as sleep } from 'node:timers/promises';
import { deliverPendingTo, deliverToConsumers } from '../../platform/outbox/dispatcher.ts';
import { listDeliveries } from '../../platform/outbox/operations.ts';
import { dispatchDueNotifications } from '../notifications/service.ts';
import { ordersInFlight, queryDue, submitDue } from '../payments/service.ts';
import { timed } from './business.ts';
import type { SimulationContext } from './context.ts';

// The background machinery of a worker — the payment submit and query loops, the outbox's module
// consumers, the notification dispatcher — driven by hand at defined points of each simulated day,
// until nothing is left to do: every payment order has its outcome (the channel's callbacks come
// in over HTTP meanwhile), every event has reached its consumers, every message due is sent. So
// what the day did never depends on how fast the machine is. (The simulated lender has no webhook
// endpoints and no NATS: module consumers are all the outbox delivers.)
//
// Deliveries are claimed by several dispatch passes at once, as several workers' dispatchers
// would. Two events of one loan for one consumer could then be handled side by side; the
// simulation never makes them in one drain (at most one payment asked per loan a day, and what
// close of business announces about a loan is delivered before anything that day repays it).

/**
 * How long to wait for the channel's callbacks before asking it about the orders (the query
 * loop's job, done early): the simulated channel settles a payout at once and calls back within
 * milliseconds, so a short wait lets most outcomes arrive by callback, and the rest by query.
 */
const callbackWaitMs = 25;
const idlePollMs = 2;
const pendingListMax = 1000;
const notifyLanes = 3;
/** Concurrent dispatch passes over the outbox: the database's round trips overlap. */
const deliveryLanes = 6;

export type DrainCounts = { submitted: number; delivered: number; notified: number; queried: number };

/**
 * Delivers everything due to the module consumers, in `lanes` concurrent dispatch passes (each
 * claims the oldest due delivery with SKIP LOCKED, as several workers' dispatchers do); then what
 * backs off after a failure. How many were delivered, and failed.
 */
async function deliverAll(context: SimulationContext): Promise<{ delivered: number; failed: number }> {
  const { services, consumers } = context;
  let delivered = 0;
  let failed = 0;
  for (;;) {
    const pending = await timed('d.pending', () =>
      listDeliveries(context.db, { state: 'pending', limit: pendingListMax }),
    );
    const modules = pending.filter((d) => d.consumer.startsWith('module:'));
    if (modules.length === 0) return { delivered, failed };
    const now = Date.now();
    const due = modules.filter((d) => d.nextAttemptAt.getTime() <= now).length;
    let round = 0;
    if (due > 0) {
      const lanes = Math.min(deliveryLanes, Math.ceil(due / 4));
      const counts = await Promise.all(
        Array.from({ length: lanes }, () =>
          timed('d.outbox', () => deliverToConsumers({ services, consumers }, 500)),
        ),
      );
      round = counts.reduce((sum, n) => sum + n, 0);
    } else {
      // Only deliveries backing off after a failure (a serialization conflict, say) are left,
      // not due yet: deliver them now, as close of business does for the accounts it needs.
      const names = new Set(modules.map((d) => d.consumer));
      for (const consumer of consumers.values()) {
        if (!names.has(`module:${consumer.name}`)) continue;
        const done = await deliverPendingTo(services, consumer);
        round += done.delivered;
        failed += done.failed;
      }
      if (round === 0) return { delivered, failed };
    }
    delivered += round;
  }
}

export async function drain(context: SimulationContext): Promise<DrainCounts> {
  const { services } = context;
  const counts: DrainCounts = { submitted: 0, delivered: 0, notified: 0, queried: 0 };
  let stuck = 0;
  for (;;) {
    const outbox = await timed('d.deliverAll', () => deliverAll(context));
    let submitted = 0;
    for (let n = -1; n !== 0; submitted += n) n = await timed('d.submit', () => submitDue(services));
    // Messages are independent of one another: several dispatchers share the queue (SKIP LOCKED).
    const dispatched = await timed('d.notify', () =>
      Promise.all(
        Array.from({ length: notifyLanes }, () => dispatchDueNotifications(services, services.clock(), 1000)),
      ),
    );
    const notified = dispatched.reduce(
      (sum, n) => ({
        sent: sum.sent + n.sent,
        delivered: sum.delivered + n.delivered,
        deferred: sum.deferred + n.deferred,
        failed: sum.failed + n.failed,
      }),
      { sent: 0, delivered: 0, deferred: 0, failed: 0 },
    );
    counts.submitted += submitted;
    counts.delivered += outbox.delivered;
    counts.notified += notified.sent;
    stuck = outbox.failed > 0 && outbox.delivered === 0 ? stuck + 1 : 0;
    if (stuck >= 5)
      throw new Error(
        'an event consumer keeps failing (see the log, and GET /api/v1/events/deliveries); the simulation stops',
      );
    if (outbox.delivered + submitted + notified.sent + notified.failed + notified.deferred > 0) continue;
    if (outbox.failed > 0) continue;
    let inFlight = (await timed('d.inflight', () => ordersInFlight(context.db))).total;
    if (inFlight === 0) return counts;
    // Payouts finish at the channel a moment later and are called back; an order whose callback
    // is slow is asked about, as the query loop would (the answer is the channel's either way).
    const waitingSince = Date.now();
    const before = inFlight;
    await timed('d.wait', async () => {
      while (inFlight === before && Date.now() - waitingSince < callbackWaitMs) {
        await sleep(idlePollMs);
        inFlight = (await ordersInFlight(context.db)).total;
      }
    });
    if (inFlight === before)
      counts.queried += await timed('d.query', () => queryDue(services, new Date(Date.now() + 86_400_000)));
  }
}
