import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Registry } from 'prom-client';
import { AppError, problemOf } from '../errors.ts';
import { readMigrations } from '../migrate.ts';
import { sendProblem } from './problem.ts';
import type { Services } from './route.ts';

// Probes for orchestrators. /livez: the process answers (no dependencies, so a database outage
// does not get every pod restarted). /readyz: the database answers and its schema is the one this
// build expects, so traffic is routed only to instances that can serve it.

const probe = { permission: 'public', rateLimit: false, securityHeaders: false, metrics: false } as const;

export function registerHealthRoutes(app: FastifyInstance, services: Services, metrics: Registry): void {
  const expectedSchemaVersion = readMigrations().at(-1)?.version ?? 0;
  const livez = JSON.stringify({ status: 'ok' });

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
      let schemaVersion: number;
      try {
        const result = await sql<{
          version: number | null;
        }>`SELECT max(version) AS version FROM schema_migrations`.execute(services.db);
        schemaVersion = result.rows[0]?.version ?? 0;
      } catch (error) {
        request.log.warn({ err: error }, 'readiness check: database unavailable');
        return sendProblem(
          reply,
          request,
          problemOf(new AppError('service_unavailable', 'The database is not reachable.')),
        );
      }
      if (schemaVersion < expectedSchemaVersion) {
        return sendProblem(
          reply,
          request,
          problemOf(
            new AppError(
              'service_unavailable',
              `The database schema is at version ${schemaVersion}; this build needs ${expectedSchemaVersion}. Run \`fenqi migrate\`.`,
            ),
          ),
        );
      }
      return reply.send({ status: 'ready', checks: { database: 'ok', schemaVersion } });
    },
  );

  app.get(
    '/metrics',
    { schema: { summary: 'Prometheus metrics', tags: ['operations'] }, config: probe },
    async (_request, reply) => reply.type(metrics.contentType).send(await metrics.metrics()),
  );
}
