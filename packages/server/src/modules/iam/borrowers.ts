import { createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Config } from '../../platform/config.ts';
import { blindIndex } from '../../platform/crypto/blind-index.ts';
import {
  createDataKey,
  cryptoFor,
  dataKeyIdOf,
  decryptField,
  encryptField,
  fieldContext,
  loadDataKey,
} from '../../platform/crypto/envelope.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { orConflict } from '../../platform/db-errors.ts';
import { AppError } from '../../platform/errors.ts';
import type { Origin } from '../../platform/http/origin.ts';
import { appendAudit } from './audit.ts';
import type { SmsSender } from './sms.ts';
import * as store from './store.ts';
import { newToken, tokenHash } from './tokens.ts';

// Borrower sign-in: phone + one-time SMS code, then an access token (short-lived, sent as
// `Authorization: Bearer`) and a refresh token (long-lived, single use, rotated on every refresh).
// Codes are 6 digits, live OTP_TTL_SECONDS, allow OTP_ATTEMPTS_MAX guesses, and are stored as an
// HMAC under the session key. Sends are limited per phone and per IP per hour. A refresh token
// presented a second time means it was stolen (one of two parties is an attacker): the whole login
// is revoked (OAuth 2.0 Security BCP, refresh token rotation with reuse detection).

export const phonePattern = /^1[3-9]\d{9}$/;
const sendWindowMinutes = 60;

function codeHash(config: Config, challengeId: string, code: string): string {
  return createHmac('sha256', config.secrets.sessionKey).update(`otp\n${challengeId}\n${code}`).digest('hex');
}

export function phoneIndex(config: Config, phone: string): string {
  return blindIndex(config.secrets.blindIndexKey, 'phone', phone);
}

const phoneContext = (borrowerId: string) => fieldContext('borrowers', 'phone', borrowerId);

export async function requestOtp(
  db: DB,
  config: Config,
  sms: SmsSender,
  input: { phone: string; origin: Origin & { ip: string } },
): Promise<{ expiresInSeconds: number; demoCode?: string }> {
  if (config.smsAdapter === 'disabled') {
    throw new AppError(
      'sms_unavailable',
      'Sign-in by SMS code is not available on this installation (SMS_ADAPTER=disabled).',
    );
  }
  const phoneBidx = phoneIndex(config, input.phone);
  const id = randomUUID();
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  await db.transaction().execute(async (trx) => {
    // Sends for one phone are serialized, so the counts cannot be raced past.
    const counts = await store.lockAndCountOtpSends(trx, {
      phoneBidx,
      ip: input.origin.ip,
      windowMinutes: sendWindowMinutes,
    });
    if (counts.byPhone >= config.otpSendsPerPhoneMax) {
      throw new AppError(
        'rate_limited',
        `At most ${config.otpSendsPerPhoneMax} codes per phone per hour. Try again later.`,
      );
    }
    if (counts.byIp >= config.otpSendsPerIpMax) {
      throw new AppError(
        'rate_limited',
        `At most ${config.otpSendsPerIpMax} codes per client per hour. Try again later.`,
      );
    }
    await store.insertOtpChallenge(trx, {
      id,
      phoneBidx,
      codeHash: codeHash(config, id, code),
      ip: input.origin.ip,
      ttlSeconds: config.otpTtlSeconds,
    });
    // Sent inside the transaction: if the provider fails, the challenge is not recorded.
    await sms.sendLoginCode(input.phone, code, { challengeId: id, expiresInSeconds: config.otpTtlSeconds });
  });
  // The demo's H5 shows the code the development adapter did not send (DEMO_SHOW_CODES).
  if (config.demoShowCodes && config.smsAdapter === 'log')
    return { expiresInSeconds: config.otpTtlSeconds, demoCode: code };
  return { expiresInSeconds: config.otpTtlSeconds };
}

export type BorrowerTokens = {
  borrowerId: string;
  accessToken: string;
  accessExpiresInSeconds: number;
  refreshToken: string;
  refreshExpiresInSeconds: number;
};

