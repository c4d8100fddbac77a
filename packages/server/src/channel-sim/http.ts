import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { SimContext } from './context.ts';
import { verifySimSignature } from './signature.ts';
import { rememberNonce } from './store.ts';

// The simulator's HTTP edge: bodies are kept raw (the signature covers the exact bytes), JSON is
// parsed with limits a hostile client cannot get past, and /v1 requests must be signed.

export const bodyLimitBytes = 1024 * 1024;
const maxDepth = 16;

const rawBodies = new WeakMap<FastifyRequest, Buffer>();

export class BadRequest extends Error {}

/** Strings with NUL, or nesting deeper than any request of the protocol, are refused. */
function checkValue(value: unknown, depth: number): void {
  if (depth > maxDepth) throw new BadRequest('the JSON is nested too deeply');
  if (typeof value === 'string') {
    if (value.includes('\u0000')) throw new BadRequest('a string contains a NUL character');
  } else if (Array.isArray(value)) {
    for (const item of value) checkValue(item, depth + 1);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      checkValue(key, depth + 1);
      checkValue(item, depth + 1);
    }
  }
}

export function installBodyHandling(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const raw = body as Buffer;
    rawBodies.set(request, raw);
    try {
      const value: unknown = JSON.parse(raw.toString('utf8'));
      checkValue(value, 0);
      done(null, value);
    } catch (error) {
      done(error instanceof BadRequest ? error : new BadRequest('the body is not JSON'), undefined);
    }
  });
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof BadRequest)
      return reply.code(400).send({ returnCode: 'INVALID_REQUEST', message: error.message });
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== undefined && status >= 400 && status < 500)
      return reply.code(status).send({
        returnCode: 'INVALID_REQUEST',
        message: error instanceof Error ? error.message : 'bad request',
      });
    process.stderr.write(
      `channel-sim: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return reply.code(500).send({ returnCode: 'SYSTEM_ERROR', message: 'internal error' });
  });
  app.setNotFoundHandler((_request, reply) =>
    reply.code(404).send({ returnCode: 'NOT_FOUND', message: 'no such route' }),
  );
}

export const rawBodyOf = (request: FastifyRequest) => rawBodies.get(request) ?? Buffer.alloc(0);

/** The /v1 routes' guard: a bad, stale or replayed signature is 401 and changes nothing. */
export function requireSignature(context: SimContext) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const nowMs = context.now();
    const verified = verifySimSignature({
      merchantNo: context.merchantNo,
      secret: context.secret,
      method: request.method,
      path: request.url,
      body: rawBodyOf(request),
      headers: request.headers,
      nowMs,
    });
    if (!verified.ok || !(await rememberNonce(context.pool, verified.nonce, nowMs))) {
      return reply.code(401).send({ returnCode: 'SIGN_ERROR' });
    }
  };
}

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new BadRequest(
      `invalid request: ${issue ? `${issue.path.join('.') || 'body'} ${issue.message}` : 'body'}`,
    );
  }
  return parsed.data;
}

export const rejected = (code: string, message: string) => ({
  returnCode: 'REJECTED' as const,
  code,
  message,
});
