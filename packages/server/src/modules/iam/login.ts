import { createHmac } from 'node:crypto';
import type { Config } from '../../platform/config.ts';
import {
  cryptoFor,
  dataKeyIdOf,
  decryptField,
  fieldContext,
  loadDataKey,
} from '../../platform/crypto/envelope.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { Origin } from '../../platform/http/origin.ts';
import { appendAudit } from './audit.ts';
import { checkPasswordPolicy, hashPassword, verifyPassword } from './passwords.ts';
import { issueSession, revokeUserSessions, type StaffSessionIssued } from './sessions.ts';
import * as store from './store.ts';
import { tokenHash } from './tokens.ts';
import { checkTotp, isRecoveryCodeShape, recoveryCodeHash } from './totp.ts';

// Proving who you are, throttled (ASVS 5.0 V6). Login needs username, password and a second factor
// (TOTP or a recovery code) in one request and answers one generic invalid_credentials whichever
// was wrong. Changing the password needs the current one. Failures are counted per throttle key —
// the submitted username for login (existing or not), the account for a password change — and at
// STAFF_LOGIN_FAILURES_MAX the key is locked; each further lockout doubles (back-off), up to a day.
// Every failure and every lockout is audited.

const lockoutMinutesMax = 24 * 60;

export function normalizeUsername(username: string): string {
  return username.trim().toLowerCase();
}

/** Throttle keys are HMACs: the throttle table names no username and no user id in clear. */
function throttleKey(config: Config, purpose: 'login' | 'password-change', subject: string): string {
  return createHmac('sha256', config.secrets.sessionKey).update(`${purpose}\n${subject}`).digest('hex');
}

export function totpContext(userId: string): string {
  return fieldContext('staff_users', 'totp_secret', userId);
}

async function totpSecretOf(db: DB | Tx, config: Config, user: { id: string; totp_secret_enc: string }) {
  const key = await loadDataKey(db, cryptoFor(config).kms, dataKeyIdOf(user.totp_secret_enc));
  return decryptField(key, user.totp_secret_enc, totpContext(user.id));
}

function lockedError(seconds: number, what: string): AppError {
  return new AppError('account_locked', `Too many failed ${what}. Try again in ${seconds} s.`, {
    extensions: { retryAfterSeconds: seconds },
  });
}

/**
 * Counts a failed attempt on a locked throttle row; returns the lockout it triggers, if any. The
 * failure count restarts at each lockout; the lockout count decays only with a success, so an
 * attacker alternating with a legitimate user still meets growing lockouts.
 */
async function countFailure(
  trx: Tx,
  config: Config,
  key: string,
  throttle: store.ThrottleState,
): Promise<{ lockMinutes: number; lockouts: number } | undefined> {
  const failures = throttle.failures + 1;
  const locks = failures >= config.staffLoginFailuresMax;
  const lockouts = throttle.lockouts + (locks ? 1 : 0);
  const lockMinutes = locks
    ? Math.min(config.staffLockoutMinutes * 2 ** (lockouts - 1), lockoutMinutesMax)
    : undefined;
  await store.recordThrottleFailure(trx, key, { failures: locks ? 0 : failures, lockouts, lockMinutes });
  return lockMinutes === undefined ? undefined : { lockMinutes, lockouts };
}

async function checkSecondFactor(
  trx: Tx,
  config: Config,
  user: { id: string; totp_secret_enc: string; totp_last_step: bigint },
  code: string,
): Promise<boolean> {
  if (isRecoveryCodeShape(code)) return store.useRecoveryCode(trx, user.id, recoveryCodeHash(code));
  const step = await checkTotp(await totpSecretOf(trx, config, user), code.trim(), user.totp_last_step);
  if (step === undefined) return false;
  await store.updateStaffUser(trx, user.id, { totpLastStep: step });
  return true;
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: AppError };

