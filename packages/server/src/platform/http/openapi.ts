import { z } from 'zod';
import { errorCatalogue, problemTypeBase } from '../errors.ts';
import type { RouteDefinition } from './route.ts';
import { type AnySchema, walkSchema } from './schema-walk.ts';

// The OpenAPI 3.1 document, generated from the route declarations — the same Zod schemas that
// validate requests and encode responses — so it cannot drift from what the server does. Every
// schema with an id (`.meta({ id })`) becomes a component, referenced wherever it is used. Schemas
// are taken on their wire side (`io: 'input'`): a codec's string is what a client sends and reads.
// A test validates the document against the OpenAPI 3.1 schema and type-checks a client
// generated from it.

type JsonSchema = Record<string, unknown>;

export type OpenApiDocument = {
  openapi: '3.1.0';
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, unknown> };
  tags: { name: string }[];
};

/** How callers authenticate, from the access control (the platform knows no kinds of caller). */
export type OpenApiSecurity = {
  schemes: Record<string, unknown>;
  /** The security requirement of a route: [] for public, else the schemes that admit it. */
  requirement(route: RouteDefinition): Record<string, string[]>[];
};

const componentUri = (id: string) => `#/components/schemas/${id}`;

const problemSchema: JsonSchema = {
  type: 'object',
  description: 'An error, RFC 9457 problem details; `code` is one of the catalogue in docs/api/errors.md.',
  required: ['type', 'title', 'status', 'detail', 'code'],
  properties: {
    type: { type: 'string', format: 'uri', description: `${problemTypeBase}<code>` },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    code: { type: 'string', enum: Object.keys(errorCatalogue) },
    instance: { type: 'string' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['path', 'message'],
        properties: {
          in: { type: 'string', enum: ['body', 'query', 'params', 'headers'] },
          path: { type: 'string' },
          message: { type: 'string' },
          code: { type: 'string' },
        },
      },
    },
  },
  additionalProperties: true,
};

/** `/api/v1/customers/:customerId/cards` → `/api/v1/customers/{customerId}/cards`. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** `POST /api/v1/customers/:customerId/cards` → `postCustomersByCustomerIdCards`. */
export function operationId(method: string, url: string): string {
  const words = url
    .split('/')
    .filter((segment) => segment !== '' && segment !== 'api' && segment !== 'v1')
    .flatMap((segment) => (segment.startsWith(':') ? ['by', segment.slice(1)] : segment.split(/[-_]/)));
  const title = (word: string) => (word === '' ? '' : word[0]?.toUpperCase() + word.slice(1));
  return `${method.toLowerCase()}${words.map(title).join('')}`;
}

const idOf = (schema: AnySchema): string | undefined => {
  const id = z.globalRegistry.get(schema)?.id;
  return typeof id === 'string' ? id : undefined;
};

function stripRoot(schema: JsonSchema): JsonSchema {
  const { $schema: _schema, $id: _id, id: _idMeta, ...rest } = schema;
  return rest;
}

