import type { FastifyInstance } from 'fastify';
import { application } from '../modules/index.ts';
import type { Config } from '../platform/config.ts';
import { type Database, openDatabase } from '../platform/database.ts';
import { buildApp } from '../platform/http/app.ts';
import { consoleSpa, h5Spa, spaBuilt } from '../platform/http/spa.ts';
import type { Logger } from '../platform/logger.ts';
import { migrate } from '../platform/migrate.ts';
import { schemaStatus, schemaStatusMessage } from '../platform/schema-status.ts';
import type { Command } from './command.ts';
import {
  createLogger,
  loadConfigOrExit,
  printBanner,
  type Stoppable,
  stopOnSignals,
  version,
} from './runtime.ts';
import { credentialsText, ensureDemoAdmin } from './users.ts';

export type ServeOptions = {
  migrateFirst: boolean;
  withWorker: boolean;
  banner: string;
  demoAdmin?: boolean;
  /**
   * `fenqi demo`: before serving, on a database that holds no simulation, simulate the demo
   * business (cli/demo.ts); answers what to print once the server is up.
   */
  prepare?: (database: Database, config: Config, logger: Logger) => Promise<string[]>;
  /** `fenqi demo`: services beside the API for its whole life, as processes of their own (cli/demo.ts). */
  companions?: Companions;
};

/** What runs beside the API; skipped, like `prepare`, on a database whose schema is not ready. */
export type Companions = {
  /** Before the API is built: starts what the API calls; answers the configuration it runs with. */
  start(config: Config, database: Database, components: Stoppable[]): Promise<Config>;
  /** Routes of its own, registered before the API listens. */
  routes(app: FastifyInstance): void;
  /** Once the API listens at `url`: starts what calls it; answers lines for the banner. */
  started(url: string, config: Config, database: Database, components: Stoppable[]): Promise<string[]>;
};

/** Starts the API (and, for `demo`, migrations and the worker) and keeps running until a signal. */
export async function startServer(options: ServeOptions): Promise<number> {
  let config = loadConfigOrExit();
  const logger = createLogger(config);
  const components: Stoppable[] = [];
  stopOnSignals(logger, components);

  const database = await openDatabase(config, logger);
  components.push({ name: 'database', stop: () => database.close() });
  if (options.migrateFirst || config.migrateOnStart) {
    await migrate(database.url, { log: (message) => logger.info(message) });
  }
  // Said once here, and by /readyz while it lasts; the API serves /livez meanwhile.
  const schema = await schemaStatus(database.db);
  if (schema.state !== 'ready') logger.warn({ schema: schema.state }, schemaStatusMessage(schema));
  if (config.secrets.source === 'development-file') {
    logger.warn(
      { file: config.secrets.developmentFile },
      'using development encryption keys generated into the data directory; set FENQI_MASTER_KEYS, FENQI_BLIND_INDEX_KEY, FENQI_AUDIT_KEY and FENQI_SESSION_KEY for anything real (docs/security.md)',
    );
  }
  const prepared =
    options.prepare && schema.state === 'ready' ? await options.prepare(database, config, logger) : [];
  const demoAdmin =
    options.demoAdmin && schema.state === 'ready' ? await ensureDemoAdmin(database.db, config) : undefined;
  const companions = schema.state === 'ready' ? options.companions : undefined;
  if (companions) config = await companions.start(config, database, components);
  const services = { config, db: database.db, logger };
  const app = await buildApp({
    services,
    modules: application.modules,
    accessControl: application.iam.accessControl({ db: database.db, config }),
    version,
  });
  companions?.routes(app);
  await app.listen({ port: config.port, host: config.host });
  components.push({ name: 'http', stop: () => app.close() });
  if (options.withWorker) {
    components.push(...(await application.startBackground(services, database.url)));
  }
  const address = app.server.address();
  const port = address !== null && typeof address === 'object' ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  logger.info({ url, database: database.kind }, 'fenqi is serving');
  const beside = companions ? await companions.started(url, config, database, components) : [];
  printBanner([
    schema.state === 'ready'
      ? `${options.banner} ${version} is running at ${url}`
      : `${options.banner} ${version} is listening at ${url} but NOT READY: ${schemaStatusMessage(schema)}`,
    `Console:    ${url}/console${spaBuilt(consoleSpa) ? '' : `    (not built: run ${consoleSpa.build})`}`,
    `H5:         ${url}/h5${spaBuilt(h5Spa) ? '' : `    (not built: run ${h5Spa.build})`}`,
    `API docs:   ${url}/docs    (OpenAPI: ${url}/openapi.json)`,
    `Readiness:  ${url}/readyz`,
    `Database:   ${database.kind === 'embedded' ? `embedded PostgreSQL (data in ${config.embeddedPgDir})` : 'DATABASE_URL'}`,
    ...beside,
    'Stop with Ctrl-C.',
  ]);
  for (const text of prepared) process.stderr.write(text.endsWith('\n') ? text : `${text}\n`);
  if (demoAdmin) {
    process.stderr.write(
      `${credentialsText(demoAdmin, `Demo administrator (created now; sign in at ${url}/console, or with POST ${url}/api/v1/staff/login):`)}\n`,
    );
  }
  return new Promise<number>(() => {});
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'Start the HTTP API',
  usage: 'fenqi serve [--migrate]',
  description:
    'Serves the API on HOST:PORT (default 127.0.0.1:8080) against DATABASE_URL, or an embedded PostgreSQL when it is unset.\nConfiguration comes from environment variables: see docs/configuration.md.',
  options: { migrate: { type: 'boolean', default: false } },
  optionHelp: ['--migrate           apply pending migrations before serving (or MIGRATE_ON_START=true)'],
  run: async ({ values }) =>
    startServer({ migrateFirst: values.migrate === true, withWorker: false, banner: 'Fenqi API' }),
};
