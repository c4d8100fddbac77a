import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { ComputePool } from '../compute/pool.ts';
import type { DB, Tx } from '../db.ts';
import type { AppError } from '../errors.ts';
import type { Services } from '../services.ts';

// How every API route is declared. A route names its permission, its Zod schemas (the source of
// validation, OpenAPI and the disclosure boundary of the response), and one of three kinds:
//   query   — reads (GET); handler gets the database and returns the body
//   command — changes state; requires an Idempotency-Key and runs in one transaction that also
//             stores the response, so the effect and its replay record commit together (an
//             external call it needs runs before, in `prepare`)
//   compute — POST that changes nothing (a quote); no key, no transaction
//   callback — POST from an external system (a payment channel's notice): public to IAM, it
//             authenticates by the sender's own signature (`verify`, before any database work),
//             deduplicates by the sender's id in its one transaction, and answers what the sender
//             expects (plain text), not JSON
// `registerRoutes` turns these into Fastify routes; nothing registers Fastify routes by hand.

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A permission string such as `loans:read`, or `public` for endpoints open to anyone. */
export type Permission = 'public' | `${string}:${string}`;

export type CallerKind = 'anonymous' | 'staff' | 'borrower' | 'merchant' | 'funder' | 'system';

/**
 * Who is calling. Filled in by access control before the handler runs. `id` is stable and unique
 * within its kind (staff user id, borrower id, merchant or funder id), so `${kind}:${id}` scopes
 * idempotency keys. `permissions` is what the caller holds (IAM); `credentialId` names the staff
 * session, borrower session or API key the request was authenticated with.
 */
export type Caller = {
  kind: CallerKind;
  id: string;
  permissions?: ReadonlySet<string>;
  credentialId?: string;
};

export type { Services };

type AnyZod = z.ZodType;

export type RouteSchemas = {
  params?: AnyZod;
  querystring?: AnyZod;
  body?: AnyZod;
  /** Responses by status; the success response decides what leaves the server. */
  response: Record<number, AnyZod>;
};

type Input<S extends RouteSchemas> = {
  params: S['params'] extends AnyZod ? z.output<S['params']> : Record<string, never>;
  query: S['querystring'] extends AnyZod ? z.output<S['querystring']> : Record<string, never>;
  body: S['body'] extends AnyZod ? z.output<S['body']> : undefined;
  caller: Caller;
  request: FastifyRequest;
  reply: FastifyReply;
  services: Services;
  /** Worker threads for CPU-bound work (quotes, APRs), so the event loop stays free. */
  compute: ComputePool;
};

type SuccessStatus<S extends RouteSchemas> = Extract<keyof S['response'], 200 | 201 | 202>;

/** Handlers may return readonly data (the core's results are deeply readonly). */
type DeepReadonly<T> = T extends (infer E)[]
  ? readonly DeepReadonly<E>[]
  : T extends object
    ? { readonly [P in keyof T]: DeepReadonly<T[P]> }
    : T;

export type Result<S extends RouteSchemas> = {
  [K in SuccessStatus<S>]: {
    status: K;
    /** The response as the service returns it (bigints, Dates); the schema's codecs encode it. */
    body: DeepReadonly<z.output<S['response'][K]>>;
    headers?: Record<string, string>;
  };
}[SuccessStatus<S>];

type Common<S extends RouteSchemas> = {
  method: HttpMethod;
  url: string;
  permission: Permission;
  summary: string;
  description?: string;
  tags: string[];
  schema: S;
  /**
   * Turn the global rate limit off (health probes) or tighten it (OTP, login). Compute routes
   * without their own limit get COMPUTE_RATE_LIMIT_MAX: anyone may call a calculator, not without end.
   */
  rateLimit?: false | { max: number; timeWindowMs: number };
};

export type QueryRoute<S extends RouteSchemas> = Common<S> & {
  kind: 'query';
  handler: (input: Input<S> & { db: DB }) => Promise<Result<S>>;
};

export type CommandRoute<S extends RouteSchemas, P = undefined> = Common<S> & {
  kind: 'command';
  /**
   * Work outside the transaction, after the Idempotency-Key is claimed (a replay never runs it):
   * a call to an external system — a payment channel — that must not hold a transaction open
   * while it waits. Its result is the handler's `prepared`; if it throws, nothing was written.
   */
  prepare?: (input: Input<S> & { db: DB }) => Promise<P>;
  handler: (input: Input<S> & { trx: Tx; prepared: P }) => Promise<Result<S>>;
};

/**
 * What a callback answers: the sender's protocol decides the status and the bytes. A `refusal`
 * commits what the handler recorded (an exception item) and answers that problem instead.
 */
export type RawResult = { status: number; contentType: string; body: string } | { refusal: AppError };

export type CallbackRoute<S extends RouteSchemas, V = unknown> = Common<S> & {
  kind: 'callback';
  /** Checks the sender's signature on the raw request; throws an AppError (401) to refuse. */
  verify: (input: Input<S>) => V;
  handler: (input: Input<S> & { trx: Tx; verified: V }) => Promise<RawResult>;
};

export type ComputeRoute<S extends RouteSchemas> = Common<S> & {
  kind: 'compute';
  handler: (input: Input<S>) => Promise<Result<S>>;
};

export type RouteDefinition<S extends RouteSchemas = RouteSchemas> =
  | QueryRoute<S>
  | CommandRoute<S>
  | ComputeRoute<S>
  | CallbackRoute<S>;

export function queryRoute<S extends RouteSchemas>(route: Omit<QueryRoute<S>, 'kind'>): RouteDefinition {
  return { kind: 'query', ...route } as unknown as RouteDefinition;
}

export function commandRoute<S extends RouteSchemas, P = undefined>(
  route: Omit<CommandRoute<S, P>, 'kind'>,
): RouteDefinition {
  return { kind: 'command', ...route } as unknown as RouteDefinition;
}

export function computeRoute<S extends RouteSchemas>(route: Omit<ComputeRoute<S>, 'kind'>): RouteDefinition {
  return { kind: 'compute', ...route } as unknown as RouteDefinition;
}

export function callbackRoute<S extends RouteSchemas, V>(
  route: Omit<CallbackRoute<S, V>, 'kind' | 'permission'>,
): RouteDefinition {
  return { kind: 'callback', permission: 'public', ...route } as unknown as RouteDefinition;
}
