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
    expect(problem.errors).toEqual([
      { in: 'body', path: 'text', message: 'must not be empty' },
      { in: 'body', path: 'amount', message: 'must be a decimal amount with at most 2 decimals' },
    ]);
    expect(problem.detail).toBe(
      'The body is not valid: text: must not be empty; amount: must be a decimal amount with at most 2 decimals',
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
