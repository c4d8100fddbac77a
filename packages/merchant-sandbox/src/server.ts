import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SandboxConfig } from './config.ts';
import { type FenqiAnswer, FenqiUnreachable, fenqiClient, type Problem } from './fenqi.ts';
import { cataloguePage, orderJson, orderPage, problemPage } from './pages.ts';
import { catalogue, createShop, type ShopOrder } from './shop.ts';
import { webhookVerifier } from './webhooks.ts';

// The sandbox's HTTP server (node:http, nothing else): the shop's pages, the JSON the order page
// polls, and the endpoint Fenqi's webhooks arrive at. Every call to Fenqi is made here, server
// side, signed with the merchant's key: the browser never sees a secret.

export type SandboxServer = { url: string; publicUrl: string; close(): Promise<void> };

const formBytesMax = 16 * 1024;
const webhookBytesMax = 1024 * 1024;
const script = readFileSync(new URL('./assets/sandbox.js', import.meta.url));

const securityHeaders = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

class BodyTooLarge extends Error {}

function readBody(request: IncomingMessage, bytesMax: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > bytesMax) {
        reject(new BodyTooLarge(`the body is over ${bytesMax} bytes`));
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

const unreachable = (error: FenqiUnreachable): Problem => ({
  status: 502,
  code: 'fenqi_unreachable',
  title: 'Fenqi could not be reached',
  detail: error.message,
});

/** A Fenqi call's answer, or its failure to answer as a problem. */
async function settle<T>(call: () => Promise<FenqiAnswer<T>>): Promise<FenqiAnswer<T>> {
  try {
    return await call();
  } catch (error) {
    if (!(error instanceof FenqiUnreachable)) throw error;
    return { ok: false, status: 502, problem: unreachable(error), requestId: null };
  }
}

export async function startSandboxServer(
  config: SandboxConfig,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<SandboxServer> {
  const base = config.basePath;
  const fenqi = fenqiClient({
    apiUrl: config.apiUrl,
    key: config.merchantKey,
    secret: config.merchantSecret,
  });
  const shop = createShop();
  const verifier = webhookVerifier({
    secret: config.webhookSecret,
    windowSeconds: config.signatureWindowSeconds,
  });
  let publicUrl = config.publicUrl ?? '';

  // The products the merchant offers, from its profile: an item is financed with its own product
  // when the merchant has it, else with the merchant's default (the order names none).
  let offered: Promise<readonly string[]> | undefined;
  const offeredProducts = () => {
    offered ??= settle(() => fenqi.profile()).then((answer) => {
      if (answer.ok) return answer.body.productCodes;
      offered = undefined; // asked again with the next order
      return [];
    });
    return offered;
  };

  function send(
    response: ServerResponse,
    status: number,
    body: string | Buffer,
    type: string,
    headers: Record<string, string> = {},
  ) {
    response.writeHead(status, { ...securityHeaders, 'content-type': type, ...headers });
    response.end(response.req.method === 'HEAD' ? undefined : body);
  }
  const html = (response: ServerResponse, status: number, page: string) =>
    send(response, status, page, 'text/html; charset=utf-8');
  const json = (response: ServerResponse, status: number, value: unknown) =>
    send(response, status, JSON.stringify(value), 'application/json; charset=utf-8');
  const redirect = (response: ServerResponse, location: string) =>
    send(response, 303, '', 'text/plain; charset=utf-8', { location });
  const wantsJson = (request: IncomingMessage) =>
    (request.headers.accept ?? '').includes('application/json') ||
    (request.headers['content-type'] ?? '').includes('application/json');
  const orderPath = (order: ShopOrder) => `${base}/orders/${encodeURIComponent(order.merchantOrderId)}`;
  const eventsOf = (order: ShopOrder) =>
    shop.events().filter((event) => event.merchantOrderId === order.merchantOrderId);

  /** A refused or failed Fenqi call, as a page or as JSON. */
  function fenqiRefused(
    request: IncomingMessage,
    response: ServerResponse,
    problem: Problem,
    order?: ShopOrder,
  ) {
    const status = problem.status >= 500 ? 502 : problem.status;
    if (wantsJson(request)) return json(response, status, { problem, ...(order ? { order } : {}) });
    return html(
      response,
      status,
      problemPage(base, { zh: 'Fenqi 拒绝了请求', en: 'Fenqi refused' }, problem),
    );
  }

  async function form(request: IncomingMessage): Promise<Record<string, string>> {
    const raw = (await readBody(request, formBytesMax)).toString('utf8');
    if ((request.headers['content-type'] ?? '').includes('application/json')) {
      const parsed = raw === '' ? {} : (JSON.parse(raw) as unknown);
      return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, string>) : {};
    }
    return Object.fromEntries(new URLSearchParams(raw));
  }

  async function createOrder(request: IncomingMessage, response: ServerResponse) {
    const fields = await form(request);
    const item = catalogue.find((candidate) => candidate.sku === fields.sku);
    if (item === undefined) {
      if (wantsJson(request)) return json(response, 400, { error: `no such item: ${String(fields.sku)}` });
      return html(
        response,
        400,
        problemPage(base, { zh: '没有这件商品', en: 'No such item' }, { detail: String(fields.sku) }),
      );
    }
    const productCode = (await offeredProducts()).includes(item.productCode) ? item.productCode : null;
    // The order is in our books, with its Idempotency-Key, before Fenqi hears of it: a retry after
    // a timeout sends the same key and the same content, and Fenqi answers the first order.
    const order = shop.newOrder(item, productCode);
    const body = {
      merchantOrderId: order.merchantOrderId,
      amountMinor: order.amountMinor,
      items: [{ name: item.name.zh, quantity: 1, unitPriceMinor: item.priceMinor }],
      ...(productCode === null ? {} : { productCode }),
      returnUrl: `${publicUrl}${orderPath(order)}`,
    };
    let answer = await settle(() => fenqi.createOrder(body, order.idempotencyKey));
    if (!answer.ok && (answer.status >= 500 || answer.problem.code === 'idempotency_key_in_progress'))
      answer = await settle(() => fenqi.createOrder(body, order.idempotencyKey));
    if (!answer.ok) {
      shop.failed(order, answer.problem);
      log(`order ${order.merchantOrderId}: Fenqi answered ${answer.status} ${answer.problem.code}`);
      return fenqiRefused(request, response, answer.problem, order);
    }
    shop.created(order, answer.body);
    log(`order ${order.merchantOrderId}: created (${answer.status}), checkout ${answer.body.checkoutUrl}`);
    if (wantsJson(request)) return json(response, 201, { order });
    return redirect(response, answer.body.checkoutUrl);
  }

  async function cancelOrder(request: IncomingMessage, response: ServerResponse, order: ShopOrder) {
    await readBody(request, formBytesMax);
    const answer = await settle(() =>
      fenqi.cancelOrder(order.merchantOrderId, '顾客取消 cancelled by the shopper', randomUUID()),
    );
    if (!answer.ok) return fenqiRefused(request, response, answer.problem);
    shop.cancelled(order);
    return wantsJson(request) ? json(response, 200, { order }) : redirect(response, orderPath(order));
  }

  async function refundOrder(request: IncomingMessage, response: ServerResponse, order: ShopOrder) {
    await readBody(request, formBytesMax);
    // A full refund gives back what is outstanding: ask Fenqi what that is now.
    const current = await settle(() => fenqi.getOrder(order.merchantOrderId));
    if (!current.ok) return fenqiRefused(request, response, current.problem);
    const outstanding = current.body.loan?.outstandingPrincipalMinor ?? '0';
    if (outstanding === '0') {
      const detail = 'Nothing is outstanding on this order’s loan: there is nothing to refund.';
      if (wantsJson(request)) return json(response, 409, { error: detail });
      return html(
        response,
        409,
        problemPage(base, { zh: '无可退金额', en: 'Nothing to refund' }, { detail }),
      );
    }
    const refundId = `${order.merchantOrderId}-R${Object.keys(order.refunds).length + 1}`;
    const answer = await settle(() =>
      fenqi.refund(order.merchantOrderId, { refundId, amountMinor: outstanding }, randomUUID()),
    );
    if (!answer.ok) return fenqiRefused(request, response, answer.problem);
    const { refund } = answer.body;
    shop.refunded(order, {
      refundId: refund.merchantRefundId,
      amountMinor: refund.amountMinor,
      kind: refund.kind,
    });
    log(
      `order ${order.merchantOrderId}: refund ${refund.merchantRefundId} of ${refund.amountMinor} fen (${refund.kind})`,
    );
    return wantsJson(request) ? json(response, 201, { order, refund }) : redirect(response, orderPath(order));
  }

  async function orderStatus(response: ServerResponse, order: ShopOrder, check: boolean) {
    if (!check) return json(response, 200, orderJson(order, eventsOf(order)));
    const answer = await settle(() => fenqi.getOrder(order.merchantOrderId));
    if (answer.ok) shop.queried(order, answer.body);
    const fenqiView = answer.ok
      ? { status: answer.status, order: answer.body.order, loan: answer.body.loan ?? null }
      : { status: answer.status, problem: answer.problem };
    return json(response, 200, { ...orderJson(order, eventsOf(order)), fenqi: fenqiView });
  }

  async function webhook(request: IncomingMessage, response: ServerResponse) {
    const body = await readBody(request, webhookBytesMax);
    const verdict = verifier.verify({
      method: request.method ?? 'POST',
      path: request.url ?? '/',
      header: (name) => {
        const value = request.headers[name];
        return typeof value === 'string' ? value : undefined;
      },
      body,
    });
    if (!verdict.ok) {
      log(`webhook refused (${verdict.status}): ${verdict.reason}`);
      return json(response, verdict.status, { error: verdict.reason });
    }
    // Answer at once; the work is a few map updates (a real merchant would queue it).
    const { duplicate } = shop.receive(verdict.event);
    log(`webhook ${verdict.event.type} ${verdict.event.id}${duplicate ? ' (duplicate, ignored)' : ''}`);
    return json(response, 200, { received: true, duplicate });
  }

  async function route(request: IncomingMessage, response: ServerResponse) {
    const url = new URL(request.url ?? '/', 'http://sandbox.invalid');
    if (base !== '' && url.pathname !== base && !url.pathname.startsWith(`${base}/`))
      return json(response, 404, { error: `the sandbox is under ${base}/` });
    const path = url.pathname.slice(base.length).replace(/\/+$/, '') || '/';
    const method = request.method === 'HEAD' ? 'GET' : (request.method ?? 'GET');
    const segments = path.split('/').slice(1).map(decodeURIComponent);
    const find = (id: string | undefined) => (id === undefined ? undefined : shop.order(id));

    if (method === 'GET' && path === '/')
      return html(response, 200, cataloguePage(base, catalogue, shop.orders()));
    if (method === 'GET' && path === '/assets/sandbox.js')
      return send(response, 200, script, 'text/javascript; charset=utf-8', { 'cache-control': 'no-cache' });
    if (method === 'GET' && path === '/healthz') return json(response, 200, { ok: true });
    if (method === 'POST' && path === '/orders') return createOrder(request, response);
    if (method === 'POST' && path === '/webhooks/fenqi') return webhook(request, response);
    if (method === 'GET' && path === '/api/orders') return json(response, 200, { orders: shop.orders() });
    if (method === 'GET' && path === '/api/events') return json(response, 200, { events: shop.events() });
    if (segments[0] === 'orders' || (segments[0] === 'api' && segments[1] === 'orders')) {
      const api = segments[0] === 'api';
      const rest = api ? segments.slice(2) : segments.slice(1);
      const order = find(rest[0]);
      if (order === undefined) {
        const detail = `There is no order ${rest[0] ?? ''} here (orders are kept in memory: a restart forgets them).`;
        return api || wantsJson(request)
          ? json(response, 404, { error: detail })
          : html(response, 404, problemPage(base, { zh: '找不到订单', en: 'No such order' }, { detail }));
      }
      if (api && method === 'GET' && rest.length === 1)
        return orderStatus(response, order, url.searchParams.get('check') === 'fenqi');
      if (!api && method === 'GET' && rest.length === 1)
        return html(response, 200, orderPage(base, order, eventsOf(order)));
      if (!api && method === 'POST' && rest[1] === 'cancel') return cancelOrder(request, response, order);
      if (!api && method === 'POST' && rest[1] === 'refund') return refundOrder(request, response, order);
    }
    return json(response, 404, { error: `no route ${request.method} ${url.pathname}` });
  }

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (error instanceof BodyTooLarge) return json(response, 413, { error: error.message });
      if (error instanceof SyntaxError) return json(response, 400, { error: 'the body is not valid JSON' });
      if (error instanceof URIError) return json(response, 400, { error: 'the path is not valid' });
      log(`error: ${(error as Error).stack ?? String(error)}`);
      if (!response.headersSent) json(response, 500, { error: 'internal error' });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  if (publicUrl === '') publicUrl = url;
  return {
    url,
    publicUrl,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
