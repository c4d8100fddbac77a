import { randomBytes, randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { ChildService } from '../../src/cli/children.ts';
import { sandboxBasePath, sandboxEventTypes, startSandbox } from '../../src/cli/sandbox.ts';
import { signRequest } from '../../src/platform/crypto/request-signature.ts';
import { freePort } from '../channel-sim/support.ts';
import type { World } from '../loans/support.ts';
import { type OnboardedMerchant, onboardMerchant, signedCall } from '../merchants/support.ts';
import type { HttpResult } from '../support/server.ts';

// The merchant sandbox (packages/merchant-sandbox) as the tests run it: its own process, started
// the way `fenqi demo` starts it (cli/sandbox.ts), for a merchant onboarded through the API whose
// webhook endpoint is the sandbox's. Fenqi's own signing code signs the webhooks the tests forge,
// so the sandbox's independent implementation is checked against it.

export type SandboxMerchant = OnboardedMerchant & { webhookSecret: string; webhookPath: string };

export type RunningSandbox = {
  process: ChildService;
  /** http://127.0.0.1:port */
  url: string;
  merchant: SandboxMerchant;
  /** A request to a path under /sandbox; a redirect is answered, not followed. */
  call(
    method: 'GET' | 'POST',
    path: string,
    options?: { body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<HttpResult>;
  stop(): Promise<void>;
};

/** A merchant selling the test world's POS product, and the sandbox as its shop. */
export async function startSandboxFor(
  world: World,
  overrides: Record<string, unknown> = {},
): Promise<RunningSandbox> {
  const merchant = await onboardMerchant(world.server, world.admin, {
    name: '演示商城',
    scenario: 'ecommerce',
    productCodes: ['pos-installment'],
    ...overrides,
  });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const webhookPath = `${sandboxBasePath}/webhooks/fenqi`;
  const endpoint = await signedCall(world.server, merchant, 'POST', '/api/v1/partner/webhook-endpoints', {
    url: `${url}${webhookPath}`,
    eventTypes: sandboxEventTypes,
  });
  expect(endpoint.status, endpoint.text).toBe(201);
  const webhookSecret = (endpoint.json as { secret: string }).secret;
  const child = await startSandbox({
    apiUrl: world.server.baseUrl,
    publicUrl: url,
    port,
    credentials: { keyId: merchant.keyId, secret: merchant.secret, webhookSecret },
  });
  return {
    process: child,
    url: child.url,
    merchant: { ...merchant, webhookSecret, webhookPath },
    call: (method, path, options = {}) => request(`${child.url}${sandboxBasePath}${path}`, method, options),
    stop: () => child.stop(),
  };
}

/** Like tests/support/server.ts http(), but a redirect is the answer: the shop's 303s are what it does. */
export async function request(
  url: string,
  method: string,
  options: { body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { ...options.headers };
  let body = options.rawBody;
  if (body === undefined && options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(url, {
    method,
    headers,
    redirect: 'manual',
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export type SandboxOrder = {
  merchantOrderId: string;
  status: string;
  amountMinor: string;
  checkoutUrl: string | null;
  loanId: string | null;
  history: { status: string; via: string; eventId?: string }[];
};

export type SandboxEvent = { id: string; type: string; merchantOrderId: string | null; deliveries: number };

export async function sandboxOrder(sandbox: RunningSandbox, id: string): Promise<SandboxOrder> {
  const got = await sandbox.call('GET', `/api/orders/${encodeURIComponent(id)}`);
  expect(got.status, got.text).toBe(200);
  return (got.json as { order: SandboxOrder }).order;
}

export async function sandboxEvents(sandbox: RunningSandbox): Promise<SandboxEvent[]> {
  const got = await sandbox.call('GET', '/api/events');
  expect(got.status, got.text).toBe(200);
  return (got.json as { events: SandboxEvent[] }).events;
}

/** Everything the sandbox holds, to compare before and after a refused request. */
export async function sandboxState(sandbox: RunningSandbox): Promise<unknown> {
  const orders = await sandbox.call('GET', '/api/orders');
  return { orders: orders.json, events: await sandboxEvents(sandbox) };
}

export type Delivery = { body: string; headers: Record<string, string> };

/** A webhook delivery as Fenqi signs one (platform/outbox/webhooks.ts), with the given secret. */
export function signedDelivery(
  sandbox: RunningSandbox,
  event: { id?: string; type: string; data: Record<string, unknown> },
  options: { secret?: string; timestampSeconds?: number; nonce?: string } = {},
): Delivery {
  const body = JSON.stringify({
    id: event.id ?? randomUUID(),
    type: event.type,
    occurredAt: new Date().toISOString(),
    businessDate: '2026-01-01',
    subject: { type: 'loan-order', id: randomUUID() },
    data: event.data,
  });
  const timestamp = String(options.timestampSeconds ?? Math.floor(Date.now() / 1000));
  const nonce = options.nonce ?? randomBytes(16).toString('hex');
  const secret = options.secret ?? sandbox.merchant.webhookSecret;
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-fenqi-event-id': (JSON.parse(body) as { id: string }).id,
      'x-fenqi-event-type': event.type,
      'x-fenqi-timestamp': timestamp,
      'x-fenqi-nonce': nonce,
      'x-fenqi-signature': signRequest(secret, {
        method: 'POST',
        path: sandbox.merchant.webhookPath,
        timestamp,
        nonce,
        body,
      }),
    },
  };
}

export function deliver(sandbox: RunningSandbox, delivery: Delivery): Promise<HttpResult> {
  return sandbox.call('POST', '/webhooks/fenqi', { rawBody: delivery.body, headers: delivery.headers });
}
