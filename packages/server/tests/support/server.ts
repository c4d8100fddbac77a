import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { composeApplication } from '../../src/modules/index.ts';
import type { ContextModule } from '../../src/modules/module.ts';
import { type Config, loadConfig } from '../../src/platform/config.ts';
import { openAccessControl } from '../../src/platform/http/access.ts';
import { buildApp } from '../../src/platform/http/app.ts';
import type { AccessControl } from '../../src/platform/http/register.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

export type LogLine = Record<string, unknown> & { msg?: string; level?: number };

export type TestServer = {
  app: FastifyInstance;
  baseUrl: string;
  config: Config;
  logs: LogLine[];
  close(): Promise<void>;
};

const key = () => randomBytes(32).toString('base64');

/**
 * Keys for this test process (the servers of one test file share them, so a CLI run against the
 * same database can be given them too). Tests never fall back to development keys on disk.
 */
export const testKeys = {
  FENQI_MASTER_KEYS: `test1:${key()}`,
  FENQI_BLIND_INDEX_KEY: key(),
  FENQI_AUDIT_KEY: key(),
  FENQI_SESSION_KEY: key(),
};

/** A real Fastify server on an ephemeral port against the file's own database; logs are captured. */
export async function startTestServer(
  database: TestDatabase,
  options: {
    env?: Record<string, string>;
    modules?: ContextModule[];
    accessControl?: AccessControl | 'iam';
    /** A port chosen beforehand, when the configuration must name it (callback URLs); else any. */
    port?: number;
    /** The wall clock the services see (quiet hours, contact windows); default the machine's. */
    clock?: () => Date;
  } = {},
): Promise<TestServer> {
  const config = loadConfig({
    DATABASE_URL: database.url,
    PORT: String(options.port ?? 0),
    LOG_LEVEL: 'info',
    ...testKeys,
    ...options.env,
  });
  const logs: LogLine[] = [];
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      for (const line of String(chunk).split('\n'))
        if (line.trim() !== '') logs.push(JSON.parse(line) as LogLine);
      callback();
    },
  });
  const logger = createLogger(config, sink);
  const application = composeApplication(options.modules);
  const accessControl =
    options.accessControl === 'iam'
      ? application.iam.accessControl({ db: database.db, config })
      : (options.accessControl ?? openAccessControl);
  const app = await buildApp({
    services: { config, db: database.db, logger, ...(options.clock ? { clock: options.clock } : {}) },
    modules: application.modules,
    accessControl,
    version: 'test',
  });
  await app.listen({ host: '127.0.0.1', port: options.port ?? 0 });
  const address = app.server.address();
  if (address === null || typeof address !== 'object') throw new Error('server has no address');
  return { app, baseUrl: `http://127.0.0.1:${address.port}`, config, logs, close: () => app.close() };
}

export type HttpResult = { status: number; headers: Headers; text: string; json: unknown };

/** Sends a request over real HTTP and returns status, headers, raw text and parsed JSON. */
export async function http(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string> } = {},
): Promise<HttpResult> {
  const headers: Record<string, string> = { ...options.headers };
  let body: string | Buffer | undefined;
  if (options.rawBody !== undefined) body = options.rawBody;
  else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export type ServerOptions = NonNullable<Parameters<typeof startTestServer>[1]>;

/**
 * The usual shape of an API test file: its own database and one real server, made before the
 * file's tests and closed and dropped after them. The returned objects are filled in by the
 * beforeAll hook, so read their fields inside tests and hooks, not at import time. `prepare` runs
 * on the new database before the server starts (extra tables, a chosen business date).
 */
export function useTestServer(
  options: ServerOptions & { prepare?: (database: TestDatabase) => Promise<unknown> } = {},
): { database: TestDatabase; server: TestServer } {
  const { prepare, ...serverOptions } = options;
  const database = {} as TestDatabase;
  const server = {} as TestServer;
  beforeAll(async () => {
    Object.assign(database, await createTestDatabase());
    await prepare?.(database);
    Object.assign(server, await startTestServer(database, serverOptions));
  });
  afterAll(async () => {
    await server.close?.();
    await database.drop?.();
  });
  return { database, server };
}
