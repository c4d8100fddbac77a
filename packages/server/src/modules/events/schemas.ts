import { z } from 'zod';
import { text } from '../../platform/http/text.ts';
import { instant } from '../../platform/http/wire.ts';

const eventType = text().regex(
  /^([a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+|\*)$/,
  'must be an event type such as payments.order-succeeded, or *',
);

export const webhookEndpointView = z
  .object({
    id: z.uuid(),
    ownerKind: z.enum(['merchant', 'funder']),
    ownerId: z.string(),
    url: z.string(),
    eventTypes: z.array(z.string()),
    status: z.enum(['active', 'disabled']),
    createdAt: instant,
    disabledAt: instant.nullable(),
  })
  .meta({ id: 'WebhookEndpoint' });

export const newWebhookEndpoint = webhookEndpointView
  .extend({ secret: z.string().describe('The signing secret, shown once') })
  .meta({ id: 'NewWebhookEndpoint' });

export const registerEndpointBody = z.strictObject({
  url: text()
    .max(500)
    .refine((value) => {
      try {
        const url = new URL(value);
        return url.protocol === 'https:' || url.protocol === 'http:';
      } catch {
        return false;
      }
    }, 'must be an http(s) URL'),
  eventTypes: z.array(eventType).min(1).max(50),
});

export const endpointParams = z.strictObject({ endpointId: z.uuid() });

export const deliveryView = z
  .object({
    eventId: z.uuid(),
    eventType: z.string(),
    occurredAt: instant,
    consumer: z.string(),
    state: z.enum(['pending', 'delivered', 'dead']),
    attempts: z.number().int(),
    nextAttemptAt: instant,
    lastAttemptAt: instant.nullable(),
    lastError: z.string().nullable(),
    deliveredAt: instant.nullable(),
  })
  .meta({ id: 'EventDelivery' });

export const deliveryListQuery = z.strictObject({
  state: z.enum(['pending', 'delivered', 'dead']).optional(),
  consumer: text().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const retryBody = z.strictObject({ eventId: z.uuid(), consumer: text().min(1).max(100) });
export const retried = z.object({ retried: z.literal(true) }).meta({ id: 'DeliveryRetried' });
