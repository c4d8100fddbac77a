import type { KeyObject } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ComputePool } from '../compute/pool.ts';
import type { DB, Tx } from '../db.ts';
import { isRetryableConflict } from '../db-errors.ts';
import { AppError, problemOf } from '../errors.ts';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  fingerprintKey,
  fingerprintOf,
  parseIdempotencyKey,
  releaseIdempotencyKey,
} from './idempotency.ts';
import type { OpenApiSecurity } from './openapi.ts';
import { sendProblem } from './problem.ts';
import type { Caller, RouteDefinition, Services } from './route.ts';

export type AccessControl = {
  /** Identifies the caller and checks the route's permission; throws an AppError (401/403) if refused. */
  authorize(request: FastifyRequest, route: RouteDefinition): Promise<Caller>;
  /**
   * Called once by buildApp before any module route is registered, for what authentication needs
   * from the HTTP layer itself (IAM keeps the raw request body: signatures are over its bytes).
   */
  install?(app: FastifyInstance): void;
  /** How callers authenticate, for the OpenAPI document (security schemes and requirements). */
  openApi?: OpenApiSecurity;
};

const jsonContentType = 'application/json; charset=utf-8';

type Sendable = { status: number; body: string; headers?: Record<string, string> | undefined };

/** Encodes the handler's result through the response schema: unlisted fields never leave. */
function serialize(
  route: RouteDefinition,
  result: { status: number; body: unknown; headers?: Record<string, string> },
): Sendable {
  const schema = route.schema.response[result.status];
  if (!schema)
    throw new Error(
      `${route.method} ${route.url} returned status ${result.status}, which its schema does not declare`,
    );
  const encoded = z.encode(schema, result.body as never);
  return { status: result.status, body: JSON.stringify(encoded), headers: result.headers };
}

function send(reply: FastifyReply, response: Sendable, contentType = jsonContentType): FastifyReply {
  if (response.headers) reply.headers(response.headers);
  return reply.status(response.status).type(contentType).send(response.body);
}

function callerKey(caller: Caller): string {
  return `${caller.kind}:${caller.id}`;
}

const fingerprintKeys = new WeakMap<Services['config'], KeyObject>();

function fingerprintKeyOf(config: Services['config']): KeyObject {
  let key = fingerprintKeys.get(config);
  if (key === undefined) {
    key = fingerprintKey(config.secrets.sessionKey);
    fingerprintKeys.set(config, key);
  }
  return key;
}

/**
 * A command's transaction is run again when PostgreSQL aborted it only to resolve a conflict with a
 * concurrent one (serialization failure, deadlock): nothing of it committed, so the retry is the
 * same request. Handlers therefore keep every effect inside the transaction.
 */
const commandAttemptsMax = 3;

async function inTransaction<T>(db: DB, work: (trx: Tx) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.transaction().execute(work);
    } catch (error) {
      if (attempt >= commandAttemptsMax || !isRetryableConflict(error)) throw error;
    }
  }
}

/** Whether the request carries a body (any length above zero, or a chunked one). */
function hasBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return (length !== undefined && length !== '0') || request.headers['transfer-encoding'] !== undefined;
}

async function runCommand(
  route: Extract<RouteDefinition, { kind: 'command' }>,
  input: Parameters<Extract<RouteDefinition, { kind: 'compute' }>['handler']>[0],
  services: Services,
): Promise<FastifyReply> {
  const { request, reply } = input;
  const key = parseIdempotencyKey(request.headers['idempotency-key']);
  const { config } = services;
  // One pooled connection for the whole command: the claim (autocommit), then the transaction.
  return services.db.connection().execute(async (db) => {
    const claim = await claimIdempotencyKey(db, {
      caller: callerKey(input.caller),
      key,
      method: request.method,
      path: request.url,
      fingerprint: fingerprintOf(fingerprintKeyOf(config), request.method, request.url, request.body),
      ttlHours: config.idempotencyTtlHours,
      lockSeconds: config.idempotencyLockSeconds,
    });
    if (claim.outcome === 'replay') {
      reply.header('idempotent-replayed', 'true');
      return reply.status(claim.response.status).type(claim.response.contentType).send(claim.response.body);
    }
    try {
      const prepared =
        route.prepare === undefined ? undefined : await route.prepare({ ...input, db: services.db });
      const response = await inTransaction(db, async (trx) => {
        const result = await route.handler({ ...input, trx, prepared });
        const sendable = serialize(route, result);
        await completeIdempotencyKey(trx, claim, {
          status: sendable.status,
          body: sendable.body,
          contentType: jsonContentType,
        });
        return sendable;
      });
      return send(reply, response);
    } catch (error) {
      // The transaction rolled back, so nothing happened: give the key back. A rejected request
      // leaves no trace (docs/architecture.md invariant 5), and a retry with the same key may run again.
      await releaseIdempotencyKey(db, claim).catch((releaseError: unknown) =>
        request.log.warn({ err: releaseError }, 'could not release idempotency key'),
      );
      throw error;
    }
  });
}

