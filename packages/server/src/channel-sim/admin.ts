import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { smsCodeOf } from './binding.ts';
import { callbackLog } from './callbacks.ts';
import type { SimContext } from './context.ts';
import { BadRequest, parseBody } from './http.ts';
import { bounceOrder, findOrder, finishOrder } from './orders.ts';
import { rulesSchema } from './rules.ts';
import { inTransaction, loadRules, loadSettlementDate, saveRules, saveSettlementDate } from './store.ts';

// The simulator's control panel for tests and demos. Unauthenticated — it is a simulator — but
// every input is validated like any other.

const orderNoParam = z.object({ orderNo: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) });
const orderNoQuery = orderNoParam;
const finishSchema = z.object({
  status: z.enum(['SUCCEEDED', 'FAILED']),
  code: z
    .string()
    .regex(/^[A-Z0-9_]{1,40}$/)
    .optional(),
});
const dateText = z.iso.date();
const settlementSchema = z.object({ date: dateText.nullable() });

function orderView(order: NonNullable<Awaited<ReturnType<typeof findOrder>>>) {
  return {
    ...order,
    amountFen: Number(order.amountFen),
    feeFen: Number(order.feeFen),
  };
}

export function registerAdminRoutes(app: FastifyInstance, context: SimContext): void {
  app.get('/admin/rules', async () => loadRules(context.pool));
  app.post('/admin/rules', async (request) => {
    const rules = parseBody(rulesSchema, request.body);
    await saveRules(context.pool, rules);
    return rules;
  });

  app.get('/admin/sms', async (request, reply) => {
    const { orderNo } = parseBody(orderNoQuery, request.query);
    return (await smsCodeOf(context, orderNo)) ?? reply.code(404).send({ message: 'no such binding' });
  });

  app.get('/admin/orders/:orderNo', async (request, reply) => {
    const { orderNo } = parseBody(orderNoParam, request.params);
    const order = await findOrder(context.pool, orderNo);
    return order ? orderView(order) : reply.code(404).send({ message: 'no such order' });
  });

  app.post('/admin/orders/:orderNo/finish', async (request, reply) => {
    const { orderNo } = parseBody(orderNoParam, request.params);
    const { status, code } = parseBody(finishSchema, request.body);
    const finished = await inTransaction(context.pool, (client) =>
      finishOrder(client, context, orderNo, status, status === 'FAILED' ? (code ?? 'FAILED') : null),
    );
    if (finished) return orderView(finished);
    const exists = await findOrder(context.pool, orderNo);
    return reply
      .code(exists ? 409 : 404)
      .send({ message: exists ? 'the order is not processing' : 'no such order' });
  });

  app.post('/admin/orders/:orderNo/bounce', async (request, reply) => {
    const { orderNo } = parseBody(orderNoParam, request.params);
    const bounced = await inTransaction(context.pool, (client) => bounceOrder(client, context, orderNo));
    if (bounced) return orderView(bounced);
    const exists = await findOrder(context.pool, orderNo);
    return reply
      .code(exists ? 409 : 404)
      .send({ message: exists ? 'only a succeeded payout can bounce' : 'no such order' });
  });

  app.get('/admin/callbacks', async (request) => {
    const { orderNo } = parseBody(orderNoQuery, request.query);
    return callbackLog(context.pool, orderNo);
  });

  app.get('/admin/settlement-date', async () => ({ date: await loadSettlementDate(context.pool) }));
  app.put('/admin/settlement-date', async (request) => {
    const { date } = parseBody(settlementSchema, request.body);
    if (date !== null && Number.isNaN(Date.parse(date))) throw new BadRequest('not a date');
    await saveSettlementDate(context.pool, date);
    return { date };
  });
}