export function openApiDocument(options: {
  routes: readonly RouteDefinition[];
  version: string;
  security: OpenApiSecurity;
  /** Routes the platform serves itself (probes), documented as given. */
  extraPaths?: Record<string, Record<string, unknown>>;
}): OpenApiDocument {
  // One registry holds every component and every route part, so one conversion resolves all refs.
  const registry = new z.core.$ZodRegistry<{ id: string }>();
  const part = new Map<string, AnySchema>();
  const addComponents = (schema: AnySchema) =>
    walkSchema(schema, (node) => {
      const id = idOf(node);
      if (id !== undefined && !registry.has(node)) registry.add(node, { id });
    });
  options.routes.forEach((route, index) => {
    const parts: [string, AnySchema | undefined][] = [
      ['params', route.schema.params],
      ['query', route.schema.querystring],
      ['body', route.schema.body],
      ...Object.entries(route.schema.response).map(([status, schema]): [string, AnySchema] => [
        status,
        schema,
      ]),
    ];
    for (const [name, schema] of parts) {
      if (schema === undefined) continue;
      addComponents(schema);
      const key = `__route${index}_${name}`;
      if (!registry.has(schema)) registry.add(schema, { id: key });
      part.set(key, schema);
    }
  });
  const converted = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'input',
    uri: componentUri,
    unrepresentable: 'throw',
  }).schemas as Record<string, JsonSchema>;
  const schemaOf = (schema: AnySchema | undefined): JsonSchema | undefined => {
    if (schema === undefined) return undefined;
    const id = registry.get(schema)?.id;
    if (id === undefined) throw new Error('a route schema is missing from the OpenAPI registry');
    if (!id.startsWith('__route')) return { $ref: componentUri(id) };
    const found = converted[id];
    if (found === undefined) throw new Error(`no JSON schema for ${id}`);
    return stripRoot(found);
  };

  const components: Record<string, JsonSchema> = { Problem: problemSchema };
  for (const [id, schema] of Object.entries(converted)) {
    if (!id.startsWith('__route') && id !== '__shared') components[id] = stripRoot(schema);
  }
  if (converted.__shared !== undefined)
    throw new Error('a schema was shared without an id: give it .meta({ id })');

  const paths: OpenApiDocument['paths'] = { ...options.extraPaths };
  const tags = new Set<string>();
  for (const route of options.routes) {
    for (const tag of route.tags) tags.add(tag);
    const parameters: unknown[] = [];
    const addParameters = (schema: AnySchema | undefined, where: 'path' | 'query') => {
      const json = schemaOf(schema);
      if (json === undefined) return;
      const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((json.required ?? []) as string[]);
      for (const [name, property] of Object.entries(properties)) {
        const { description, ...rest } = property;
        parameters.push({
          name,
          in: where,
          required: where === 'path' || required.has(name),
          schema: rest,
          ...(typeof description === 'string' ? { description } : {}),
        });
      }
    };
    addParameters(route.schema.params, 'path');
    addParameters(route.schema.querystring, 'query');
    if (route.kind === 'command') {
      parameters.push({
        name: 'idempotency-key',
        in: 'header',
        required: true,
        description: 'Unique per intended change; a retry with the same key returns the first response.',
        schema: { type: 'string', minLength: 1, maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
      });
    }
    const responses: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries(route.schema.response)) {
      const json = schemaOf(schema);
      responses[status] = {
        description: typeof json?.description === 'string' ? json.description : 'Success',
        content: { [route.kind === 'callback' ? 'text/plain' : 'application/json']: { schema: json } },
      };
    }
    responses.default = {
      description: 'An error (application/problem+json)',
      content: { 'application/problem+json': { schema: { $ref: componentUri('Problem') } } },
    };
    const body = schemaOf(route.schema.body);
    const operation = {
      operationId: operationId(route.method, route.url),
      summary: route.summary,
      ...(route.description === undefined ? {} : { description: route.description }),
      tags: route.tags,
      'x-permission': route.permission,
      'x-kind': route.kind,
      security: options.security.requirement(route),
      ...(parameters.length === 0 ? {} : { parameters }),
      ...(body === undefined
        ? {}
        : { requestBody: { required: true, content: { 'application/json': { schema: body } } } }),
      responses,
    };
    const path = openApiPath(route.url);
    paths[path] = { ...paths[path], [route.method.toLowerCase()]: operation };
  }

  return {
    openapi: '3.1.0',
    info: {
      title: 'Fenqi API',
      version: options.version,
      description:
        'Fenqi consumer-finance platform API. Mutating requests require an Idempotency-Key header; errors are application/problem+json (RFC 9457); unknown request fields are refused. See docs/api/.',
    },
    servers: [{ url: '/' }],
    paths,
    components: { schemas: components, securitySchemes: options.security.schemes },
    tags: [...tags].sort().map((name) => ({ name })),
  };
}
