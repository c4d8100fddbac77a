import type { Config } from './config.ts';
import type { DB } from './db.ts';
import type { Logger } from './logger.ts';

/** What every route handler and job is given: configuration, the database, the logger. */
export type Services = {
  config: Config;
  db: DB;
  logger: Logger;
};
