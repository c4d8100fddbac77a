import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { AppError, problemOf } from '../errors.ts';
import {
  expectedSchemaVersion,
  type SchemaStatus,
  schemaStatus,
  schemaStatusMessage,
} from '../schema-status.ts';
import { sendProblem } from './problem.ts';
import type { Services } from './route.ts';

// Probes for orchestrators. /livez: the process answers (no dependencies, so a database outage
// does not get every pod restarted). /readyz: the database answers and its schema is the one this
// build expects, so traffic is routed only to instances that can serve it.

const probe = { permission: 'public', rateLimit: false, securityHeaders: false, metrics: false } as const;

const problem = {
  description: 'Not ready (application/problem+json)',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
};

/** The probes as the OpenAPI document lists them (they are Fastify routes of the platform's own). */
export const probePaths: Record<string, Record<string, unknown>> = {
  '/livez': {
    get: {
      operationId: 'getLivez',
      summary: 'Liveness probe: the process answers (no dependencies)',
      tags: ['operations'],
      security: [],
      responses: {
        200: {
          description: 'Alive',
          content: {
            'application/json': { schema: { type: 'object', properties: { status: { const: 'ok' } } } },
          },
        },
      },
    },
  },
  '/readyz': {
    get: {
      operationId: 'getReadyz',
      summary: 'Readiness probe: the database answers and is migrated to this build',
      tags: ['operations'],
      security: [],
      responses: {
        200: {
          description: 'Ready',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['status', 'checks'],
                properties: {
                  status: { const: 'ready' },
                  checks: {
                    type: 'object',
                    properties: { database: { const: 'ok' }, schemaVersion: { type: 'integer' } },
                  },
                },
              },
            },
          },
        },
        503: problem,
      },
    },
  },
  '/metrics': {
    get: {
      operationId: 'getMetrics',
      summary: 'Prometheus metrics',
      tags: ['operations'],
      security: [],
      responses: {
        200: {
          description: 'Prometheus text format',
          content: { 'text/plain': { schema: { type: 'string' } } },
        },
      },
    },
  },
};

export function registerHealthRoutes(app: FastifyInstance, services: Services, metrics: Registry): void {
  const expected = expectedSchemaVersion();
  const livez = JSON.stringify({ status: 'ok' });
  // Probes run every few seconds: a state is logged when it begins, not on every probe.
  let lastState: SchemaStatus['state'] | undefined;

  app.get(
    '/livez',
    { schema: { summary: 'Liveness probe', tags: ['operations'] }, config: probe },
    async (_request, reply) => reply.type('application/json; charset=utf-8').send(livez),
  );

  app.get(
    '/readyz',
    {
      schema: { summary: 'Readiness probe: database reachable and migrated', tags: ['operations'] },
      config: probe,
    },
    async (request, reply) => {
      const status = await schemaStatus(services.db, expected);
      if (status.state !== lastState) {
        lastState = status.state;
        if (status.state === 'ready') request.log.info({ schemaVersion: status.version }, 'ready');
        else request.log.warn({ schema: status.state }, schemaStatusMessage(status));
      }
      if (status.state !== 'ready') {
        return sendProblem(
          reply,
          request,
          problemOf(new AppError('service_unavailable', schemaStatusMessage(status))),
        );
      }
      return reply.send({ status: 'ready', checks: { database: 'ok', schemaVersion: status.version } });
    },
  );

  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics', tags: ['operations'] }, config: probe },
    async (_request, reply) => reply.type(metrics.contentType).send(await metrics.metrics()),
  );
}
