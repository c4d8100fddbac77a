import { getBusinessDate, isIsoDate, setInitialBusinessDate } from '../platform/business-date.ts';
import { openDatabase } from '../platform/database.ts';
import type { Command } from './command.ts';
import { createLogger, loadConfigOrExit } from './runtime.ts';

export const businessDateCommand: Command = {
  name: 'business-date',
  summary: 'Show the business date, or set it on a new installation',
  usage: 'fenqi business-date [set YYYY-MM-DD]',
  description:
    'Without arguments prints the current business date. `set` chooses the first business date of a new installation;\nit is refused once any day has been closed (close of business, `fenqi cob --date D`, is the only thing that moves the date after that).',
  options: {},
  allowPositionals: true,
  run: async ({ positionals }) => {
    const [action, date] = positionals;
    if (action !== undefined && (action !== 'set' || date === undefined || positionals.length > 2)) {
      process.stderr.write('usage: fenqi business-date [set YYYY-MM-DD]\n');
      return 2;
    }
    if (date !== undefined && !isIsoDate(date)) {
      process.stderr.write(`fenqi: ${JSON.stringify(date)} is not a date in the form YYYY-MM-DD\n`);
      return 2;
    }
    const config = loadConfigOrExit();
    const database = await openDatabase(config, createLogger({ logLevel: 'warn' }), 'fenqi-cli');
    try {
      if (date === undefined) {
        process.stdout.write(`${await getBusinessDate(database.db)}\n`);
        return 0;
      }
      const result = await database.db.transaction().execute((trx) => setInitialBusinessDate(trx, date));
      if (!result.ok) {
        process.stderr.write(`fenqi: cannot set the business date: ${result.reason}\n`);
        return 1;
      }
      process.stdout.write(`business date changed from ${result.from} to ${result.to}\n`);
      return 0;
    } finally {
      await database.close();
    }
  },
};