/** Registers declared routes. Every route must name a permission; start-up fails otherwise. */
export function registerRoutes(
  app: FastifyInstance,
  routes: readonly RouteDefinition[],
  services: Services,
  accessControl: AccessControl,
  compute: ComputePool,
): void {
  const { config } = services;
  for (const route of routes) {
    if (!route.permission) throw new Error(`route ${route.method} ${route.url} declares no permission`);
    if (route.kind === 'command' && route.method === 'GET') {
      throw new Error(`route GET ${route.url} is a command; GET must not change state`);
    }
    if (route.kind === 'query' && route.method !== 'GET') {
      throw new Error(`route ${route.method} ${route.url} is a query; use GET`);
    }
    if (route.kind === 'callback' && (route.method !== 'POST' || route.permission !== 'public')) {
      throw new Error(
        `route ${route.method} ${route.url} is a callback: a public POST that verifies its sender`,
      );
    }
    const rateLimit =
      route.rateLimit ??
      (route.kind === 'compute'
        ? { max: config.computeRateLimitMax, timeWindowMs: config.rateLimitWindowMs }
        : undefined);
    app.route({
      method: route.method,
      url: route.url,
      schema: {
        summary: route.summary,
        ...(route.description === undefined ? {} : { description: route.description }),
        tags: route.tags,
        ...(route.schema.params ? { params: route.schema.params } : {}),
        ...(route.schema.querystring ? { querystring: route.schema.querystring } : {}),
        ...(route.schema.body ? { body: route.schema.body } : {}),
        response: route.schema.response,
      },
      config: {
        permission: route.permission,
        kind: route.kind,
        ...(rateLimit === undefined
          ? {}
          : {
              rateLimit:
                rateLimit === false ? false : { max: rateLimit.max, timeWindow: rateLimit.timeWindowMs },
            }),
      },
      handler: async (request, reply) => {
        const caller = await accessControl.authorize(request, route);
        if (route.kind !== 'callback' && route.schema.body === undefined && hasBody(request)) {
          throw new AppError(
            'body_not_allowed',
            `${route.method} ${route.url} takes no request body; send none.`,
          );
        }
        const input = {
          params: request.params as never,
          query: request.query as never,
          body: request.body as never,
          caller,
          request,
          reply,
          services,
          compute,
        };
        switch (route.kind) {
          case 'query':
            return send(reply, serialize(route, await route.handler({ ...input, db: services.db })));
          case 'compute':
            return send(reply, serialize(route, await route.handler(input)));
          case 'command':
            return runCommand(route, input, services);
          case 'callback': {
            const verified = route.verify(input);
            const result = await inTransaction(services.db, (trx) =>
              route.handler({ ...input, trx, verified }),
            );
            if ('refusal' in result) return sendProblem(reply, request, problemOf(result.refusal));
            return reply.status(result.status).type(result.contentType).send(result.body);
          }
        }
      },
    });
  }
}

export function assertEveryApiRouteHasPermission(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const permission = (route.config as { permission?: string } | undefined)?.permission;
    if (route.url.startsWith('/api/') && !permission) {
      throw new Error(`route ${String(route.method)} ${route.url} declares no permission`);
    }
  });
}
