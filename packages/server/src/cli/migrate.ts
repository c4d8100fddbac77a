import { openDatabase } from '../platform/database.ts';
import { migrate } from '../platform/migrate.ts';
import type { Command } from './command.ts';
import { createLogger, loadConfigOrExit } from './runtime.ts';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'Apply database migrations',
  usage: 'fenqi migrate',
  description:
    'Applies pending migrations (packages/server/migrations) to DATABASE_URL, or to the embedded PostgreSQL when it is unset.\nSafe to run from several processes at once: an advisory lock lets one apply while the others wait.',
  options: {},
  run: async () => {
    const config = loadConfigOrExit();
    const logger = createLogger({ logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel });
    const database = await openDatabase(config, logger, 'fenqi-migrate');
    try {
      const result = await migrate(database.url);
      for (const applied of result.applied) {
        process.stdout.write(`applied ${String(applied.version).padStart(4, '0')}_${applied.name}\n`);
      }
      process.stdout.write(
        result.applied.length === 0
          ? `database is up to date (version ${result.current})\n`
          : `database migrated to version ${result.current}\n`,
      );
      return 0;
    } finally {
      await database.close();
    }
  },
};
