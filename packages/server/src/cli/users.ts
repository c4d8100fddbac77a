import {
  bootstrapAdministrator,
  hasAdministrator,
  type NewStaffUser,
  usernameExists,
} from '../modules/iam/users.ts';
import type { Config } from '../platform/config.ts';
import { openDatabase } from '../platform/database.ts';
import type { DB } from '../platform/db.ts';
import type { Command } from './command.ts';
import { createLogger, loadConfigOrExit } from './runtime.ts';

// Bootstrapping the first administrator. Role changes normally need maker-checker approval, which
// needs two administrators to exist; whoever runs the CLI on the server already holds every key,
// so the command line may create administrators directly (IAM audits each one).

const osUser = () => process.env.USER ?? process.env.LOGNAME ?? 'unknown';

export function createAdmin(
  db: DB,
  config: Config,
  input: { username: string; displayName: string },
): Promise<NewStaffUser> {
  return bootstrapAdministrator(db, config, { ...input, osUser: osUser() });
}

export function credentialsText(created: NewStaffUser, heading: string): string {
  return [
    heading,
    `  username:            ${created.user.username}`,
    `  one-time password:   ${created.oneTimePassword}    (change it at first login: POST /api/v1/staff/password)`,
    `  TOTP secret:         ${created.totpSecret}`,
    `  authenticator URI:   ${created.totpUri}`,
    `  recovery codes:      ${created.recoveryCodes.join('  ')}`,
    '  These are shown once and are not stored in clear anywhere. Sign in with',
    '  POST /api/v1/staff/login {"username","password","secondFactor": <authenticator code or a recovery code>}.',
    '',
  ].join('\n');
}

/** For `fenqi demo`: an administrator on a database that has none, credentials printed once. */
export async function ensureDemoAdmin(db: DB, config: Config): Promise<NewStaffUser | undefined> {
  if (await hasAdministrator(db)) return undefined;
  return createAdmin(db, config, {
    username: (await usernameExists(db, 'admin')) ? `admin-${Date.now()}` : 'admin',
    displayName: 'Demo administrator',
  });
}

export const usersCommand: Command = {
  name: 'users',
  summary: 'Staff users: create the first administrator',
  usage: 'fenqi users create-admin [--username NAME] [--display-name TEXT]',
  description:
    'create-admin makes a staff user with the admin role and prints a one-time password, a TOTP secret (with an\notpauth:// URI for an authenticator app) and recovery codes, once. Run `fenqi migrate` first.',
  options: {
    username: { type: 'string', default: 'admin' },
    'display-name': { type: 'string', default: 'Administrator' },
  },
  optionHelp: [
    '--username NAME       login name (default admin)',
    '--display-name TEXT   shown in the console (default Administrator)',
  ],
  allowPositionals: true,
  run: async ({ values, positionals }) => {
    if (positionals.length !== 1 || positionals[0] !== 'create-admin') {
      process.stderr.write('usage: fenqi users create-admin [--username NAME] [--display-name TEXT]\n');
      return 2;
    }
    const config = loadConfigOrExit();
    const database = await openDatabase(config, createLogger({ logLevel: 'warn' }), 'fenqi-cli');
    try {
      const username = String(values.username ?? 'admin');
      if (!/^[a-z0-9][a-z0-9._-]{2,63}$/.test(username)) {
        process.stderr.write('fenqi users: --username must be 3–64 of a-z, 0-9, ., _ and -\n');
        return 2;
      }
      const created = await createAdmin(database.db, config, {
        username,
        displayName: String(values['display-name'] ?? 'Administrator'),
      });
      process.stdout.write(credentialsText(created, 'Administrator created:'));
      return 0;
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'username_taken') {
        process.stderr.write(`fenqi users: ${error.message}\n`);
        return 1;
      }
      throw error;
    } finally {
      await database.close();
    }
  },
};
