import type { Config } from './config.ts';
import type { DB } from './db.ts';
import type { Logger } from './logger.ts';

/** What every route handler and job is given: configuration, the database, the logger. */
export type Services = {
  config: Config;
  db: DB;
  logger: Logger;
  /**
   * Wall time, where wall time matters (quiet hours, contact windows, callback tolerance); tests
   * inject a fixed one. Business dates never come from it (platform/business-date.ts).
   */
  clock?: () => Date;
};

/** The wall clock of these services: the injected one, or the machine's. */
export function wallClock(services: Pick<Services, 'clock'>): Date {
  return services.clock?.() ?? new Date();
}
