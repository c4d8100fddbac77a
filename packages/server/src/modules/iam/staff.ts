import { createHash, createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Config } from '../../platform/config.ts';
import {
  createDataKey,
  cryptoFor,
  dataKeyIdOf,
  decryptField,
  encryptField,
  loadDataKey,
} from '../../platform/crypto/envelope.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { type AuditActor, appendAudit } from './audit.ts';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './passwords.ts';
import { permissionsOfUser, rolesOfUser } from './roles.ts';
import {
  checkTotp,
  isRecoveryCodeShape,
  newRecoveryCodes,
  newTotpSecret,
  recoveryCodeHash,
  totpUri,
} from './totp.ts';

// Staff users and their sessions (ASVS 5.0 V6 authentication, V7 session management).
// - Login needs username, password and a second factor (TOTP or a recovery code), all in one
//   request, and answers one generic invalid_credentials whichever was wrong.
// - Failures are counted per submitted username (existing or not); at the limit the name is
//   locked, and each further lockout doubles (back-off), up to a day.
// - A session is a random 256-bit token in an httpOnly, Secure, SameSite=Strict cookie; the
//   database keeps only its SHA-256, with idle and absolute expiry. Login always issues a new
//   token and revokes the one presented (no session fixation).
// - Writes authenticated by the cookie need the session's CSRF token in X-CSRF-Token: an HMAC of
//   the session token under the session key, so it needs no storage and dies with the session.

export const sessionCookieName = '__Host-fenqi_session';
export const csrfHeaderName = 'x-csrf-token';
const lockoutMinutesMax = 24 * 60;
const sessionTouchSeconds = 60;

export type Origin = { ip: string | null; requestId: string | null; userAgent?: string | null };

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function csrfTokenFor(config: Config, sessionToken: string): string {
  return createHmac('sha256', config.secrets.sessionKey)
    .update(`csrf\n${tokenHash(sessionToken)}`)
    .digest('base64url');
}