type Outcome = { ok: true; tokens: BorrowerTokens } | { ok: false; error: AppError };

const wrongCode = () => new AppError('otp_invalid', 'The code is wrong or has expired. Request a new code.');
const tooManyCodes = () => new AppError('otp_attempts_exceeded', 'Too many wrong codes. Request a new code.');

export async function verifyOtpAndLogin(
  db: DB,
  config: Config,
  input: { phone: string; code: string; origin: Origin },
): Promise<BorrowerTokens> {
  const phoneBidx = phoneIndex(config, input.phone);
  const outcome = await db.transaction().execute(async (trx): Promise<Outcome> => {
    const challenge = await store.lockLatestOtpChallenge(trx, phoneBidx);
    // The latest challenge decides: an exhausted one keeps answering 429 until a new code is sent.
    if (challenge && !challenge.expired && challenge.attempts >= config.otpAttemptsMax)
      return { ok: false, error: tooManyCodes() };
    if (!challenge || challenge.expired || challenge.consumed_at !== null)
      return { ok: false, error: wrongCode() };
    const expected = Buffer.from(challenge.code_hash, 'hex');
    const given = Buffer.from(codeHash(config, challenge.id, input.code), 'hex');
    if (!timingSafeEqual(expected, given)) {
      const attempts = challenge.attempts + 1;
      const exhausted = attempts >= config.otpAttemptsMax;
      await store.updateOtpChallenge(trx, challenge.id, { attempts, consumed: exhausted });
      if (!exhausted) return { ok: false, error: wrongCode() };
      await appendAudit(trx, config.secrets.auditKey, {
        actor: { kind: 'anonymous', id: 'anonymous' },
        action: 'iam.borrower-otp-exhausted',
        subject: { type: 'otp-challenge', id: challenge.id },
        origin: input.origin,
      });
      return { ok: false, error: tooManyCodes() };
    }
    await store.updateOtpChallenge(trx, challenge.id, { consumed: true });
    const borrowerId = await findOrCreateBorrower(trx, config, input.phone, phoneBidx);
    const tokens = await issueBorrowerSession(trx, config, borrowerId);
    await appendAudit(trx, config.secrets.auditKey, {
      actor: { kind: 'borrower', id: borrowerId },
      action: 'iam.borrower-login',
      subject: { type: 'borrower', id: borrowerId },
      origin: input.origin,
    });
    return { ok: true, tokens };
  });
  if (!outcome.ok) throw outcome.error;
  return outcome.tokens;
}

async function findOrCreateBorrower(
  trx: Tx,
  config: Config,
  phone: string,
  phoneBidx: string,
): Promise<string> {
  const existing = await store.findBorrowerByPhoneIndex(trx, phoneBidx);
  if (existing) {
    if (existing.status !== 'active') throw new AppError('forbidden', 'This borrower account is disabled.');
    await store.markBorrowerLogin(trx, existing.id);
    return existing.id;
  }
  const id = randomUUID();
  const dataKey = await createDataKey(trx, cryptoFor(config).kms, 'borrowers');
  // A first sign-in racing another for the same phone: one account; the loser signs in again.
  await orConflict(
    store.insertBorrower(trx, { id, phoneBidx, phoneEnc: encryptField(dataKey, phone, phoneContext(id)) }),
    {
      borrowers_phone_bidx_key: () =>
        new AppError(
          'concurrent_conflict',
          'This phone signed in at the same moment elsewhere; sign in again.',
        ),
    },
  );
  return id;
}

