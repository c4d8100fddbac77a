import { randomUUID } from 'node:crypto';
import fastifyCors from '@fastify/cors';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { serializerCompiler } from 'fastify-type-provider-zod';
import helmet from 'helmet';
import { Redis } from 'ioredis';
import { type $ZodType, safeParse } from 'zod/v4/core';
import { createComputePool } from '../compute/pool.ts';
import { AppError, problemOf } from '../errors.ts';
import { probePaths, registerHealthRoutes } from './health.ts';
import { installJsonParser } from './json-body.ts';
import { registerMetrics } from './metrics.ts';
import { openApiDocument } from './openapi.ts';
import { errorHandler, frameworkErrorHandler, RequestValidationError, sendProblem } from './problem.ts';
import { type AccessControl, assertEveryApiRouteHasPermission, registerRoutes } from './register.ts';
import type { RouteDefinition, Services } from './route.ts';
import { RouteTable } from './route-table.ts';
import { consoleSpa, h5Spa, registerSpa } from './spa.ts';

/** What the HTTP layer needs of a module: its routes (modules/module.ts declares the rest). */
export type Module = { name: string; routes: readonly RouteDefinition[] };

declare module 'fastify' {
  interface FastifyRequest {
    /** The raw JSON body: signatures (partners, payment channels) are over its exact bytes. */
    fenqiRawBody?: Buffer;
  }
}

export type AppOptions = {
  services: Services;
  modules: readonly Module[];
  accessControl: AccessControl;
  version: string;
  /** Where the built console is (packages/console/dist unless given). */
  consoleDir?: string;
  /** Where the built borrower H5 is (packages/h5/dist unless given). */
  h5Dir?: string;
};

/** One log line per request, when it completes (Fastify's default logs two). */
class RequestLog extends LogController {
  readonly #infoEnabled: boolean;

