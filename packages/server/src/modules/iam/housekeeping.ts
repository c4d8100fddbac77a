import { sql } from 'kysely';
import type { DB } from '../../platform/db.ts';

// Expired credentials are useless to keep and risky to hoard. The worker runs this hourly
// (modules/jobs.ts). Expired sessions stay 30 days for investigations (who was signed in when);
// the audit log keeps the lasting record of every sign-in.

/** Days an expired or revoked session row is kept before deletion. */
export const expiredSessionRetentionDays = 30;
/** OTP challenges are kept one day past expiry: the per-phone and per-IP send limits look back an hour. */
const otpChallengeRetentionHours = 24;

export type HousekeepingResult = {
  requestNonces: number;
  otpChallenges: number;
  spentRefreshTokens: number;
  borrowerSessions: number;
  staffSessions: number;
};

export async function pruneExpiredCredentials(db: DB): Promise<HousekeepingResult> {
  const count = (result: { numAffectedRows?: bigint }) => Number(result.numAffectedRows ?? 0n);
  const requestNonces = count(await sql`DELETE FROM request_nonces WHERE expires_at < now()`.execute(db));
  const otpChallenges = count(
    await sql`DELETE FROM borrower_otp_challenges
              WHERE expires_at < now() - make_interval(hours => ${otpChallengeRetentionHours})`.execute(db),
  );
  // A spent refresh token matters only while its login could still be refreshed.
  const spentRefreshTokens = count(
    await sql`DELETE FROM borrower_spent_refresh_tokens t USING borrower_sessions s
              WHERE t.session_id = s.id AND s.refresh_expires_at < now()`.execute(db),
  );
  const borrowerSessions = count(
    await sql`DELETE FROM borrower_sessions s
              WHERE least(s.refresh_expires_at, coalesce(s.revoked_at, s.refresh_expires_at))
                    < now() - make_interval(days => ${expiredSessionRetentionDays})
                AND NOT EXISTS (SELECT 1 FROM borrower_spent_refresh_tokens t WHERE t.session_id = s.id)`.execute(
      db,
    ),
  );
  const staffSessions = count(
    await sql`DELETE FROM staff_sessions
              WHERE least(absolute_expires_at, coalesce(revoked_at, absolute_expires_at))
                    < now() - make_interval(days => ${expiredSessionRetentionDays})`.execute(db),
  );
  return { requestNonces, otpChallenges, spentRefreshTokens, borrowerSessions, staffSessions };
}
