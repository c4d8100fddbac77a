import type pg from 'pg';
import { z } from 'zod';
import { type SimContext, scaled } from './context.ts';
import { rejected } from './http.ts';
import { createOrder, finishOrder, type NewOrder, type Order } from './orders.ts';
import { type Behaviour, behaviourFor, type OrderKind, parseFen, parseYuan } from './rules.ts';
import { inTransaction, loadRules } from './store.ts';

// Payouts, collections and refunds: the request is accepted (an order is stored) or rejected,
// and the order's outcome is planned at once from the rules. Payouts always finish later;
// collections and refunds finish inside the request unless a rule delays or holds them.

const orderNo = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);
const notifyUrl = z
  .string()
  .max(2000)
  .refine((value) => {
    try {
      return ['http:', 'https:'].includes(new URL(value).protocol);
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

// Amounts are checked by hand (BF00190), not by the schema: a bad amount is the channel's
// rejection, not a malformed request.
export const payoutSchema = z.object({
  orderNo,
  amount: z.unknown(),
  accountName: z.string().min(1).max(64),
  accountNo: z.string().regex(/^\d{6,32}$/),
  notifyUrl,
});
export const collectSchema = z.object({
  orderNo,
  agreementNo: z.string().min(1).max(64),
  amountFen: z.unknown(),
  notifyUrl,
});
export const refundSchema = z.object({
  orderNo,
  originalOrderNo: orderNo,
  amountFen: z.unknown(),
  notifyUrl,
});

export type PaymentAnswer =
  | ReturnType<typeof rejected>
  | {
      returnCode: 'ACCEPTED';
      status: 'SUCCEEDED' | 'FAILED' | 'PROCESSING' | 'UNKNOWN';
      txnId: string;
      code?: string | null;
    };

/** What the HTTP layer does with the answer: send it, or drop the connection (a timeout rule). */
export type Outcome = { answer: PaymentAnswer; dropConnection: boolean };

const invalidAmount = (): Outcome => ({
  answer: rejected('BF00190', 'invalid amount'),
  dropConnection: false,
});
const duplicate = (): Outcome => ({
  answer: rejected('BF00126', 'duplicate order number'),
  dropConnection: false,
});

type Plan = Omit<NewOrder, 'behaviour' | 'dueAtMs'> & { synchronous: boolean };

/** Stores the order and, for a synchronous one, finishes it in the same transaction. */
async function accept(
  client: pg.PoolClient,
  context: SimContext,
  plan: Plan,
  behaviour: Behaviour,
): Promise<Outcome> {
  const nowMs = context.now();
  const delayMs = behaviour.delayMs ?? (plan.synchronous ? 0 : context.payoutDelayMs);
  const held = behaviour.stayProcessing === true;
  const finishesNow = !held && plan.synchronous && behaviour.delayMs === undefined;
  const order = await createOrder(client, context, {
    ...plan,
    behaviour,
    dueAtMs: held || finishesNow ? null : nowMs + scaled(context, delayMs),
  });
  if (!order) return duplicate();
  let current: Order = order;
  if (finishesNow)
    current =
      (await finishOrder(client, context, order.orderNo, plan.plannedStatus, plan.plannedCode)) ?? order;
  context.wake();
  const status = behaviour.unknown ? 'UNKNOWN' : current.status === 'BOUNCED' ? 'SUCCEEDED' : current.status;
  return {
    answer: {
      returnCode: 'ACCEPTED',
      status,
      txnId: current.txnId,
      ...(current.code ? { code: current.code } : {}),
    },
    dropConnection: behaviour.timeout === true,
  };
}

async function orderExists(client: pg.PoolClient, number: string): Promise<boolean> {
  const { rowCount } = await client.query(`SELECT 1 FROM channel_sim.orders WHERE order_no = $1`, [number]);
  return rowCount === 1;
}

export async function payout(context: SimContext, body: z.output<typeof payoutSchema>): Promise<Outcome> {
  const amountFen = parseYuan(body.amount);
  if (amountFen === null) return invalidAmount();
  const behaviour = behaviourFor(await loadRules(context.pool), {
    kind: 'PAYOUT',
    accountNo: body.accountNo,
    amountFen,
  });
  return inTransaction(context.pool, (client) =>
    accept(
      client,
      context,
      {
        orderNo: body.orderNo,
        kind: 'PAYOUT',
        amountFen,
        notifyUrl: body.notifyUrl,
        accountTail: body.accountNo.slice(-8),
        plannedStatus: behaviour.fail ? 'FAILED' : 'SUCCEEDED',
        plannedCode: behaviour.fail ?? null,
        synchronous: false,
      },
      behaviour,
    ),
  );
}

export async function collect(context: SimContext, body: z.output<typeof collectSchema>): Promise<Outcome> {
  const amountFen = parseFen(body.amountFen);
  if (amountFen === null) return invalidAmount();
  const rules = await loadRules(context.pool);
  return inTransaction(context.pool, async (client) => {
    const { rows } = await client.query<{ status: string; card_no_masked: string }>(
      `SELECT status, card_no_masked FROM channel_sim.agreements WHERE agreement_no = $1`,
      [body.agreementNo],
    );
    const agreement = rows[0];
    const cardTail = agreement?.card_no_masked.slice(-4) ?? null;
    const behaviour = behaviourFor(rules, { kind: 'COLLECT', cardNo: cardTail, amountFen });
    const invalidAgreement = agreement?.status !== 'ACTIVE';
    const failure = invalidAgreement ? 'BF00360' : (behaviour.fail ?? null);
    return accept(
      client,
      context,
      {
        orderNo: body.orderNo,
        kind: 'COLLECT',
        amountFen,
        notifyUrl: body.notifyUrl,
        agreementNo: body.agreementNo,
        cardTail,
        plannedStatus: failure ? 'FAILED' : 'SUCCEEDED',
        plannedCode: failure,
        synchronous: true,
      },
      behaviour,
    );
  });
}

export async function refund(context: SimContext, body: z.output<typeof refundSchema>): Promise<Outcome> {
  const amountFen = parseFen(body.amountFen);
  if (amountFen === null) return invalidAmount();
  const rules = await loadRules(context.pool);
  return inTransaction(context.pool, async (client) => {
    if (await orderExists(client, body.orderNo)) return duplicate();
    // The original is locked so two refunds of it cannot both fit under what is left.
    const { rows } = await client.query<{
      kind: OrderKind;
      status: string;
      amount_fen: string;
      card_tail: string | null;
    }>(`SELECT kind, status, amount_fen, card_tail FROM channel_sim.orders WHERE order_no = $1 FOR UPDATE`, [
      body.originalOrderNo,
    ]);
    const original = rows[0];
    if (original?.kind !== 'COLLECT' || original.status !== 'SUCCEEDED')
      return {
        answer: rejected('BF00192', 'the original order is not a paid collection'),
        dropConnection: false,
      };
    const { rows: refunded } = await client.query<{ total: string }>(
      `SELECT coalesce(sum(amount_fen), 0)::text AS total FROM channel_sim.orders
        WHERE original_order_no = $1 AND kind = 'REFUND' AND status <> 'FAILED'`,
      [body.originalOrderNo],
    );
    if (amountFen > BigInt(original.amount_fen) - BigInt(refunded[0]?.total ?? '0'))
      return {
        answer: rejected('BF00191', 'the refund exceeds what is left to refund'),
        dropConnection: false,
      };
    const behaviour = behaviourFor(rules, { kind: 'REFUND', cardNo: original.card_tail, amountFen });
    return accept(
      client,
      context,
      {
        orderNo: body.orderNo,
        kind: 'REFUND',
        amountFen,
        notifyUrl: body.notifyUrl,
        originalOrderNo: body.originalOrderNo,
        cardTail: original.card_tail,
        plannedStatus: behaviour.fail ? 'FAILED' : 'SUCCEEDED',
        plannedCode: behaviour.fail ?? null,
        synchronous: true,
      },
      behaviour,
    );
  });
}