  constructor(infoEnabled: boolean) {
    super({ requestIdLogLabel: 'requestId' });
    this.#infoEnabled = infoEnabled;
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null, request: FastifyRequest, reply: FastifyReply): void {
    if (!error && !this.#infoEnabled) return;
    const line = {
      method: request.method,
      url: request.url,
      route: request.routeOptions.url,
      statusCode: reply.statusCode,
      responseTimeMs: Math.round(reply.elapsedTime * 100) / 100,
    };
    if (error) request.log.error({ ...line, err: error }, 'request errored');
    else request.log.info(line, 'request completed');
  }
}

/** No path parameter this API defines is longer (ids, codes); longer ones are refused with 414. */
const pathParameterCharsMax = 200;

const requestIdPattern = /^[A-Za-z0-9._:-]{8,128}$/;

function requestId(request: { headers: Record<string, string | string[] | undefined> }): string {
  const given = request.headers['x-request-id'];
  // A caller-supplied id links our log lines to theirs, but only if it cannot inject into logs.
  return typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
}

/** Builds the HTTP application without listening, so tests and `serve` build the same thing. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const { config, logger } = options.services;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new RequestLog(logger.isLevelEnabled('info')),
    genReqId: requestId,
    requestIdHeader: false,
    bodyLimit: config.httpBodyBytesMax,
    trustProxy: config.trustProxy,
    requestTimeout: config.httpRequestTimeoutMs,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: pathParameterCharsMax },
    frameworkErrors: frameworkErrorHandler,
  });

  app.setValidatorCompiler(({ schema }) => (data) => {
    const result = safeParse(schema as $ZodType, data);
    return result.success
      ? { value: result.data }
      : { error: new RequestValidationError(result.error.issues) };
  });
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler);
  // JSON only: a text/plain body is refused with 415 rather than reaching a handler as a string.
  app.removeContentTypeParser('text/plain');
  installJsonParser(app, config.httpBodyDepthMax);

  const routes = new RouteTable();
  app.addHook('onRoute', (route) => {
    // The CORS plugin's catch-all OPTIONS route would make every path "exist"; skip catch-alls.
    if (route.url === '*' || route.url === '/*') return;
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) routes.add(method, route.url);
  });
  assertEveryApiRouteHasPermission(app);
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    const allowed = routes.allowedMethods(path);
    if (allowed.length > 0) {
      reply.header('allow', allowed.join(', '));
      return sendProblem(
        reply,
        request,
        problemOf(
          new AppError(
            'method_not_allowed',
            `${request.method} is not allowed on ${path}; allowed: ${allowed.join(', ')}.`,
          ),
        ),
      );
    }
    return sendProblem(
      reply,
      request,
      problemOf(new AppError('not_found', `There is no resource at ${path}.`)),
    );
  });

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });

  // Security headers from helmet, built once. (@fastify/helmet rebuilds the helmet middleware on
  // every request, which cost a third of our throughput in bench/http.ts; see docs/adr/0002.)
  const securityHeaders = helmet({
    // The API answers JSON; the interactive docs at /docs need their own scripts and styles only.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        // Served over plain HTTP on localhost in development; upgrading would break it.
        upgradeInsecureRequests: null,
      },
    },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  });
  app.addHook('onRequest', (request, reply, done) => {
    // Probes answer orchestrators, never browsers: a kilobyte of browser policy headers on every
    // health check is pure cost (route config `securityHeaders: false`).
    if ((request.routeOptions.config as { securityHeaders?: boolean }).securityHeaders === false)
      return done();
    securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined));
  });
  // Without allowed origins there is no cross-origin access to grant, so no CORS hook runs at all
  // (a browser's preflight then finds nothing to allow, which is the same answer).
  if (config.corsOrigins.length > 0) {
    await app.register(fastifyCors, {
      origin: config.corsOrigins,
      credentials: true,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['content-type', 'idempotency-key', 'authorization', 'x-request-id', 'x-csrf-token'],
      exposedHeaders: ['x-request-id', 'idempotent-replayed', 'retry-after'],
      maxAge: 600,
    });
  }
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, {
        lazyConnect: false,
        maxRetriesPerRequest: 1,
        enableOfflineQueue: false,
        connectTimeout: 2000,
      })
    : undefined;
  if (redis) {
    redis.on('error', (error) => logger.warn({ err: error }, 'rate-limit store (Redis) error'));
    // Start with shared counters when Redis is up; if it is not, serve anyway (fail open).
    const ready = await Promise.race([
      new Promise<boolean>((resolve) => redis.once('ready', () => resolve(true))),
      new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2000).unref()),
    ]);
    if (!ready) logger.warn('Redis is not reachable: rate limits are not enforced until it is');
    app.addHook('onClose', async () => {
      redis.disconnect();
    });
  }
  await app.register(fastifyRateLimit, {
    global: true,
    max: config.rateLimitMax,
    timeWindow: config.rateLimitWindowMs,
    ...(redis ? { redis, nameSpace: `${config.redisKeyPrefix}rate-limit:` } : {}),
    // A Redis outage must not take the API down with it: count locally-unknown as allowed.
    skipOnError: true,
    errorResponseBuilder: (_request, context) =>
      new AppError(
        'rate_limited',
        `Too many requests: at most ${context.max} per ${context.after} window. Retry after ${Math.ceil(context.ttl / 1000)} s.`,
      ),
  });

  const document = openApiDocument({
    routes: options.modules.flatMap((module) => module.routes),
    version: options.version,
    security: options.accessControl.openApi ?? { schemes: {}, requirement: () => [] },
    extraPaths: probePaths,
  });
  // Static: the document is generated from the route declarations above, not from Fastify's routes.
  await app.register(fastifySwagger, { mode: 'static', specification: { document: document as never } });
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    uiConfig: { docExpansion: 'list', deepLinking: true },
  });

  const metrics = registerMetrics(app);
  registerHealthRoutes(app, options.services, metrics);
  options.accessControl.install?.(app);
  const compute = createComputePool({
    workers: config.computeWorkers,
    queueMax: config.computeQueueMax,
    taskTimeoutMs: config.computeTaskTimeoutMs,
  });
  app.addHook('onClose', () => compute.close());
  for (const module of options.modules) {
    registerRoutes(app, module.routes, options.services, options.accessControl, compute);
  }
  const documentJson = JSON.stringify(document);
  app.get(
    '/openapi.json',
    { schema: { hide: true }, config: { permission: 'public', rateLimit: false } },
    async (_request, reply) => reply.type('application/json; charset=utf-8').send(documentJson),
  );
  registerSpa(app, { ...consoleSpa, dir: options.consoleDir ?? consoleSpa.dir });
  registerSpa(app, { ...h5Spa, dir: options.h5Dir ?? h5Spa.dir });
  return app;
}

export type { FastifyInstance, FastifyRequest };
