import { readFile } from 'node:fs/promises';
import { reconcile } from '../modules/payments/reconcile.ts';
import { isIsoDate } from '../platform/business-date.ts';
import { openDatabase } from '../platform/database.ts';
import { AppError } from '../platform/errors.ts';
import type { Command } from './command.ts';
import { createLogger, loadConfigOrExit } from './runtime.ts';

export const reconcileCommand: Command = {
  name: 'reconcile',
  summary: "Reconcile a payment channel's statement of one settlement date",
  usage: 'fenqi reconcile --channel <code> --date <YYYY-MM-DD> [--file <statement.csv>]',
  description:
    "Fetches the channel's statement for the date (or imports --file), checks its digest and summary, matches every row\n" +
    'with our payment orders and the clearing account, posts the channel fees and raises every difference as an\n' +
    'exception item (GET /api/v1/payments/exceptions). Running it again for the same file changes nothing.\n' +
    'Exit 0 when nothing differs, 1 when there are differences, 2 on bad usage or an invalid statement.',
  options: {
    channel: { type: 'string' },
    date: { type: 'string' },
    file: { type: 'string' },
  },
  optionHelp: [
    '--channel <code>    the channel code (PAYMENT_CHANNELS), e.g. simulated',
    '--date <date>       the settlement date, YYYY-MM-DD',
    '--file <path>       import this statement file instead of fetching it',
  ],
  run: async ({ values }) => {
    const channel = values.channel;
    const date = values.date;
    if (typeof channel !== 'string' || typeof date !== 'string' || !isIsoDate(date)) {
      process.stderr.write(
        'usage: fenqi reconcile --channel <code> --date <YYYY-MM-DD> [--file <statement.csv>]\n',
      );
      return 2;
    }
    const config = loadConfigOrExit();
    const logger = createLogger({ logLevel: 'warn' });
    const database = await openDatabase(config, logger, 'fenqi-cli');
    try {
      const text = typeof values.file === 'string' ? await readFile(values.file, 'utf8') : undefined;
      const report = await reconcile({ config, db: database.db, logger }, { channel, date, text });
      const differences = Object.entries(report.differences).filter(([, n]) => n > 0);
      process.stdout.write(
        `${report.channel} ${report.date}: ${report.rows} rows${report.alreadyImported ? ' (already imported; nothing changed)' : ''}\n` +
          `  matched ${report.matched}, settled by the statement ${report.resolved}\n` +
          `  fees ${report.feeMinor} fen${report.feeEntryId === null ? '' : ` (journal entry ${report.feeEntryId})`}\n` +
          `  clearing account: expected ${report.ledger.expectedMinor} fen, booked ${report.ledger.postedMinor} fen${report.ledger.ok ? '' : ' (MISMATCH)'}\n` +
          (differences.length === 0
            ? '  no differences\n'
            : `  differences: ${differences.map(([kind, n]) => `${kind} ${n}`).join(', ')}\n`),
      );
      return differences.length === 0 ? 0 : 1;
    } catch (error) {
      if (error instanceof AppError) {
        process.stderr.write(`${error.code}: ${error.detail}\n`);
        return 2;
      }
      throw error;
    } finally {
      await database.close();
    }
  },
};
