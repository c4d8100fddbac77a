import { describeDrift, verifyLedger } from '../modules/ledger/service.ts';
import { openDatabase } from '../platform/database.ts';
import type { Command } from './command.ts';
import { createLogger, loadConfigOrExit } from './runtime.ts';

export const ledgerCommand: Command = {
  name: 'ledger',
  summary: 'Verify every ledger balance against the journal lines',
  usage: 'fenqi ledger verify',
  description:
    'Recomputes every balance from the journal lines (totals per account, per account and day) and checks every\n' +
    "entry's shape (at least two lines, balanced, one currency, its own day). Exit 0 when everything agrees; exit 1\n" +
    'listing each drifted account (code, currency, expected and found totals) or entry otherwise.',
  options: {},
  allowPositionals: true,
  run: async ({ positionals }) => {
    if (positionals.length !== 1 || positionals[0] !== 'verify') {
      process.stderr.write('usage: fenqi ledger verify\n');
      return 2;
    }
    const config = loadConfigOrExit();
    const database = await openDatabase(config, createLogger({ logLevel: 'warn' }), 'fenqi-cli');
    try {
      const result = await verifyLedger(database.db);
      const size = `${result.accounts} accounts, ${result.entries} entries, ${result.lines} lines`;
      if (result.ok) {
        process.stdout.write(`ledger verified: ${size}; every balance equals its lines\n`);
        return 0;
      }
      process.stdout.write(
        `ledger DRIFT: ${result.drift.length} problem(s) in ${size}\n${result.drift
          .map((drift) => `  ${describeDrift(drift)}\n`)
          .join('')}`,
      );
      return 1;
    } finally {
      await database.close();
    }
  },
};
