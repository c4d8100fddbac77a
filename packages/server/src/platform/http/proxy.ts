import { request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';

// A reverse proxy for an application that runs as a process of its own beside the API — the
// merchant sandbox under /sandbox, which `fenqi demo` starts (cli/sandbox.ts). Only the demo
// registers it. Bodies stream both ways untouched: the API parses nothing on these paths (a
// webhook's signature covers its exact bytes), and the application answers for itself, its own
// security headers included.

export type ProxyOptions = {
  /** The URL prefix, e.g. `/sandbox`: it and everything under it. The path is passed on as it is. */
  prefix: string;
  /** Where the application listens now (`http://127.0.0.1:port`); undefined while it is not up. */
  target: () => string | undefined;
  /** How errors name it. */
  name: string;
  /** How long the application may take to answer. */
  timeoutMs?: number;
};

// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and are not passed on.
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

function passOn(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined && !hopByHop.has(name)) kept[name] = value;
  return kept;
}

export function registerProxy(app: FastifyInstance, options: ProxyOptions): void {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const unavailable = (why: string) =>
    new AppError('service_unavailable', `The ${options.name} is not available: ${why}.`);

  function forward(request: FastifyRequest, target: string): Promise<IncomingMessage> {
    const url = new URL(request.url, target);
    return new Promise((resolve, reject) => {
      const upstream = httpRequest(url, {
        method: request.method,
        headers: {
          ...passOn(request.headers),
          host: url.host,
          'x-forwarded-for': request.ip,
          'x-forwarded-host': request.headers.host ?? '',
          'x-forwarded-proto': request.protocol,
        },
        timeout: timeoutMs,
      });
      upstream.once('response', resolve);
      upstream.once('timeout', () => upstream.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      upstream.once('error', reject);
      // The body was left unread (the parser below): it flows to the application as it arrives.
      if (request.method === 'GET' || request.method === 'HEAD') upstream.end();
      else request.raw.pipe(upstream);
    });
  }

  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const target = options.target();
    if (target === undefined) throw unavailable('it is not running');
    let answer: IncomingMessage;
    try {
      answer = await forward(request, target);
    } catch (error) {
      throw unavailable((error as Error).message);
    }
    return reply
      .code(answer.statusCode ?? 502)
      .headers(passOn(answer.headers))
      .send(answer);
  };

  app.register(async (scope) => {
    // No body is parsed here: every content type is accepted and left in the request stream.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    // Public like the static apps, outside the API's rate limit; the security headers are the
    // application's own (securityHeaders: false skips the API's).
    const config = { permission: 'public', rateLimit: false, securityHeaders: false } as const;
    for (const url of [options.prefix, `${options.prefix}/*`])
      scope.route({ method: ['GET', 'POST'], url, schema: { hide: true }, config, handler });
  });
}
