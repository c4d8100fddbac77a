import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.ts';

// Request bodies are JSON, parsed by Fastify's own parser (same errors, same prototype-poisoning
// protection) from a buffer that is kept: signatures cover the exact bytes. Before anything parses
// or walks a body, its nesting depth is counted on the raw bytes: a body of 20,000 `[` is cheap to
// send, and every recursive walk of it (the idempotency fingerprint, validation) would overflow
// the stack. A limit of 32 is far beyond any request this API defines (the deepest is 4).

const quote = 0x22;
const backslash = 0x5c;
const open = new Set([0x5b, 0x7b]);
const close = new Set([0x5d, 0x7d]);

/**
 * Whether JSON text nests arrays and objects deeper than `depthMax`, counted without parsing.
 * UTF-8 multi-byte sequences never contain ASCII bytes, so scanning bytes finds every structural
 * character; characters inside strings (after an unescaped quote) are skipped.
 */
export function nestsDeeperThan(body: Uint8Array, depthMax: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i += 1) {
    const byte = body[i] ?? 0;
    if (inString) {
      if (byte === backslash) i += 1;
      else if (byte === quote) inString = false;
    } else if (byte === quote) inString = true;
    else if (open.has(byte)) {
      depth += 1;
      if (depth > depthMax) return true;
    } else if (close.has(byte)) depth -= 1;
  }
  return false;
}

export function installJsonParser(app: FastifyInstance, depthMax: number): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
    request.fenqiRawBody = bytes;
    if (nestsDeeperThan(bytes, depthMax)) {
      done(
        new AppError(
          'body_too_deep',
          `The request body nests arrays and objects more than ${depthMax} deep; no request of this API does.`,
        ),
        undefined,
      );
      return;
    }
    parseJson(request, bytes.toString('utf8'), done);
  });
}
