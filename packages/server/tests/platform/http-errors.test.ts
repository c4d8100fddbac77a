import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { countNotes, createNotesTable, notesModule } from '../support/notes-module.ts';
import { http, useTestServer } from '../support/server.ts';

// Every error class leaves the server as application/problem+json (RFC 9457) with the right status,
// a stable type and code, a human detail, and — for validation — field errors. Rejected requests
// write nothing.

const { database, server } = useTestServer({
  modules: [notesModule],
  env: { HTTP_BODY_BYTES_MAX: '2048' },
  prepare: async (database) => {
    await createNotesTable(database.db);
  },
});

function expectProblem(
  result: Awaited<ReturnType<typeof http>>,
  status: number,
  code: string,
): Record<string, unknown> {
  expect(result.status).toBe(status);
  expect(result.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
  const problem = result.json as Record<string, unknown>;
  expect(problem).toMatchObject({
    type: `https://fenqi.dev/problems/${code}`,
    status,
    code,
  });
  expect(typeof problem.title).toBe('string');
  expect(typeof problem.detail).toBe('string');
  expect(problem.requestId).toBe(result.headers.get('x-request-id'));
  return problem;
}

const key = () => ({ 'idempotency-key': crypto.randomUUID() });

describe('problem+json for every error class', () => {
  it('an unknown path is 404 not_found', async () => {
    const result = await http(server.baseUrl, 'GET', '/api/v1/no-such-thing');
    const problem = expectProblem(result, 404, 'not_found');
    expect(problem).toMatchObject({
      title: 'Not found',
      detail: 'There is no resource at /api/v1/no-such-thing.',
      instance: '/api/v1/no-such-thing',
    });
  });

  it('a known path with another method is 405 method_not_allowed with an Allow header', async () => {
    const result = await http(server.baseUrl, 'DELETE', '/api/v1/business-date');
    const problem = expectProblem(result, 405, 'method_not_allowed');
    expect(result.headers.get('allow')).toBe('GET, HEAD');
    expect(problem.detail).toBe('DELETE is not allowed on /api/v1/business-date; allowed: GET, HEAD.');
  });

  it('a path with parameters and another method is 405 too', async () => {
    const result = await http(server.baseUrl, 'PUT', '/api/v1/test-notes/12', { body: {}, headers: key() });
    expectProblem(result, 405, 'method_not_allowed');
    expect(result.headers.get('allow')).toBe('GET, HEAD');
  });

  it('malformed JSON is 400 malformed_json and writes nothing', async () => {
    const before = await countNotes(database.db);
    const result = await http(server.baseUrl, 'POST', '/api/v1/test-notes', {
      rawBody: '{"text": "unterminated',
      headers: { 'content-type': 'application/json', ...key() },
    });
    const problem = expectProblem(result, 400, 'malformed_json');
    expect(problem.detail).toBe('The request body could not be parsed as JSON.');
    expect(await countNotes(database.db)).toBe(before);
  });

  it('an empty JSON body is 400 malformed_json', async () => {
    const result = await http(server.baseUrl, 'POST', '/api/v1/test-notes', {
      rawBody: '',
      headers: { 'content-type': 'application/json', ...key() },
    });
    expectProblem(result, 400, 'malformed_json');
  });

  it('a wrong content type is 415 unsupported_media_type', async () => {
    for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
      const result = await http(server.baseUrl, 'POST', '/api/v1/test-notes', {
        rawBody: 'text=hello',
        headers: { 'content-type': contentType, ...key() },
      });
      expectProblem(result, 415, 'unsupported_media_type');
    }
    expect(await countNotes(database.db)).toBe(0);
  });

  it('a body over the limit is 413 payload_too_large', async () => {
    const result = await http(server.baseUrl, 'POST', '/api/v1/test-notes', {
      body: { text: 'x'.repeat(4096) },
      headers: key(),
    });
    expectProblem(result, 413, 'payload_too_large');
    expect(await countNotes(database.db)).toBe(0);
  });

  it('a body failing validation is 400 validation_failed with every field error', async () => {
    const result = await http(server.baseUrl, 'POST', '/api/v1/test-notes', {
      body: { text: '', amount: '12.345', extra: true },
      headers: key(),
    });
    const problem = expectProblem(result, 400, 'validation_failed');
    // Unknown fields are refused, as every route does (docs/api/README.md).
    expect(problem.errors).toEqual([
      { in: 'body', path: 'text', message: 'must not be empty' },
      { in: 'body', path: 'amount', message: 'must be a decimal amount with at most 2 decimals' },
      {
        in: 'body',
        path: 'extra',
        message: 'is not a field of this request (unknown fields are refused)',
        code: 'unknown_field',
      },
    ]);
    expect(problem.detail).toBe(
      'The body is not valid: text: must not be empty; amount: must be a decimal amount with at most 2 decimals; extra: is not a field of this request (unknown fields are refused)',
    );
    expect(await countNotes(database.db)).toBe(0);
  });

  it('a missing body field is reported by its path', async () => {
    const result = await http(server.baseUrl, 'POST', '/api/v1/test-notes', { body: {}, headers: key() });
    const problem = expectProblem(result, 400, 'validation_failed');
    expect(problem.errors).toEqual([
      { in: 'body', path: 'text', message: 'Invalid input: expected string, received undefined' },
    ]);
  });

  it('invalid path parameters are 400 validation_failed in params', async () => {
    const result = await http(server.baseUrl, 'GET', '/api/v1/test-notes/abc');
    const problem = expectProblem(result, 400, 'validation_failed');
    expect(problem.errors).toEqual([
      { in: 'params', path: 'id', message: 'Invalid string: must match pattern /^\\d+$/' },
    ]);
  });

  it('a domain not-found is 404 with the handler’s detail', async () => {
    const result = await http(server.baseUrl, 'GET', '/api/v1/test-notes/999999');
    const problem = expectProblem(result, 404, 'not_found');
    expect(problem.detail).toBe('There is no note 999999.');
  });

  it('an unexpected error is 500 with an opaque incident id that appears in the log, and no stack trace', async () => {
    const result = await http(server.baseUrl, 'POST', '/api/v1/test-notes', {
      body: { text: 'boom', failAfterWrite: 'bug' },
      headers: key(),
    });
    const problem = expectProblem(result, 500, 'internal_error');
    const incidentId = problem.incidentId;
    expect(incidentId).toMatch(/^[0-9a-f-]{36}$/);
    expect(problem.detail).toBe(
      `Something went wrong on our side. Quote incident ${incidentId} when you contact support.`,
    );
    expect(result.text).not.toContain('secret-table-name');
    expect(result.text).not.toContain('at ');
    const logged = server.logs.find((line) => line.incidentId === incidentId);
    expect(logged?.msg).toBe('unhandled error');
    expect(JSON.stringify(logged)).toContain('secret-table-name');
    // The write before the failure was rolled back with the transaction.
    expect(await countNotes(database.db)).toBe(0);
  });

  it('a domain error after a write rolls the write back', async () => {
    const result = await http(server.baseUrl, 'POST', '/api/v1/test-notes', {
      body: { text: 'no', failAfterWrite: 'domain' },
      headers: key(),
    });
    expectProblem(result, 400, 'validation_failed');
    expect(await countNotes(database.db)).toBe(0);
  });
});