async function issueBorrowerSession(trx: Tx, config: Config, borrowerId: string): Promise<BorrowerTokens> {
  const accessToken = `fqa_${newToken()}`;
  const refreshToken = `fqr_${newToken()}`;
  await store.insertBorrowerSession(trx, {
    id: randomUUID(),
    borrowerId,
    accessTokenHash: tokenHash(accessToken),
    accessMinutes: config.borrowerAccessTokenMinutes,
    refreshTokenHash: tokenHash(refreshToken),
    refreshDays: config.borrowerRefreshTokenDays,
  });
  return {
    borrowerId,
    accessToken,
    accessExpiresInSeconds: config.borrowerAccessTokenMinutes * 60,
    refreshToken,
    refreshExpiresInSeconds: config.borrowerRefreshTokenDays * 86_400,
  };
}

/** Exchanges a refresh token for new tokens; a spent refresh token revokes its whole login. */
export async function refreshBorrowerTokens(
  db: DB,
  config: Config,
  refreshToken: string,
  origin: Origin,
): Promise<BorrowerTokens> {
  const hash = tokenHash(refreshToken);
  const outcome = await db.transaction().execute(async (trx): Promise<Outcome> => {
    const spent = await store.sessionOfSpentRefreshToken(trx, hash);
    if (spent) {
      if (spent.revoked_at === null) {
        await store.revokeBorrowerSessionRow(trx, spent.id, 'refresh-token-reused');
        await appendAudit(trx, config.secrets.auditKey, {
          actor: { kind: 'anonymous', id: 'anonymous' },
          action: 'iam.borrower-refresh-reused',
          subject: { type: 'borrower-session', id: spent.id },
          origin,
          details: { borrowerId: spent.borrower_id },
        });
      }
      return {
        ok: false,
        error: new AppError(
          'unauthenticated',
          'This refresh token was already used; the login is revoked. Sign in again.',
        ),
      };
    }
    const session = await store.lockSessionOfRefreshToken(trx, hash);
    if (!session)
      return {
        ok: false,
        error: new AppError('unauthenticated', 'The refresh token is not valid. Sign in again.'),
      };
    const accessToken = `fqa_${newToken()}`;
    const nextRefresh = `fqr_${newToken()}`;
    // The refresh lifetime is not extended: a login lasts at most BORROWER_REFRESH_TOKEN_DAYS.
    const secondsLeft = await store.rotateBorrowerSession(trx, {
      sessionId: session.id,
      spentRefreshHash: hash,
      accessTokenHash: tokenHash(accessToken),
      accessMinutes: config.borrowerAccessTokenMinutes,
      refreshTokenHash: tokenHash(nextRefresh),
    });
    return {
      ok: true,
      tokens: {
        borrowerId: session.borrower_id,
        accessToken,
        accessExpiresInSeconds: config.borrowerAccessTokenMinutes * 60,
        refreshToken: nextRefresh,
        refreshExpiresInSeconds: secondsLeft,
      },
    };
  });
  if (!outcome.ok) throw outcome.error;
  return outcome.tokens;
}

export type BorrowerPrincipal = { borrowerId: string; sessionId: string };

/** The borrower behind an access token; `expired` tells a client to refresh rather than sign in. */
export async function authenticateBorrower(
  db: DB,
  accessToken: string,
): Promise<BorrowerPrincipal | 'expired' | undefined> {
  const row = await store.findBorrowerSessionByAccessToken(db, tokenHash(accessToken));
  if (!row) return undefined;
  if (row.expired) return 'expired';
  return { borrowerId: row.borrower_id, sessionId: row.id };
}

export async function revokeBorrowerSession(db: DB, sessionId: string, reason: string): Promise<void> {
  await store.revokeBorrowerSessionRow(db, sessionId, reason);
}

/** The verified phone of a borrower (for the customers module's profile registration). */
export async function borrowerPhone(db: DB | Tx, config: Config, borrowerId: string): Promise<string> {
  const ciphertext = await store.borrowerPhoneCiphertext(db, borrowerId);
  if (ciphertext === undefined) throw new Error(`borrower ${borrowerId} has no row`);
  const key = await loadDataKey(db, cryptoFor(config).kms, dataKeyIdOf(ciphertext));
  return decryptField(key, ciphertext, phoneContext(borrowerId));
}
