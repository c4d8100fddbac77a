// Child process for bench/http.ts: serves one implementation on an ephemeral port and prints the
// port. Run alone so that the load generator and the server do not share a core.
//   node bench/support/http-servers.ts fastify|bare|bare-idempotent <DATABASE_URL>
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { sql } from 'kysely';
import { z } from 'zod';
import { writePermission } from '../../packages/server/src/modules/iam/service.ts';
import { composeApplication } from '../../packages/server/src/modules/index.ts';
import type { ContextModule } from '../../packages/server/src/modules/module.ts';
import { loadConfig } from '../../packages/server/src/platform/config.ts';
import { createDb, createPool } from '../../packages/server/src/platform/db.ts';
import { openAccessControl } from '../../packages/server/src/platform/http/access.ts';
import { buildApp } from '../../packages/server/src/platform/http/app.ts';
import { commandRoute } from '../../packages/server/src/platform/http/route.ts';
import { createLogger } from '../../packages/server/src/platform/logger.ts';

const [mode, databaseUrl] = process.argv.slice(2);
if (!databaseUrl || !mode) throw new Error('usage: http-servers.ts <mode> <DATABASE_URL>');

const pool = createPool({ connectionString: databaseUrl, max: 16 });
const db = createDb(pool);
await sql`CREATE TABLE IF NOT EXISTS bench_events (id bigserial PRIMARY KEY, kind text NOT NULL, amount_minor bigint NOT NULL)`.execute(
  db,
);

const eventBody = z.object({ kind: z.string().min(1).max(40), amountMinor: z.string().regex(/^\d{1,15}$/) });
const eventResponse = z.object({ id: z.string(), kind: z.string(), amountMinor: z.string() });

const benchModule: ContextModule = {
  name: 'bench',
  permissions: { 'bench:write': writePermission('Write benchmark rows') },
  routes: [
    commandRoute({
      method: 'POST',
      url: '/api/v1/bench/events',
      permission: 'bench:write',
      summary: 'Write one row (benchmark)',
      tags: ['bench'],
      schema: { body: eventBody, response: { 201: eventResponse } },
      handler: async ({ trx, body }) => {
        const result = await sql<{ id: bigint }>`
          INSERT INTO bench_events (kind, amount_minor) VALUES (${body.kind}, ${BigInt(body.amountMinor)}) RETURNING id`.execute(
          trx,
        );
        return {
          status: 201,
          body: { id: String(result.rows[0]?.id), kind: body.kind, amountMinor: body.amountMinor },
        };
      },
    }),
  ],
};

function readBody(request: import('node:http').IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => resolve(body));
    request.on('error', reject);
  });
}

const livez = JSON.stringify({ status: 'ok' });
const fingerprintSecret = randomBytes(32);
let port: number;

if (mode === 'fastify') {
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '10000000',
    COMPUTE_RATE_LIMIT_MAX: '10000000',
  });
  const app = await buildApp({
    services: { config, db, logger: createLogger(config) },
    modules: composeApplication([benchModule]).modules,
    accessControl: openAccessControl,
    version: 'bench',
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  port = typeof address === 'object' && address ? address.port : 0;
} else {
  // The floor: node:http with no framework, validation, headers or logging.
  const idempotent = mode === 'bare-idempotent';
  const server = createServer(async (request, response) => {
    if (request.method === 'GET' && request.url === '/livez') {
      response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(livez);
      return;
    }
    if (request.method === 'POST' && request.url === '/api/v1/bench/events') {
      const body = JSON.parse(await readBody(request)) as { kind: string; amountMinor: string };
      const client = await pool.connect();
      try {
        let text: string;
        if (idempotent) {
          // The same statements the platform runs: claim the key, then insert and complete in one transaction.
          const key = String(request.headers['idempotency-key']);
          const fingerprint = createHmac('sha256', fingerprintSecret)
            .update(JSON.stringify(body))
            .digest('hex');
          const token = randomUUID();
          await client.query(
            `INSERT INTO idempotency_keys (caller, key, method, path, fingerprint, claim_token, state, locked_until, expires_at)
             VALUES ('bench', $1, 'POST', '/api/v1/bench/events', $2, $3, 'in_progress', now() + interval '60 s', now() + interval '48 h')
             ON CONFLICT DO NOTHING RETURNING key`,
            [key, fingerprint, token],
          );
          await client.query('BEGIN');
          const row = await client.query(
            'INSERT INTO bench_events (kind, amount_minor) VALUES ($1, $2) RETURNING id',
            [body.kind, body.amountMinor],
          );
          text = JSON.stringify({
            id: String(row.rows[0]?.id),
            kind: body.kind,
            amountMinor: body.amountMinor,
          });
          await client.query(
            `UPDATE idempotency_keys SET state = 'completed', response_status = 201, response_body = $3, response_content_type = 'application/json',
             completed_at = now(), locked_until = NULL WHERE caller = 'bench' AND key = $1 AND claim_token = $2`,
            [key, token, text],
          );
          await client.query('COMMIT');
        } else {
          const row = await client.query(
            'INSERT INTO bench_events (kind, amount_minor) VALUES ($1, $2) RETURNING id',
            [body.kind, body.amountMinor],
          );
          text = JSON.stringify({
            id: String(row.rows[0]?.id),
            kind: body.kind,
            amountMinor: body.amountMinor,
          });
        }
        response.writeHead(201, { 'content-type': 'application/json; charset=utf-8' }).end(text);
      } finally {
        client.release();
      }
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : 0;
}

process.stdout.write(`${port}\n`);
process.on('SIGTERM', () => process.exit(0));