/** Runs a throttled attempt: failures commit (count and audit) and then the error is thrown. */
async function attempt<T>(db: DB, work: (trx: Tx) => Promise<Outcome<T>>): Promise<T> {
  const outcome = await db.transaction().execute(work);
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
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
  const username = normalizeUsername(input.username);
  const key = throttleKey(config, 'login', username);
  return attempt(db, async (trx): Promise<Outcome<StaffSessionIssued>> => {
    const throttle = await store.lockThrottle(trx, key);
    if (throttle.lockedSeconds > 0)
      return { ok: false, error: lockedError(throttle.lockedSeconds, 'logins for this username') };
    const user = await store.findStaffUserByUsername(trx, username);
    const passwordOk = await verifyPassword(user?.password_hash, input.password);
    let failure: string | undefined;
    if (!user || !passwordOk) failure = user ? 'password' : 'unknown-user';
    else if (user.status !== 'active') failure = 'disabled';
    else if (!(await checkSecondFactor(trx, config, user, input.secondFactor))) failure = 'second-factor';

    if (failure !== undefined || !user) {
      const lock = await countFailure(trx, config, key, throttle);
      await appendAudit(trx, config.secrets.auditKey, {
        actor: { kind: 'anonymous', id: 'anonymous' },
        action: lock ? 'iam.login-locked' : 'iam.login-failed',
        subject: { type: 'staff-user', id: user?.id ?? 'unknown' },
        origin: input.origin,
        details: { username, reason: failure ?? 'unknown', ...lock },
      });
      return lock
        ? { ok: false, error: lockedError(lock.lockMinutes * 60, 'logins for this username') }
        : {
            ok: false,
            error: new AppError('invalid_credentials', 'The username, password or second factor is wrong.'),
          };
    }

    await store.resetThrottleFailures(trx, key);
    if (input.presentedToken !== undefined) {
      await store.revokeStaffSessions(
        trx,
        { tokenHash: tokenHash(input.presentedToken) },
        'replaced-by-login',
      );
    }
    const session = await issueSession(trx, config, user.id, input.origin);
    await appendAudit(trx, config.secrets.auditKey, {
      actor: { kind: 'staff', id: user.id },
      action: 'iam.login',
      subject: { type: 'staff-session', id: session.sessionId },
      origin: input.origin,
    });
    return { ok: true, value: { ...session, passwordMustChange: user.password_must_change } };
  });
}

/**
 * Changes the password of the signed-in user: the current password is checked under the account's
 * own throttle (a stolen session cannot guess it without limit), then every other session ends.
 */
export async function changePassword(
  db: DB,
  config: Config,
  principal: { userId: string; sessionId: string },
  input: { currentPassword: string; newPassword: string; origin: Origin },
): Promise<{ otherSessionsRevoked: number }> {
  const key = throttleKey(config, 'password-change', principal.userId);
  return attempt(db, async (trx): Promise<Outcome<{ otherSessionsRevoked: number }>> => {
    const throttle = await store.lockThrottle(trx, key);
    if (throttle.lockedSeconds > 0)
      return { ok: false, error: lockedError(throttle.lockedSeconds, 'password checks for this account') };
    const user = await store.lockStaffUser(trx, principal.userId);
    if (!user) throw new Error('a signed-in staff user has no row');
    if (!(await verifyPassword(user.password_hash, input.currentPassword))) {
      const lock = await countFailure(trx, config, key, throttle);
      await appendAudit(trx, config.secrets.auditKey, {
        actor: { kind: 'staff', id: principal.userId },
        action: lock ? 'iam.password-change-locked' : 'iam.password-change-failed',
        subject: { type: 'staff-user', id: principal.userId },
        origin: input.origin,
        details: { reason: 'current-password', sessionId: principal.sessionId, ...lock },
      });
      return lock
        ? { ok: false, error: lockedError(lock.lockMinutes * 60, 'password checks for this account') }
        : { ok: false, error: new AppError('invalid_credentials', 'The current password is wrong.') };
    }
    checkPasswordPolicy(input.newPassword, user.username);
    if (input.newPassword === input.currentPassword) {
      throw new AppError('password_policy_violated', 'The new password must differ from the current one.', {
        errors: [{ in: 'body', path: 'newPassword', message: 'must differ from the current password' }],
      });
    }
    await store.resetThrottleFailures(trx, key);
    await store.updateStaffUser(trx, principal.userId, {
      passwordHash: await hashPassword(input.newPassword),
    });
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
    return { ok: true, value: { otherSessionsRevoked } };
  });
}