describe('hostile requests', () => {
  it('a body nested 1,000 deep is 400 body_too_deep before anything walks it, and writes nothing', async () => {
    // 1,000 is what fits this server's 2 KiB body limit; idempotency.test.ts sends 20,000.
    const deep = `{"text":${'['.repeat(1000)}${']'.repeat(1000)}}`;
    const before = await countNotes(database.db);
    const result = await http(server.baseUrl, 'POST', '/api/v1/test-notes', {
      rawBody: deep,
      headers: { 'content-type': 'application/json', ...key() },
    });
    const problem = expectProblem(result, 400, 'body_too_deep');
    expect(problem.detail).toBe(
      'The request body nests arrays and objects more than 32 deep; no request of this API does.',
    );
    expect(await countNotes(database.db)).toBe(before);
    const requestId = result.headers.get('x-request-id');
    expect(server.logs.some((line) => line.requestId === requestId && line.msg === 'unhandled error')).toBe(
      false,
    );
  });

  it('counts depth exactly: 32 levels parse, 33 are refused; brackets inside strings do not count', async () => {
    const nested = (depth: number) => `${'['.repeat(depth - 1)}"x"${']'.repeat(depth - 1)}`;
    const at = (depth: number) =>
      http(server.baseUrl, 'POST', '/api/v1/test-notes', {
        rawBody: `{"text":${nested(depth)}}`,
        headers: { 'content-type': 'application/json', ...key() },
      });
    expectProblem(await at(32), 400, 'validation_failed');
    expectProblem(await at(33), 400, 'body_too_deep');
    const quoted = await http(server.baseUrl, 'POST', '/api/v1/test-notes', {
      body: { text: `[{"\\[${'['.repeat(100)}` },
      headers: key(),
    });
    expect(quoted.status).toBe(201);
  });

  it('a body sent to a route that takes none is 400 body_not_allowed and runs nothing', async () => {
    const result = await http(server.baseUrl, 'POST', '/api/v1/test-notes/7/touch', {
      body: { anything: true },
      headers: key(),
    });
    expectProblem(result, 400, 'body_not_allowed');
    const empty = await http(server.baseUrl, 'POST', '/api/v1/test-notes/7/touch', { headers: key() });
    expect(empty.status).toBe(200);
  });

  it('a GET with a body is refused too', async () => {
    const result = await rawRequest(server.baseUrl, 'GET', '/api/v1/business-date', '{"a":1}');
    expect(result.status).toBe(400);
    expect(JSON.parse(result.body)).toMatchObject({ code: 'body_not_allowed' });
  });

  it('a path parameter over 200 characters is 414 uri_too_long as problem+json', async () => {
    const result = await http(server.baseUrl, 'GET', `/api/v1/test-notes/${'1'.repeat(201)}`);
    const problem = expectProblem(result, 414, 'uri_too_long');
    expect(problem.detail).toBe('A path segment is longer than this API accepts (200 characters).');
    const longest = await http(server.baseUrl, 'GET', `/api/v1/test-notes/${'x'.repeat(200)}`);
    expect((expectProblem(longest, 400, 'validation_failed').errors as { in: string }[])[0]?.in).toBe(
      'params',
    );
  });

  it('a percent-escape that is not UTF-8 (%ff) is 400 bad_request as problem+json', async () => {
    const result = await http(server.baseUrl, 'GET', '/api/v1/test-notes/%ff');
    const problem = expectProblem(result, 400, 'bad_request');
    expect(problem.detail).toBe(
      'The path is not a valid URL: a percent-escape in it does not decode to UTF-8 text.',
    );
  });

  it('a NUL character in a body, query or path is a 400 field error, never a 500', async () => {
    const before = await countNotes(database.db);
    const body = await http(server.baseUrl, 'POST', '/api/v1/test-notes', {
      body: { text: 'a\u0000b' },
      headers: key(),
    });
    expect((expectProblem(body, 400, 'validation_failed').errors as unknown[])[0]).toEqual({
      in: 'body',
      path: 'text',
      message: 'must not contain NUL characters or unpaired surrogates',
    });
    const surrogate = await http(server.baseUrl, 'POST', '/api/v1/test-notes', {
      rawBody: '{"text":"lone \\ud800 here"}',
      headers: { 'content-type': 'application/json', ...key() },
    });
    expectProblem(surrogate, 400, 'validation_failed');
    expectProblem(await http(server.baseUrl, 'GET', '/api/v1/test-notes/%00'), 400, 'validation_failed');
    expect(await countNotes(database.db)).toBe(before);
  });

  it('a unique violation no store anticipated is 409 concurrent_conflict, rolled back, not a 500', async () => {
    const before = await countNotes(database.db);
    const result = await http(server.baseUrl, 'POST', '/api/v1/test-notes', {
      body: { text: 'dup', failAfterWrite: 'duplicate' },
      headers: key(),
    });
    const problem = expectProblem(result, 409, 'concurrent_conflict');
    expect(problem.detail).toBe(
      'Another request changed the same data at the same time. Retry the request (with the same Idempotency-Key).',
    );
    expect(await countNotes(database.db)).toBe(before);
  });
});

describe('request ids', () => {
  it('echoes a well-formed caller request id and uses it in the log', async () => {
    const result = await http(server.baseUrl, 'GET', '/api/v1/business-date', {
      headers: { 'x-request-id': 'caller-abc-123456' },
    });
    expect(result.headers.get('x-request-id')).toBe('caller-abc-123456');
    expect(
      server.logs.some((line) => line.requestId === 'caller-abc-123456' && line.msg === 'request completed'),
    ).toBe(true);
  });

  it('replaces a request id that could inject into logs', async () => {
    const result = await http(server.baseUrl, 'GET', '/api/v1/business-date', {
      headers: { 'x-request-id': 'bad id\twith tab' },
    });
    expect(result.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});

/** A request fetch() will not send (a GET with a body), over node:http. */
function rawRequest(baseUrl: string, method: string, path: string, body: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = httpRequest(
      `${baseUrl}${path}`,
      { method, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
