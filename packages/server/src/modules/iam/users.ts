import { randomBytes, randomUUID } from 'node:crypto';
import type { Config } from '../../platform/config.ts';
import { createDataKey, cryptoFor, encryptField } from '../../platform/crypto/envelope.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { orConflict } from '../../platform/db-errors.ts';
import { AppError } from '../../platform/errors.ts';
import type { Origin } from '../../platform/http/origin.ts';
import { type AuditActor, appendAudit } from './audit.ts';
import { normalizeUsername, totpContext } from './login.ts';
import { hashPassword } from './passwords.ts';
import { revokeUserSessions } from './sessions.ts';
import * as store from './store.ts';
import { newRecoveryCodes, newTotpSecret, recoveryCodeHash, totpUri } from './totp.ts';

// Staff user administration: creating users (credentials shown once), disabling them, listing.
// Roles are granted only through approved role changes (actions.ts), except the first
// administrator, whom the command line bootstraps.

export type NewStaffUser = {
  user: { id: string; username: string; displayName: string };
  oneTimePassword: string;
  totpSecret: string;
  totpUri: string;
  recoveryCodes: string[];
};

const usernameTaken = (username: string) => () =>
  new AppError('username_taken', `The username ${username} is already taken.`);

/**
 * Creates a staff user with a one-time password (to be changed at first login), a TOTP secret and
 * recovery codes — each shown to the creator once and stored only hashed or encrypted. The user
 * has no roles: roles are granted through an approved role change.
 */
export async function createStaffUser(
  trx: Tx,
  config: Config,
  input: { username: string; displayName: string; actor: AuditActor; origin: Origin | undefined },
): Promise<NewStaffUser> {
  const username = normalizeUsername(input.username);
  if (await store.findStaffUserByUsername(trx, username)) throw usernameTaken(username)();
  const id = randomUUID();
  const oneTimePassword = randomBytes(15).toString('base64url');
  const totpSecret = newTotpSecret();
  const recoveryCodes = newRecoveryCodes();
  const dataKey = await createDataKey(trx, cryptoFor(config).kms, 'staff-totp');
  // Two concurrent creations of one name both pass the check above; the unique constraint decides.
  await orConflict(
    store.insertStaffUser(
      trx,
      {
        id,
        username,
        display_name: input.displayName,
        password_hash: await hashPassword(oneTimePassword),
        password_must_change: true,
        totp_secret_enc: encryptField(dataKey, totpSecret, totpContext(id)),
      },
      recoveryCodes.map(recoveryCodeHash),
    ),
    { staff_users_username_key: usernameTaken(username) },
  );
  await appendAudit(trx, config.secrets.auditKey, {
    actor: input.actor,
    action: 'iam.user-created',
    subject: { type: 'staff-user', id },
    ...(input.origin ? { origin: input.origin } : {}),
    after: { username, displayName: input.displayName, roles: [] },
  });
  return {
    user: { id, username, displayName: input.displayName },
    oneTimePassword,
    totpSecret,
    totpUri: totpUri(username, totpSecret),
    recoveryCodes,
  };
}

/**
 * The first administrator, made from the command line: whoever runs the CLI on the server already
 * holds every key, so it may grant the admin role without maker-checker. Audited as
 * iam.admin-bootstrapped with the operating-system user who ran it.
 */
export async function bootstrapAdministrator(
  db: DB,
  config: Config,
  input: { username: string; displayName: string; osUser: string },
): Promise<NewStaffUser> {
  return db.transaction().execute(async (trx) => {
    const actor = { kind: 'system', id: `cli:${input.osUser}` };
    const created = await createStaffUser(trx, config, { ...input, actor, origin: undefined });
    await store.grantRole(trx, created.user.id, 'admin');
    await appendAudit(trx, config.secrets.auditKey, {
      actor,
      action: 'iam.admin-bootstrapped',
      subject: { type: 'staff-user', id: created.user.id },
      before: { roles: [] },
      after: { roles: ['admin'] },
    });
    return created;
  });
}

export async function hasAdministrator(db: DB): Promise<boolean> {
  return (await store.countUsersWithRole(db, 'admin')) > 0;
}

export async function usernameExists(db: DB, username: string): Promise<boolean> {
  return (await store.findStaffUserByUsername(db, normalizeUsername(username))) !== undefined;
}

export async function disableStaffUser(
  trx: Tx,
  config: Config,
  userId: string,
  actor: AuditActor,
  origin: Origin,
): Promise<void> {
  const user = await store.lockStaffUser(trx, userId);
  if (!user) throw new AppError('not_found', `There is no staff user ${userId}.`);
  await store.updateStaffUser(trx, userId, { status: 'disabled' });
  const sessionsRevoked = await revokeUserSessions(trx, userId, 'user-disabled');
  await appendAudit(trx, config.secrets.auditKey, {
    actor,
    action: 'iam.user-disabled',
    subject: { type: 'staff-user', id: userId },
    origin,
    before: { status: user.status },
    after: { status: 'disabled' },
    details: { sessionsRevoked },
  });
}

export type StaffUserView = {
  id: string;
  username: string;
  displayName: string;
  status: 'active' | 'disabled';
  roles: string[];
  passwordMustChange: boolean;
  createdAt: Date;
};

export async function listStaffUsers(
  db: DB | Tx,
  userId?: string,
  filter: store.StaffUserFilter = {},
): Promise<StaffUserView[]> {
  const { users, roles } = await store.listStaffUserRows(db, userId, filter);
  return users.map((user) => ({
    id: user.id,
    username: user.username,
    displayName: user.display_name,
    status: user.status,
    roles: roles.filter((row) => row.user_id === user.id).map((row) => row.role),
    passwordMustChange: user.password_must_change,
    createdAt: user.created_at,
  }));
}

export async function findStaffUserView(db: DB | Tx, userId: string): Promise<StaffUserView> {
  const [user] = await listStaffUsers(db, userId);
  if (!user) throw new AppError('not_found', `There is no staff user ${userId}.`);
  return user;
}

/** Name and display name of a user, for session responses. */
export async function staffIdentity(
  db: DB | Tx,
  userId: string,
): Promise<{ id: string; username: string; displayName: string }> {
  const user = await store.findStaffUser(db, userId);
  if (!user) throw new AppError('not_found', `There is no staff user ${userId}.`);
  return { id: user.id, username: user.username, displayName: user.display_name };
}

export async function staffUserExists(db: DB | Tx, userId: string): Promise<boolean> {
  return (await store.findStaffUser(db, userId)) !== undefined;
}
