import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { application } from '../modules/index.ts';
import { loadConfig } from '../platform/config.ts';
import { createDb, createPool } from '../platform/db.ts';
import { buildApp } from '../platform/http/app.ts';
import { createLogger } from '../platform/logger.ts';
import type { Command } from './command.ts';
import { version } from './runtime.ts';

/**
 * The OpenAPI document the running API serves at /openapi.json, built from the same route
 * declarations without a database: the pool is created but never connected, and the keys are
 * throwaway ones (the document names no key). The console's typed client is generated from it.
 */
export async function openApiDocument(): Promise<unknown> {
  const key = () => randomBytes(32).toString('base64');
  const config = loadConfig({
    DATABASE_URL: 'postgres://fenqi@127.0.0.1:1/unused',
    LOG_LEVEL: 'silent',
    FENQI_MASTER_KEYS: `doc:${key()}`,
    FENQI_BLIND_INDEX_KEY: key(),
    FENQI_AUDIT_KEY: key(),
    FENQI_SESSION_KEY: key(),
  });
  const logger = createLogger(config);
  const pool = createPool({ connectionString: config.databaseUrl ?? '', max: 1, statementTimeoutMs: 1000 });
  const db = createDb(pool);
  const app = await buildApp({
    services: { config, db, logger },
    modules: application.modules,
    accessControl: application.iam.accessControl({ db, config }),
    version,
  });
  try {
    await app.ready();
    return app.swagger();
  } finally {
    await app.close();
    await db.destroy();
  }
}

export const openApiCommand: Command = {
  name: 'openapi',
  summary: 'Print the OpenAPI document (what /openapi.json serves) without a database',
  usage: 'fenqi openapi [--out FILE]',
  description:
    'Builds the API from its route declarations and prints its OpenAPI 3.1 document as JSON. Nothing connects to a\ndatabase. The console and the borrower H5 are typed from this document (packages/api: npm run api).',
  options: { out: { type: 'string' } },
  optionHelp: ['--out FILE          write the document to FILE instead of standard output'],
  run: async ({ values }) => {
    const text = `${JSON.stringify(await openApiDocument(), null, 2)}\n`;
    if (typeof values.out === 'string') writeFileSync(values.out, text);
    else process.stdout.write(text);
    return 0;
  },
};
