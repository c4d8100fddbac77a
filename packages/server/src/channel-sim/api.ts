import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { applyBinding, applySchema, confirmBinding, confirmSchema, unbind, unbindSchema } from './binding.ts';
import type { SimContext } from './context.ts';
import { parseBody, requireSignature } from './http.ts';
import { findOrder, queryView } from './orders.ts';
import {
  collect,
  collectSchema,
  type Outcome,
  payout,
  payoutSchema,
  refund,
  refundSchema,
} from './payments.ts';
import { statementLines } from './statement.ts';

// The protocol's routes (docs/payments.md, "Requests"), every one behind the signature.

const orderParam = z.object({ orderNo: z.string().min(1).max(64) });
const dateParam = z.object({ date: z.iso.date() });

function answer(reply: FastifyReply, outcome: Outcome) {
  if (outcome.dropConnection) {
    // The order is stored and will complete; the caller just never hears so (a timeout).
    reply.hijack();
    reply.raw.socket?.destroy();
    return reply;
  }
  return reply.send(outcome.answer);
}

export function registerApiRoutes(app: FastifyInstance, context: SimContext): void {
  app.register(async (api) => {
    api.addHook('preHandler', requireSignature(context));

    api.post('/v1/bind/apply', async (request) =>
      applyBinding(context, parseBody(applySchema, request.body)),
    );
    api.post('/v1/bind/confirm', async (request) =>
      confirmBinding(context, parseBody(confirmSchema, request.body)),
    );
    api.post('/v1/unbind', async (request) => unbind(context, parseBody(unbindSchema, request.body)));

    api.post('/v1/payouts', async (request, reply) =>
      answer(reply, await payout(context, parseBody(payoutSchema, request.body))),
    );
    api.post('/v1/collections', async (request, reply) =>
      answer(reply, await collect(context, parseBody(collectSchema, request.body))),
    );
    api.post('/v1/refunds', async (request, reply) =>
      answer(reply, await refund(context, parseBody(refundSchema, request.body))),
    );

    api.get('/v1/orders/:orderNo', async (request) => {
      const { orderNo } = parseBody(orderParam, request.params);
      const order = await findOrder(context.pool, orderNo);
      return order ? queryView(order) : { found: false };
    });

    api.get('/v1/statements/:date', async (request, reply) => {
      const { date } = parseBody(dateParam, request.params);
      reply.type('text/csv; charset=utf-8');
      return reply.send(Readable.from(statementLines(context, date)));
    });
  });
}
