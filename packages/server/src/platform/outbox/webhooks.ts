import { randomBytes, randomUUID } from 'node:crypto';
import type { Config } from '../config.ts';
import {
  createDataKey,
  cryptoFor,
  dataKeyIdOf,
  decryptField,
  encryptField,
  fieldContext,
  loadDataKey,
} from '../crypto/envelope.ts';
import { signRequest } from '../crypto/request-signature.ts';
import type { DB, Tx } from '../db.ts';
import * as store from './store.ts';

// Webhook endpoints of merchants and funders, and how a delivery is signed. The secret is shown
// once when the endpoint is registered and kept as a field ciphertext: HMAC needs the key itself.

const secretContext = (endpointId: string) => fieldContext('webhook_endpoints', 'secret', endpointId);

export type WebhookEndpoint = {
  id: string;
  ownerKind: 'merchant' | 'funder';
  ownerId: string;
  url: string;
  eventTypes: string[];
  status: 'active' | 'disabled';
  createdAt: Date;
  disabledAt: Date | null;
};

type EndpointRow = Awaited<ReturnType<typeof store.listEndpoints>>[number];

function view(row: EndpointRow): WebhookEndpoint {
  return {
    id: row.id,
    ownerKind: row.owner_kind,
    ownerId: row.owner_id,
    url: row.url,
    eventTypes: row.event_types,
    status: row.status,
    createdAt: row.created_at,
    disabledAt: row.disabled_at,
  };
}

export async function registerWebhookEndpoint(
  trx: Tx,
  config: Config,
  input: { ownerKind: 'merchant' | 'funder'; ownerId: string; url: string; eventTypes: string[] },
): Promise<WebhookEndpoint & { secret: string }> {
  const id = randomUUID();
  const secret = `fqw_${randomBytes(32).toString('base64url')}`;
  const key = await createDataKey(trx, cryptoFor(config).kms, 'webhook-endpoints');
  const row = await store.insertEndpoint(trx, {
    id,
    ownerKind: input.ownerKind,
    ownerId: input.ownerId,
    url: input.url,
    secretEnc: encryptField(key, secret, secretContext(id)),
    eventTypes: [...new Set(input.eventTypes)].sort(),
  });
  return { ...view(row), secret };
}

export async function disableWebhookEndpoint(trx: Tx, id: string): Promise<WebhookEndpoint | undefined> {
  const row = await store.disableEndpoint(trx, id);
  return row === undefined ? undefined : view(row);
}

export async function listWebhookEndpoints(
  db: DB,
  owner?: { kind: 'merchant' | 'funder'; id: string },
): Promise<WebhookEndpoint[]> {
  return (await store.listEndpoints(db, owner)).map(view);
}

export async function webhookSecret(
  db: DB,
  config: Config,
  endpointId: string,
  secretEnc: string,
): Promise<string> {
  const key = await loadDataKey(db, cryptoFor(config).kms, dataKeyIdOf(secretEnc));
  return decryptField(key, secretEnc, secretContext(endpointId));
}

/** The headers of a signed webhook delivery (the partner request scheme, in the other direction). */
export function webhookHeaders(
  secret: string,
  delivery: { url: string; eventId: string; eventType: string; body: string; timestampSeconds: number },
): Record<string, string> {
  const url = new URL(delivery.url);
  const timestamp = String(delivery.timestampSeconds);
  const nonce = randomBytes(16).toString('hex');
  return {
    'content-type': 'application/json',
    'x-fenqi-event-id': delivery.eventId,
    'x-fenqi-event-type': delivery.eventType,
    'x-fenqi-timestamp': timestamp,
    'x-fenqi-nonce': nonce,
    'x-fenqi-signature': signRequest(secret, {
      method: 'POST',
      path: `${url.pathname}${url.search}`,
      timestamp,
      nonce,
      body: delivery.body,
    }),
  };
}
