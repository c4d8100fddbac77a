import { describe, expect, it } from 'vitest';
import { createNotesTable, notesModule } from '../support/notes-module.ts';
import { http, useTestServer } from '../support/server.ts';

const { server } = useTestServer({
  modules: [notesModule],
  env: { CORS_ORIGINS: 'https://console.example.com', RATE_LIMIT_MAX: '5', RATE_LIMIT_WINDOW_MS: '60000' },
  prepare: async (database) => {
    await createNotesTable(database.db);
  },
});

describe('probes', () => {
  it('/livez answers without touching the database', async () => {
    const result = await http(server.baseUrl, 'GET', '/livez');
    expect(result.status).toBe(200);
    expect(result.json).toEqual({ status: 'ok' });
  });

  it('/readyz checks the database and its schema version', async () => {
    const result = await http(server.baseUrl, 'GET', '/readyz');
    expect(result.status).toBe(200);
    expect(result.json).toMatchObject({ status: 'ready', checks: { database: 'ok' } });
  });

  it('probes are not rate limited', async () => {
    for (let i = 0; i < 12; i++) expect((await http(server.baseUrl, 'GET', '/livez')).status).toBe(200);
  });
});

describe('/metrics', () => {
  it('exposes process metrics and an HTTP duration histogram by route pattern and status', async () => {
    await http(server.baseUrl, 'GET', '/api/v1/test-notes/424242', {
      headers: { 'x-forwarded-for': '10.0.0.9' },
    });
    const result = await http(server.baseUrl, 'GET', '/metrics');
    expect(result.status).toBe(200);
    expect(result.headers.get('content-type')).toContain('text/plain');
    expect(result.text).toContain('fenqi_process_cpu_user_seconds_total');
    expect(result.text).toContain('fenqi_nodejs_eventloop_lag_seconds');
    expect(result.text).toMatch(
      /fenqi_http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/test-notes\/:id",status_code="404"\} 1/,
    );
    expect(result.text).not.toContain('424242');
    // Probes are polled by orchestrators; counting them would measure the orchestrator.
    expect(result.text).not.toContain('route="/livez"');
  });
});

describe('OpenAPI', () => {
  it('serves an OpenAPI 3.1 document generated from the Zod schemas', async () => {
    const result = await http(server.baseUrl, 'GET', '/openapi.json');
    expect(result.status).toBe(200);
    const doc = result.json as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          {
            parameters?: { name: string; in: string; required: boolean }[];
            'x-permission'?: string;
            requestBody?: unknown;
            responses: Record<string, unknown>;
          }
        >
      >;
    };
    expect(doc.openapi).toBe('3.1.0');
    const create = doc.paths['/api/v1/test-notes']?.post;
    expect(create?.['x-permission']).toBe('test-notes:write');
    expect(create?.parameters).toContainEqual(
      expect.objectContaining({ name: 'idempotency-key', in: 'header', required: true }),
    );
    expect(JSON.stringify(create?.requestBody)).toContain('"text"');
    expect(Object.keys(create?.responses ?? {})).toContain('201');
    expect(doc.paths['/api/v1/business-date']?.get?.['x-permission']).toBe('business-date:read');
  });

  it('serves interactive docs at /docs', async () => {
    const result = await fetch(`${server.baseUrl}/docs/`, { redirect: 'follow' });
    expect(result.status).toBe(200);
    expect(await result.text()).toContain('swagger-ui');
  });
});

describe('security headers and CORS', () => {
  it('sets helmet headers on API responses', async () => {
    const result = await http(server.baseUrl, 'GET', '/api/v1/business-date');
    expect(result.headers.get('x-content-type-options')).toBe('nosniff');
    expect(result.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(result.headers.get('content-security-policy')).not.toContain('upgrade-insecure-requests');
    expect(result.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
  });

  it('leaves browser policy headers off the health probes', async () => {
    const result = await http(server.baseUrl, 'GET', '/livez');
    expect(result.headers.get('content-security-policy')).toBeNull();
    expect(result.headers.get('x-request-id')).not.toBeNull();
  });

  it('allows a listed origin and exposes the request id', async () => {
    const result = await http(server.baseUrl, 'OPTIONS', '/api/v1/test-notes', {
      headers: {
        origin: 'https://console.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,idempotency-key',
      },
    });
    expect(result.status).toBe(204);
    expect(result.headers.get('access-control-allow-origin')).toBe('https://console.example.com');
    expect(result.headers.get('access-control-allow-headers')).toContain('idempotency-key');
  });

  it('does not allow an unlisted origin', async () => {
    const result = await http(server.baseUrl, 'GET', '/livez', {
      headers: { origin: 'https://evil.example.net' },
    });
    expect(result.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('rate limiting', () => {
  it('answers 429 rate_limited as problem+json with Retry-After once a client exceeds the limit', async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof http>> | undefined;
    for (let i = 0; i < 7; i++) {
      last = await http(server.baseUrl, 'GET', '/api/v1/business-date');
      statuses.push(last.status);
    }
    // The limit is 5 per window for this client; earlier tests in this file used some of it.
    expect(statuses.at(-1)).toBe(429);
    expect(last?.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect(last?.json).toMatchObject({
      code: 'rate_limited',
      status: 429,
      type: 'https://fenqi.dev/problems/rate_limited',
    });
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
