import { cryptoFor, dataKeysByMasterKey, rotateDataKeys } from '../platform/crypto/envelope.ts';
import { generateKey } from '../platform/crypto/secrets.ts';
import { openDatabase } from '../platform/database.ts';
import type { Command } from './command.ts';
import { createLogger, loadConfigOrExit } from './runtime.ts';

// Key management from the command line (docs/security.md, "Key management").
//   generate — prints fresh keys for a production environment (nothing is stored)
//   status   — how many data keys each master key wraps
//   rotate   — re-wraps every data key under the current (first) master key in FENQI_MASTER_KEYS

const usage = 'fenqi keys generate | status | rotate';

export const keysCommand: Command = {
  name: 'keys',
  summary: 'Encryption keys: generate, status, rotate (re-wrap data keys)',
  usage,
  description:
    'To rotate the master key: put a new key first in FENQI_MASTER_KEYS (new-id:key,old-id:key), restart the API\nprocesses, run `fenqi keys rotate`, check `fenqi keys status` shows only the new id, then drop the old key.',
  options: {},
  allowPositionals: true,
  run: async ({ positionals }) => {
    const [action] = positionals;
    if (positionals.length !== 1 || (action !== 'generate' && action !== 'status' && action !== 'rotate')) {
      process.stderr.write(`usage: ${usage}\n`);
      return 2;
    }
    if (action === 'generate') {
      const id = `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`;
      process.stdout.write(
        [
          `FENQI_MASTER_KEYS=${id}:${generateKey()}`,
          `FENQI_BLIND_INDEX_KEY=${generateKey()}`,
          `FENQI_AUDIT_KEY=${generateKey()}`,
          `FENQI_SESSION_KEY=${generateKey()}`,
          '',
        ].join('\n'),
      );
      return 0;
    }
    const config = loadConfigOrExit();
    const database = await openDatabase(config, createLogger({ logLevel: 'warn' }), 'fenqi-cli');
    try {
      const { kms } = cryptoFor(config);
      if (action === 'rotate') {
        const result = await rotateDataKeys(database.db, kms);
        const from = Object.entries(result.byMasterKey).map(([id, n]) => `${n} from ${id}`);
        process.stdout.write(
          `re-wrapped ${result.rewrapped} data keys under master key ${result.currentKeyId}${from.length > 0 ? ` (${from.join(', ')})` : ''}\n`,
        );
      }
      const counts = await dataKeysByMasterKey(database.db);
      const lines = Object.entries(counts).map(
        ([id, n]) => `  ${id}: ${n} data keys${id === kms.currentKeyId ? ' (current)' : ''}`,
      );
      process.stdout.write(
        `master key in use: ${kms.currentKeyId}\n${lines.length > 0 ? `${lines.join('\n')}\n` : '  no data keys yet\n'}`,
      );
      return 0;
    } finally {
      await database.close();
    }
  },
};
