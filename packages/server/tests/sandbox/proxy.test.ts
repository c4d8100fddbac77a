import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeApplication } from '../../src/modules/index.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { openAccessControl } from '../../src/platform/http/access.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import { registerProxy } from '../../src/platform/http/proxy.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { startTestServer, type TestServer, testKeys } from '../support/server.ts';
import { request } from './support.ts';

// The proxy `fenqi demo` puts in front of the merchant sandbox (platform/http/proxy.ts): /sandbox
// and everything under it go to the application as they came — path, query, headers, body bytes
// the API would never accept (a webhook's signature covers exactly those) — and its answer comes
// back as it gave it, its own security headers included. Without the demo there is no /sandbox.

type Seen = { method: string; url: string; headers: IncomingHttpHeaders; body: Buffer };

let database: TestDatabase;
let app: FastifyInstance;
let base: string;
let upstream: Server;
let target: string | undefined;
const seen: Seen[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  upstream = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
      });
      if (req.url === '/sandbox/moved') {
        res.writeHead(303, { location: 'http://127.0.0.1:1/h5/checkout/abc' });
        res.end();
        return;
      }
      res.writeHead(req.url === '/sandbox/missing' ? 404 : 200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': "default-src 'self'",
        'x-upstream': 'sandbox',
      });
      res.end(`<p>${req.method} ${req.url}</p>`);
    });
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  target = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const config = loadConfig({ DATABASE_URL: database.url, PORT: '0', LOG_LEVEL: 'silent', ...testKeys });
  const application = composeApplication();
  app = await buildApp({
    services: { config, db: database.db, logger: createLogger(config) },
    modules: application.modules,
    accessControl: openAccessControl,
    version: 'test',
  });
  registerProxy(app, { prefix: '/sandbox', target: () => target, name: 'merchant sandbox' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await app?.close();
  upstream?.closeAllConnections();
  await new Promise((resolve) => upstream?.close(resolve));
  await database?.drop();
});

const last = () => seen[seen.length - 1];

describe('the /sandbox proxy', () => {
  it('passes a page request on with its path and query, and the answer back as it was', async () => {
    for (const path of ['/sandbox', '/sandbox/', '/sandbox/orders/SBX-1?check=fenqi%20now']) {
      const got = await request(`${base}${path}`, 'GET', { headers: { 'x-request-id': 'proxy-test-0001' } });
      expect(got.status).toBe(200);
      expect(got.text).toBe(`<p>GET ${path}</p>`);
      expect(last()?.url).toBe(path);
      expect(last()?.headers['x-request-id']).toBe('proxy-test-0001');
      expect(got.headers.get('x-upstream')).toBe('sandbox');
      // The application's own policy, not the API's.
      expect(got.headers.get('content-security-policy')).toBe("default-src 'self'");
    }
  });

  it('streams bodies through untouched, in content types the API itself refuses', async () => {
    const bodies: [string, string][] = [
      ['application/json', '{"id": "e1",  "type":"loans.loan-disbursed"}'],
      ['application/json', '{"not json'],
      ['application/x-www-form-urlencoded', 'sku=phone&x=%E4%B8%AD'],
      ['text/plain', '纯文本 plain text'],
    ];
    for (const [type, body] of bodies) {
      const got = await request(`${base}/sandbox/webhooks/fenqi`, 'POST', {
        rawBody: body,
        headers: { 'content-type': type },
      });
      expect(got.status, got.text).toBe(200);
      expect(last()).toMatchObject({ method: 'POST', url: '/sandbox/webhooks/fenqi' });
      expect(last()?.body.toString('utf8')).toBe(body);
      expect(last()?.headers['content-type']).toBe(type);
    }
  });

  it('passes the application’s redirects and errors back to the browser', async () => {
    const moved = await request(`${base}/sandbox/moved`, 'POST', { rawBody: 'sku=phone' });
    expect(moved.status).toBe(303);
    expect(moved.headers.get('location')).toBe('http://127.0.0.1:1/h5/checkout/abc');
    expect((await request(`${base}/sandbox/missing`, 'GET')).status).toBe(404);
  });

  it('answers 503 while the application is not running, or not answering', async () => {
    const running = target;
    target = undefined;
    const absent = await request(`${base}/sandbox/`, 'GET');
    expect(absent.status).toBe(503);
    expect(absent.json).toMatchObject({ code: 'service_unavailable', status: 503 });
    target = 'http://127.0.0.1:1';
    const refused = await request(`${base}/sandbox/`, 'GET');
    expect(refused.status).toBe(503);
    expect((refused.json as { detail: string }).detail).toContain('The merchant sandbox is not available');
    target = running;
  });

  it('takes only /sandbox and what is under it', async () => {
    const before = seen.length;
    expect((await request(`${base}/sandboxes`, 'GET')).status).toBe(404);
    expect((await request(`${base}/api/v1/nothing`, 'GET')).status).toBe(404);
    expect(seen.length).toBe(before);
  });
});

describe('a server without the demo', () => {
  let plain: TestServer;
  beforeAll(async () => {
    plain = await startTestServer(database);
  });
  afterAll(() => plain?.close());

  it('has no /sandbox', async () => {
    expect((await request(`${plain.baseUrl}/sandbox/`, 'GET')).status).toBe(404);
  });
});
