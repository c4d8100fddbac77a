import { createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Config } from '../../platform/config.ts';
import { blindIndex } from '../../platform/crypto/blind-index.ts';
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
import { appendAudit } from './audit.ts';
import type { SmsSender } from './sms.ts';
import { newToken, type Origin, tokenHash } from './staff.ts';

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

export async function requestOtp(
  db: DB,
  config: Config,
  sms: SmsSender,
  input: { phone: string; origin: Origin & { ip: string } },
): Promise<{ expiresInSeconds: number }> {
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
    // Serialize sends for this phone so the count below cannot be raced past.
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`otp:${phoneBidx}`}))`.execute(trx);
    const counts = await trx
      .selectFrom('borrower_otp_challenges')
      .select([
        sql<number>`count(*) FILTER (WHERE phone_bidx = ${phoneBidx})::int`.as('byPhone'),
        sql<number>`count(*) FILTER (WHERE ip = ${input.origin.ip})::int`.as('byIp'),
      ])
      .where('created_at', '>', sql<Date>`now() - make_interval(mins => ${sendWindowMinutes})`)
      .where((eb) => eb.or([eb('phone_bidx', '=', phoneBidx), eb('ip', '=', input.origin.ip)]))
      .executeTakeFirstOrThrow();
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
    // A new code replaces any earlier one: only the latest challenge can be answered.
    await trx
      .updateTable('borrower_otp_challenges')
      .set({ consumed_at: sql<Date>`now()` })
      .where('phone_bidx', '=', phoneBidx)
      .where('consumed_at', 'is', null)
      .execute();
    await trx
      .insertInto('borrower_otp_challenges')
      .values({
        id,
        phone_bidx: phoneBidx,
        code_hash: codeHash(config, id, code),
        ip: input.origin.ip,
        expires_at: sql<Date>`now() + make_interval(secs => ${config.otpTtlSeconds})`,
        consumed_at: null,
      })
      .execute();
    // Sent inside the transaction: if the provider fails, the challenge is not recorded.
    await sms.sendLoginCode(input.phone, code, { challengeId: id, expiresInSeconds: config.otpTtlSeconds });
  });
  return { expiresInSeconds: config.otpTtlSeconds };
}

export type BorrowerTokens = {
  borrowerId: string;
  accessToken: string;
  accessExpiresInSeconds: number;
  refreshToken: string;
  refreshExpiresInSeconds: number;
};

type VerifyOutcome = { ok: true; tokens: BorrowerTokens } | { ok: false; error: AppError };

export async function verifyOtpAndLogin(
  db: DB,
  config: Config,
  input: { phone: string; code: string; origin: Origin },
): Promise<BorrowerTokens> {
  const phoneBidx = phoneIndex(config, input.phone);
  const outcome = await db.transaction().execute(async (trx): Promise<VerifyOutcome> => {
    const challenge = await trx
      .selectFrom('borrower_otp_challenges')
      .select(['id', 'code_hash', 'attempts', 'consumed_at', sql<boolean>`expires_at <= now()`.as('expired')])
      .where('phone_bidx', '=', phoneBidx)
      .orderBy('created_at', 'desc')
      .limit(1)
      .forUpdate()
      .executeTakeFirst();
    // The latest challenge decides: an exhausted one keeps answering 429 until a new code is sent.
    if (challenge && !challenge.expired && challenge.attempts >= config.otpAttemptsMax) {
      return {
        ok: false,
        error: new AppError('otp_attempts_exceeded', 'Too many wrong codes. Request a new code.'),
      };
    }
    if (!challenge || challenge.expired || challenge.consumed_at !== null) {
      return {
        ok: false,
        error: new AppError('otp_invalid', 'The code is wrong or has expired. Request a new code.'),
      };
    }
    const expected = Buffer.from(challenge.code_hash, 'hex');
    const given = Buffer.from(codeHash(config, challenge.id, input.code), 'hex');
    if (!timingSafeEqual(expected, given)) {
      const attempts = challenge.attempts + 1;
      await trx
        .updateTable('borrower_otp_challenges')
        .set({ attempts, ...(attempts >= config.otpAttemptsMax ? { consumed_at: sql<Date>`now()` } : {}) })
        .where('id', '=', challenge.id)
        .execute();
      if (attempts >= config.otpAttemptsMax) {
        await appendAudit(trx, config.secrets.auditKey, {
          actor: { kind: 'anonymous', id: 'anonymous' },
          action: 'iam.borrower-otp-exhausted',
          subject: { type: 'otp-challenge', id: challenge.id },
          origin: input.origin,
        });
        return {
          ok: false,
          error: new AppError('otp_attempts_exceeded', 'Too many wrong codes. Request a new code.'),
        };
      }
      return {
        ok: false,
        error: new AppError('otp_invalid', 'The code is wrong or has expired. Request a new code.'),
      };
    }
    await trx
      .updateTable('borrower_otp_challenges')
      .set({ consumed_at: sql<Date>`now()` })
      .where('id', '=', challenge.id)
      .execute();
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

function borrowerPhoneContext(borrowerId: string): string {
  return `borrowers.phone:${borrowerId}`;
}

async function findOrCreateBorrower(
  trx: Tx,
  config: Config,
  phone: string,
  phoneBidx: string,
): Promise<string> {
  const existing = await trx
    .selectFrom('borrowers')
    .select(['id', 'status'])
    .where('phone_bidx', '=', phoneBidx)
    .executeTakeFirst();
  if (existing) {
    if (existing.status !== 'active') throw new AppError('forbidden', 'This borrower account is disabled.');
    await trx
      .updateTable('borrowers')
      .set({ last_login_at: sql<Date>`now()` })
      .where('id', '=', existing.id)
      .execute();
    return existing.id;
  }
  const id = randomUUID();
  const dataKey = await createDataKey(trx, cryptoFor(config).kms, 'borrowers');
  await trx
    .insertInto('borrowers')
    .values({
      id,
      phone_bidx: phoneBidx,
      phone_enc: encryptField(dataKey, phone, borrowerPhoneContext(id)),
      last_login_at: sql<Date>`now()`,
    })
    .execute();
  return id;
}

async function issueBorrowerSession(
  trx: Tx,
  config: Config,
  borrowerId: string,
  sessionId = randomUUID(),
): Promise<BorrowerTokens> {
  const accessToken = `fqa_${newToken()}`;
  const refreshToken = `fqr_${newToken()}`;
  const values = {
    access_token_hash: tokenHash(accessToken),
    access_expires_at: sql<Date>`now() + make_interval(mins => ${config.borrowerAccessTokenMinutes})`,
    refresh_token_hash: tokenHash(refreshToken),
    refresh_expires_at: sql<Date>`now() + make_interval(days => ${config.borrowerRefreshTokenDays})`,
  };
  await trx
    .insertInto('borrower_sessions')
    .values({
      id: sessionId,
      borrower_id: borrowerId,
      ...values,
      rotated_at: null,
      revoked_at: null,
      revoked_reason: null,
    })
    .execute();
  return {
    borrowerId,
    accessToken,
    accessExpiresInSeconds: config.borrowerAccessTokenMinutes * 60,
    refreshToken,
    refreshExpiresInSeconds: config.borrowerRefreshTokenDays * 86_400,
  };
}

type RefreshOutcome = { ok: true; tokens: BorrowerTokens } | { ok: false; error: AppError };

/** Exchanges a refresh token for new tokens; a spent refresh token revokes its whole login. */
export async function refreshBorrowerTokens(
  db: DB,
  config: Config,
  refreshToken: string,
  origin: Origin,
): Promise<BorrowerTokens> {
  const hash = tokenHash(refreshToken);
  const outcome = await db.transaction().execute(async (trx): Promise<RefreshOutcome> => {
    const spent = await trx
      .selectFrom('borrower_spent_refresh_tokens as t')
      .innerJoin('borrower_sessions as s', 's.id', 't.session_id')
      .select(['s.id', 's.borrower_id', 's.revoked_at'])
      .where('t.token_hash', '=', hash)
      .executeTakeFirst();
    if (spent) {
      if (spent.revoked_at === null) {
        await trx
          .updateTable('borrower_sessions')
          .set({ revoked_at: sql<Date>`now()`, revoked_reason: 'refresh-token-reused' })
          .where('id', '=', spent.id)
          .execute();
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
    const session = await trx
      .selectFrom('borrower_sessions as s')
      .innerJoin('borrowers as b', 'b.id', 's.borrower_id')
      .select(['s.id', 's.borrower_id'])
      .where('s.refresh_token_hash', '=', hash)
      .where('s.revoked_at', 'is', null)
      .where('s.refresh_expires_at', '>', sql<Date>`now()`)
      .where('b.status', '=', 'active')
      .forUpdate()
      .executeTakeFirst();
    if (!session)
      return {
        ok: false,
        error: new AppError('unauthenticated', 'The refresh token is not valid. Sign in again.'),
      };
    await trx
      .insertInto('borrower_spent_refresh_tokens')
      .values({ token_hash: hash, session_id: session.id })
      .execute();
    const accessToken = `fqa_${newToken()}`;
    const nextRefresh = `fqr_${newToken()}`;
    // The refresh lifetime is not extended: a login lasts at most BORROWER_REFRESH_TOKEN_DAYS.
    await trx
      .updateTable('borrower_sessions')
      .set({
        access_token_hash: tokenHash(accessToken),
        access_expires_at: sql<Date>`now() + make_interval(mins => ${config.borrowerAccessTokenMinutes})`,
        refresh_token_hash: tokenHash(nextRefresh),
        rotated_at: sql<Date>`now()`,
      })
      .where('id', '=', session.id)
      .execute();
    const left = await trx
      .selectFrom('borrower_sessions')
      .select(
        sql<number>`greatest(0, floor(extract(epoch FROM refresh_expires_at - now())))::int`.as('seconds'),
      )
      .where('id', '=', session.id)
      .executeTakeFirstOrThrow();
    return {
      ok: true,
      tokens: {
        borrowerId: session.borrower_id,
        accessToken,
        accessExpiresInSeconds: config.borrowerAccessTokenMinutes * 60,
        refreshToken: nextRefresh,
        refreshExpiresInSeconds: left.seconds,
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
  const row = await db
    .selectFrom('borrower_sessions as s')
    .innerJoin('borrowers as b', 'b.id', 's.borrower_id')
    .select(['s.id', 's.borrower_id', sql<boolean>`s.access_expires_at <= now()`.as('expired')])
    .where('s.access_token_hash', '=', tokenHash(accessToken))
    .where('s.revoked_at', 'is', null)
    .where('b.status', '=', 'active')
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.expired) return 'expired';
  return { borrowerId: row.borrower_id, sessionId: row.id };
}

export async function revokeBorrowerSession(db: DB, sessionId: string, reason: string): Promise<void> {
  await db
    .updateTable('borrower_sessions')
    .set({ revoked_at: sql<Date>`now()`, revoked_reason: reason })
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** The verified phone of a borrower (for the customers module's profile registration). */
export async function borrowerPhone(db: DB | Tx, config: Config, borrowerId: string): Promise<string> {
  const row = await db
    .selectFrom('borrowers')
    .select('phone_enc')
    .where('id', '=', borrowerId)
    .executeTakeFirstOrThrow();
  const key = await loadDataKey(db, cryptoFor(config).kms, dataKeyIdOf(row.phone_enc));
  return decryptField(key, row.phone_enc, borrowerPhoneContext(borrowerId));
}
