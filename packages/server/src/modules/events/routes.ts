import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import { commandRoute, computeRoute, queryRoute } from '../../platform/http/route.ts';
import { listDeliveries, retryDelivery } from '../../platform/outbox/operations.ts';
import {
  disableWebhookEndpoint,
  listWebhookEndpoints,
  registerWebhookEndpoint,
} from '../../platform/outbox/webhooks.ts';
import { partnerScope } from '../iam/service.ts';
import * as s from './schemas.ts';

// Events leave Fenqi as signed webhooks: a merchant or funder registers its own endpoints; staff
// see every delivery and send a dead one again once its receiver is fixed. (The outbox itself is
// the platform's: platform/outbox/.)

export const eventRoutes = [
  computeRoute({
    method: 'POST',
    url: '/api/v1/partner/webhook-endpoints',
    permission: 'partner:self',
    summary: 'Register a webhook endpoint for the calling merchant or funder (secret shown once)',
    description:
      'Events about the caller are POSTed to the URL, signed with the returned secret (docs/events.md). No Idempotency-Key: the secret is never stored in clear; a retry registers another endpoint (disable the unused one).',
    tags: ['events'],
    rateLimit: { max: 30, timeWindowMs: 60_000 },
    schema: { body: s.registerEndpointBody, response: { 201: s.newWebhookEndpoint } },
    handler: async ({ caller, body, services }) => {
      const owner = partnerScope(caller);
      const endpoint = await services.db.transaction().execute((trx) =>
        registerWebhookEndpoint(trx, services.config, {
          ownerKind: owner.kind,
          ownerId: owner.ownerId,
          ...body,
        }),
      );
      return { status: 201, headers: { 'cache-control': 'no-store' }, body: endpoint };
    },
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/partner/webhook-endpoints',
    permission: 'partner:self',
    summary: "The calling merchant's or funder's webhook endpoints",
    tags: ['events'],
    schema: { response: { 200: z.array(s.webhookEndpointView) } },
    handler: async ({ caller, db }) => {
      const owner = partnerScope(caller);
      return { status: 200, body: await listWebhookEndpoints(db, { kind: owner.kind, id: owner.ownerId }) };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/partner/webhook-endpoints/:endpointId/disable',
    permission: 'partner:self',
    summary: 'Stop sending events to one of the caller’s endpoints',
    tags: ['events'],
    schema: { params: s.endpointParams, response: { 200: s.webhookEndpointView } },
    handler: async ({ caller, trx, params }) => {
      const owner = partnerScope(caller);
      const own = await listWebhookEndpoints(trx, { kind: owner.kind, id: owner.ownerId });
      // Another owner's endpoint is not found: its existence is not disclosed.
      if (!own.some((endpoint) => endpoint.id === params.endpointId))
        throw new AppError('not_found', `There is no webhook endpoint ${params.endpointId}.`);
      const disabled = await disableWebhookEndpoint(trx, params.endpointId);
      if (!disabled) throw new AppError('not_found', `There is no webhook endpoint ${params.endpointId}.`);
      return { status: 200, body: disabled };
    },
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/events/webhook-endpoints',
    permission: 'events:read',
    summary: 'Every partner webhook endpoint (never their secrets)',
    tags: ['events'],
    schema: { response: { 200: z.array(s.webhookEndpointView) } },
    handler: async ({ db }) => ({ status: 200, body: await listWebhookEndpoints(db) }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/events/deliveries',
    permission: 'events:read',
    summary: 'Deliveries of events to consumers, webhooks and NATS, newest first',
    tags: ['events'],
    schema: { querystring: s.deliveryListQuery, response: { 200: z.array(s.deliveryView) } },
    handler: async ({ db, query }) => ({ status: 200, body: await listDeliveries(db, query) }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/events/deliveries/retry',
    permission: 'events:manage',
    summary: 'Send an undelivered (dead) delivery again, now',
    tags: ['events'],
    schema: { body: s.retryBody, response: { 200: s.retried } },
    handler: async ({ trx, body }) => {
      await retryDelivery(trx, body.eventId, body.consumer);
      return { status: 200, body: { retried: true as const } };
    },
  }),
];
