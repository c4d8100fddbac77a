import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { ComputePool } from '../compute/pool.ts';
import type { DB, Tx } from '../db.ts';
import type { Services } from '../services.ts';

// How every API route is declared. A route names its permission, its Zod schemas (the source of
// validation, OpenAPI and the disclosure boundary of the response), and one of three kinds:
//   query   — reads (GET); handler gets the database and returns the body
//   command — changes state; requires an Idempotency-Key and runs in one transaction that also
//             stores the response, so the effect and its replay record commit together
//   compute — POST that changes nothing (a quote); no key, no transaction
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

export type CommandRoute<S extends RouteSchemas> = Common<S> & {
  kind: 'command';
  handler: (input: Input<S> & { trx: Tx }) => Promise<Result<S>>;
};

export type ComputeRoute<S extends RouteSchemas> = Common<S> & {
  kind: 'compute';
  handler: (input: Input<S>) => Promise<Result<S>>;
};

export type RouteDefinition<S extends RouteSchemas = RouteSchemas> =
  | QueryRoute<S>
  | CommandRoute<S>
  | ComputeRoute<S>;

export function queryRoute<S extends RouteSchemas>(route: Omit<QueryRoute<S>, 'kind'>): RouteDefinition {
  return { kind: 'query', ...route } as unknown as RouteDefinition;
}

export function commandRoute<S extends RouteSchemas>(route: Omit<CommandRoute<S>, 'kind'>): RouteDefinition {
  return { kind: 'command', ...route } as unknown as RouteDefinition;
}

export function computeRoute<S extends RouteSchemas>(route: Omit<ComputeRoute<S>, 'kind'>): RouteDefinition {
  return { kind: 'compute', ...route } as unknown as RouteDefinition;
}