export function csrfTokenMatches(
  config: Config,
  sessionToken: string,
  presented: string | undefined,
): boolean {
  if (presented === undefined) return false;
  const expected = Buffer.from(csrfTokenFor(config, sessionToken));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function normalizeUsername(username: string): string {
  return username.trim().toLowerCase();
}

function usernameKey(config: Config, username: string): string {
  return createHmac('sha256', config.secrets.sessionKey)
    .update(`login\n${normalizeUsername(username)}`)
    .digest('hex');
}

function totpContext(userId: string): string {
  return `staff_users.totp_secret:${userId}`;
}

async function totpSecretOf(
  db: DB | Tx,
  config: Config,
  user: { id: string; totp_secret_enc: string },
): Promise<string> {
  const { kms } = cryptoFor(config);
  const key = await loadDataKey(db, kms, dataKeyIdOf(user.totp_secret_enc));
  return decryptField(key, user.totp_secret_enc, totpContext(user.id));
}

export type NewStaffUser = {
  user: { id: string; username: string; displayName: string };
  oneTimePassword: string;
  totpSecret: string;
  totpUri: string;
  recoveryCodes: string[];
};

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
  const taken = await trx
    .selectFrom('staff_users')
    .select('id')
    .where('username', '=', username)
    .executeTakeFirst();
  if (taken) throw new AppError('username_taken', `The username ${username} is already taken.`);
  const id = randomUUID();
  const oneTimePassword = randomBytes(15).toString('base64url');
  const totpSecret = newTotpSecret();
  const recoveryCodes = newRecoveryCodes();
  const { kms } = cryptoFor(config);
  const dataKey = await createDataKey(trx, kms, 'staff-totp');
  await trx
    .insertInto('staff_users')
    .values({
      id,
      username,
      display_name: input.displayName,
      password_hash: await hashPassword(oneTimePassword),
      password_must_change: true,
      totp_secret_enc: encryptField(dataKey, totpSecret, totpContext(id)),
    })
    .onConflict((oc) => oc.column('username').doNothing())
    .execute();
  await trx
    .insertInto('staff_recovery_codes')
    .values(recoveryCodes.map((code) => ({ user_id: id, code_hash: recoveryCodeHash(code), used_at: null })))
    .execute();
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

export type StaffSessionIssued = {
  sessionId: string;
  sessionToken: string;
  csrfToken: string;
  userId: string;
  absoluteExpiresAt: Date;
  passwordMustChange: boolean;
};

type LoginOutcome =
  | { ok: true; session: StaffSessionIssued }
  | { ok: false; error: AppError; retryAfterSeconds?: number };

/** Locks the throttle row of a username for the whole attempt: guesses for one name queue up. */
async function lockThrottle(trx: Tx, key: string) {
  await trx
    .insertInto('staff_login_throttle')
    .values({ username_key: key, failures: 0, lockouts: 0, locked_until: null, last_failure_at: null })
    .onConflict((oc) => oc.column('username_key').doNothing())
    .execute();
  return trx
    .selectFrom('staff_login_throttle')
    .select([
      'failures',
      'lockouts',
      sql<number>`greatest(0, ceil(extract(epoch FROM locked_until - now())))::int`.as('locked_seconds'),
    ])
    .where('username_key', '=', key)
    .forUpdate()
    .executeTakeFirstOrThrow();
}

async function checkSecondFactor(
  trx: Tx,
  config: Config,
  user: { id: string; totp_secret_enc: string; totp_last_step: bigint },
  code: string,
): Promise<boolean> {
  if (isRecoveryCodeShape(code)) {
    const used = await trx
      .updateTable('staff_recovery_codes')
      .set({ used_at: sql<Date>`now()` })
      .where('user_id', '=', user.id)
      .where('code_hash', '=', recoveryCodeHash(code))
      .where('used_at', 'is', null)
      .executeTakeFirst();
    return used.numUpdatedRows === 1n;
  }
  const step = await checkTotp(await totpSecretOf(trx, config, user), code.trim(), user.totp_last_step);
  if (step === undefined) return false;
  await trx.updateTable('staff_users').set({ totp_last_step: step }).where('id', '=', user.id).execute();
  return true;
}

export async function loginStaff(
  db: DB,
  config: Config,
  input: {
    username: string;
    password: string;
    secondFactor: string;
    presentedToken: string | undefined;
    origin: Origin;
  },
): Promise<StaffSessionIssued> {
  const key = usernameKey(config, input.username);
  const outcome = await db.transaction().execute(async (trx): Promise<LoginOutcome> => {
    const throttle = await lockThrottle(trx, key);
    if (throttle.locked_seconds > 0) {
      return {
        ok: false,
        error: new AppError(
          'account_locked',
          `Too many failed logins for this username. Try again in ${throttle.locked_seconds} s.`,
          {
            extensions: { retryAfterSeconds: throttle.locked_seconds },
          },
        ),
        retryAfterSeconds: throttle.locked_seconds,
      };
    }
    const username = normalizeUsername(input.username);
    const user = await trx
      .selectFrom('staff_users')
      .select(['id', 'password_hash', 'password_must_change', 'totp_secret_enc', 'totp_last_step', 'status'])
      .where('username', '=', username)
      .executeTakeFirst();
    const passwordOk = await verifyPassword(user?.password_hash, input.password);
    let failure: string | undefined;
    if (!user || !passwordOk) failure = user ? 'password' : 'unknown-user';
    else if (user.status !== 'active') failure = 'disabled';
    else if (!(await checkSecondFactor(trx, config, user, input.secondFactor))) failure = 'second-factor';

    if (failure !== undefined || !user) {
      const failures = throttle.failures + 1;
      const locks = failures >= config.staffLoginFailuresMax;
      const lockouts = throttle.lockouts + (locks ? 1 : 0);
      const lockMinutes = locks
        ? Math.min(config.staffLockoutMinutes * 2 ** (lockouts - 1), lockoutMinutesMax)
        : 0;
      await trx
        .updateTable('staff_login_throttle')
        .set({
          failures: locks ? 0 : failures,
          lockouts,
          last_failure_at: sql<Date>`now()`,
          ...(locks ? { locked_until: sql<Date>`now() + make_interval(mins => ${lockMinutes})` } : {}),
        })
        .where('username_key', '=', key)
        .execute();
      await appendAudit(trx, config.secrets.auditKey, {
        actor: { kind: 'anonymous', id: 'anonymous' },
        action: locks ? 'iam.login-locked' : 'iam.login-failed',
        subject: { type: 'staff-user', id: user?.id ?? 'unknown' },
        origin: input.origin,
        details: { username, reason: failure ?? 'unknown', ...(locks ? { lockMinutes, lockouts } : {}) },
      });
      if (locks) {
        return {
          ok: false,
          error: new AppError(
            'account_locked',
            `Too many failed logins for this username. Try again in ${lockMinutes * 60} s.`,
            {
              extensions: { retryAfterSeconds: lockMinutes * 60 },
            },
          ),
          retryAfterSeconds: lockMinutes * 60,
        };
      }
      return {
        ok: false,
        error: new AppError('invalid_credentials', 'The username, password or second factor is wrong.'),
      };
    }

    // Success: the failure count starts again; the lockout count decays only by a success, so
    // an attacker alternating with a legitimate user still meets growing lockouts.
    await trx
      .updateTable('staff_login_throttle')
      .set({ failures: 0, locked_until: null })
      .where('username_key', '=', key)
      .execute();
    if (input.presentedToken !== undefined) {
      await trx
        .updateTable('staff_sessions')
        .set({ revoked_at: sql<Date>`now()`, revoked_reason: 'replaced-by-login' })
        .where('token_hash', '=', tokenHash(input.presentedToken))
        .where('revoked_at', 'is', null)
        .execute();
    }
    const session = await issueSession(trx, config, user.id, input.origin);
    await appendAudit(trx, config.secrets.auditKey, {
      actor: { kind: 'staff', id: user.id },
      action: 'iam.login',
      subject: { type: 'staff-session', id: session.sessionId },
      origin: input.origin,
    });
    return { ok: true, session: { ...session, passwordMustChange: user.password_must_change } };
  });
  if (!outcome.ok) throw outcome.error;
  return outcome.session;
}

async function issueSession(
  trx: Tx,
  config: Config,
  userId: string,
  origin: Origin,
): Promise<StaffSessionIssued> {
  const sessionToken = newToken();
  const id = randomUUID();
  const row = await trx
    .insertInto('staff_sessions')
    .values({
      id,
      token_hash: tokenHash(sessionToken),
      user_id: userId,
      last_seen_at: sql<Date>`now()`,
      idle_expires_at: sql<Date>`now() + make_interval(mins => ${config.staffSessionIdleMinutes})`,
      absolute_expires_at: sql<Date>`now() + make_interval(hours => ${config.staffSessionAbsoluteHours})`,
      revoked_at: null,
      revoked_reason: null,
      ip: origin.ip,
      user_agent: origin.userAgent?.slice(0, 300) ?? null,
    })
    .returning('absolute_expires_at')
    .executeTakeFirstOrThrow();
  return {
    sessionId: id,
    sessionToken,
    csrfToken: csrfTokenFor(config, sessionToken),
    userId,
    absoluteExpiresAt: row.absolute_expires_at,
    passwordMustChange: false,
  };
}

export type StaffPrincipal = {
  userId: string;
  username: string;
  displayName: string;
  sessionId: string;
  passwordMustChange: boolean;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
  permissions: Set<string>;
};

/** The signed-in user behind a session token, or undefined if it is unknown, expired or revoked. */
export async function authenticateStaff(
  db: DB,
  config: Config,
  token: string,
): Promise<StaffPrincipal | undefined> {
  const row = await db
    .selectFrom('staff_sessions as s')
    .innerJoin('staff_users as u', 'u.id', 's.user_id')
    .select([
      's.id as sessionId',
      's.idle_expires_at',
      's.absolute_expires_at',
      sql<boolean>`s.last_seen_at < now() - make_interval(secs => ${sessionTouchSeconds})`.as('stale'),
      'u.id as userId',
      'u.username',
      'u.display_name',
      'u.password_must_change',
    ])
    .where('s.token_hash', '=', tokenHash(token))
    .where('s.revoked_at', 'is', null)
    .where('s.idle_expires_at', '>', sql<Date>`now()`)
    .where('s.absolute_expires_at', '>', sql<Date>`now()`)
    .where('u.status', '=', 'active')
    .executeTakeFirst();
  if (!row) return undefined;
  let idleExpiresAt = row.idle_expires_at;
  if (row.stale) {
    // Sliding idle expiry, written at most once a minute per session; never past the absolute end.
    const touched = await db
      .updateTable('staff_sessions')
      .set({
        last_seen_at: sql<Date>`now()`,
        idle_expires_at: sql<Date>`least(absolute_expires_at, now() + make_interval(mins => ${config.staffSessionIdleMinutes}))`,
      })
      .where('id', '=', row.sessionId)
      .returning('idle_expires_at')
      .executeTakeFirst();
    if (touched) idleExpiresAt = touched.idle_expires_at;
  }
  return {
    userId: row.userId,
    username: row.username,
    displayName: row.display_name,
    sessionId: row.sessionId,
    passwordMustChange: row.password_must_change,
    idleExpiresAt,
    absoluteExpiresAt: row.absolute_expires_at,
    permissions: await permissionsOfUser(db, row.userId),
  };
}

export async function revokeSession(trx: Tx, sessionId: string, reason: string): Promise<void> {
  await trx
    .updateTable('staff_sessions')
    .set({ revoked_at: sql<Date>`now()`, revoked_reason: reason })
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Revokes every live session of a user, except `keep`; returns how many. */
export async function revokeUserSessions(
  trx: Tx,
  userId: string,
  reason: string,
  keep?: string,
): Promise<number> {
  let query = trx
    .updateTable('staff_sessions')
    .set({ revoked_at: sql<Date>`now()`, revoked_reason: reason })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null);
  if (keep !== undefined) query = query.where('id', '<>', keep);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export async function changePassword(
  trx: Tx,
  config: Config,
  principal: { userId: string; username: string; sessionId: string },
  input: { currentPassword: string; newPassword: string; origin: Origin },
): Promise<{ otherSessionsRevoked: number }> {
  const user = await trx
    .selectFrom('staff_users')
    .select('password_hash')
    .where('id', '=', principal.userId)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (!(await verifyPassword(user.password_hash, input.currentPassword))) {
    throw new AppError('invalid_credentials', 'The current password is wrong.');
  }
  checkPasswordPolicy(input.newPassword, principal.username);
  if (input.newPassword === input.currentPassword) {
    throw new AppError('password_policy_violated', 'The new password must differ from the current one.', {
      errors: [{ in: 'body', path: 'newPassword', message: 'must differ from the current password' }],
    });
  }
  await trx
    .updateTable('staff_users')
    .set({
      password_hash: await hashPassword(input.newPassword),
      password_must_change: false,
      password_changed_at: sql<Date>`now()`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', principal.userId)
    .execute();
  // ASVS 7.4.3: a password change ends every other session.
  const otherSessionsRevoked = await revokeUserSessions(
    trx,
    principal.userId,
    'password-changed',
    principal.sessionId,
  );
  await appendAudit(trx, config.secrets.auditKey, {
    actor: { kind: 'staff', id: principal.userId },
    action: 'iam.password-changed',
    subject: { type: 'staff-user', id: principal.userId },
    origin: input.origin,
    details: { otherSessionsRevoked },
  });
  return { otherSessionsRevoked };
}

export async function disableStaffUser(
  trx: Tx,
  config: Config,
  userId: string,
  actor: AuditActor,
  origin: Origin,
): Promise<void> {
  const user = await trx
    .selectFrom('staff_users')
    .select(['status'])
    .where('id', '=', userId)
    .forUpdate()
    .executeTakeFirst();
  if (!user) throw new AppError('not_found', `There is no staff user ${userId}.`);
  await trx
    .updateTable('staff_users')
    .set({ status: 'disabled', updated_at: sql<Date>`now()` })
    .where('id', '=', userId)
    .execute();
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

export async function listStaffUsers(db: DB | Tx): Promise<StaffUserView[]> {
  const users = await db
    .selectFrom('staff_users')
    .select(['id', 'username', 'display_name', 'status', 'password_must_change', 'created_at'])
    .orderBy('username')
    .execute();
  const roles = await db.selectFrom('staff_user_roles').select(['user_id', 'role']).orderBy('role').execute();
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

export async function staffUserExists(db: DB | Tx, userId: string): Promise<boolean> {
  return (
    (await db.selectFrom('staff_users').select('id').where('id', '=', userId).executeTakeFirst()) !==
    undefined
  );
}

export { rolesOfUser };
