import { verifyAuditChain } from '../modules/iam/audit.ts';
import { openDatabase } from '../platform/database.ts';
import type { Command } from './command.ts';
import { createLogger, loadConfigOrExit } from './runtime.ts';

export const auditCommand: Command = {
  name: 'audit',
  summary: 'Verify the hash-chained audit log',
  usage: 'fenqi audit verify',
  description:
    'Recomputes the HMAC chain of the whole audit log with FENQI_AUDIT_KEY. Exit 0 and the head (seq and hash — keep it\noutside the database to detect truncation later) when every row verifies; exit 1 naming the first broken row otherwise.',
  options: {},
  allowPositionals: true,
  run: async ({ positionals }) => {
    if (positionals.length !== 1 || positionals[0] !== 'verify') {
      process.stderr.write('usage: fenqi audit verify\n');
      return 2;
    }
    const config = loadConfigOrExit();
    const database = await openDatabase(config, createLogger({ logLevel: 'warn' }), 'fenqi-cli');
    try {
      const result = await verifyAuditChain(database.db, config.secrets.auditKey);
      if (result.ok) {
        const head = result.head
          ? `head seq ${result.head.seq} hash ${result.head.hash}`
          : 'the log is empty';
        process.stdout.write(`audit chain verified: ${result.rows} rows, ${head}\n`);
        return 0;
      }
      process.stdout.write(
        `audit chain BROKEN at row seq ${result.brokenSeq}: ${result.reason} (${result.rows} rows before it verified)\n`,
      );
      return 1;
    } finally {
      await database.close();
    }
  },
};
