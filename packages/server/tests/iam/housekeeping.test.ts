import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wholeSchema } from '../../src/modules/database.ts';
import { pruneExpiredCredentials } from '../../src/modules/iam/housekeeping.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createStaff, signIn, signInBorrower } from './support.ts';

let database: TestDatabase;
const config = loadConfig({ LOG_LEVEL: 'silent' });

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

const count = async (table: string) =>
  Number(
    (await sql<{ n: bigint }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(database.db)).rows[0]?.n,
  );

describe('pruning expired credentials', () => {
  it('deletes long-expired sessions, spent tokens, stale OTP challenges and expired nonces, and keeps live ones', async () => {
    const db = database.db;
    const staff = await createStaff(db, config, ['operator']);
    await signIn(db, config, staff);
    await signIn(db, config, staff);
    const oldBorrower = await signInBorrower(db, config);
    await signInBorrower(db, config);
    await sql`INSERT INTO request_nonces (key_id, nonce, expires_at) VALUES
      ('fqk_old', 'n1', now() - interval '1 minute'), ('fqk_live', 'n2', now() + interval '5 minutes')`.execute(
      db,
    );

    // Age one staff session, one borrower login (with a spent refresh token) and its OTP challenge.
    const [oldStaffSession] = (
      await wholeSchema(db).selectFrom('staff_sessions').select('id').orderBy('created_at').execute()
    ).map((r) => r.id);
    await sql`UPDATE staff_sessions SET idle_expires_at = now() - interval '40 days', absolute_expires_at = now() - interval '40 days'
              WHERE id = ${oldStaffSession}`.execute(db);
    const oldSession = await wholeSchema(db)
      .selectFrom('borrower_sessions')
      .select('id')
      .orderBy('created_at')
      .executeTakeFirstOrThrow();
    await sql`INSERT INTO borrower_spent_refresh_tokens (token_hash, session_id) VALUES ('spent-old', ${oldSession.id})`.execute(
      db,
    );
    await sql`UPDATE borrower_sessions SET access_expires_at = now() - interval '41 days', refresh_expires_at = now() - interval '40 days'
              WHERE id = ${oldSession.id}`.execute(db);
    await sql`UPDATE borrower_otp_challenges SET expires_at = now() - interval '2 days' WHERE created_at = (SELECT min(created_at) FROM borrower_otp_challenges)`.execute(
      db,
    );
    expect(oldBorrower.accessToken).toBeTruthy();

    const result = await pruneExpiredCredentials(db);
    expect(result).toEqual({
      requestNonces: 1,
      otpChallenges: 1,
      spentRefreshTokens: 1,
      borrowerSessions: 1,
      staffSessions: 1,
    });
    expect(await count('staff_sessions')).toBe(1);
    expect(await count('borrower_sessions')).toBe(1);
    expect(await count('borrower_otp_challenges')).toBe(1);
    expect(await count('request_nonces')).toBe(1);

    // Running it again changes nothing.
    expect(await pruneExpiredCredentials(db)).toEqual({
      requestNonces: 0,
      otpChallenges: 0,
      spentRefreshTokens: 0,
      borrowerSessions: 0,
      staffSessions: 0,
    });
  });
});
