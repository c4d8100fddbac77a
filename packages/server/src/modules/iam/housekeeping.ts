import type { DB } from '../../platform/db.ts';
import * as store from './store.ts';

// Expired credentials are useless to keep and risky to hoard. The worker runs this hourly. Expired
// sessions stay 30 days for investigations (who was signed in when); the audit log keeps the
// lasting record of every sign-in.

/** Days an expired or revoked session row is kept before deletion. */
export const expiredSessionRetentionDays = 30;
/** OTP challenges are kept one day past expiry: the per-phone and per-IP send limits look back an hour. */
const otpChallengeRetentionHours = 24;

export type HousekeepingResult = store.PruneResult;

export async function pruneExpiredCredentials(db: DB): Promise<HousekeepingResult> {
  return store.pruneExpiredCredentialRows(db, {
    otpChallengeHours: otpChallengeRetentionHours,
    sessionDays: expiredSessionRetentionDays,
  });
}
