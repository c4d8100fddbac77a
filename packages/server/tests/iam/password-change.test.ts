import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { http, useTestServer } from '../support/server.ts';
import { auditActions, createStaff, signIn } from './support.ts';

// Changing the password needs the current one, and a stolen session must not be able to guess it
// without limit: the check has its own per-account throttle and lockout, as login does, and every
// failure is audited.

const { database, server } = useTestServer({
  accessControl: 'iam',
  env: { STAFF_LOGIN_FAILURES_MAX: '3', STAFF_LOCKOUT_MINUTES: '15' },
});

describe('password change', () => {
  it('guessing the current password ends in a lockout (423) that even the right password cannot pass', async () => {
    const user = await createStaff(database.db, server.config, ['auditor']);
    const session = await signIn(database.db, server.config, user);
    const change = (currentPassword: string) =>
      http(server.baseUrl, 'POST', '/api/v1/staff/password', {
        body: { currentPassword, newPassword: 'a brand new long passphrase' },
        headers: session.headers(),
      });
    expect((await change('wrong guess one')).json).toMatchObject({
      status: 401,
      code: 'invalid_credentials',
    });
    expect((await change('wrong guess two')).status).toBe(401);
    const third = await change('wrong guess three');
    expect(third.status).toBe(423);
    expect(third.headers.get('retry-after')).toBe('900');
    expect(third.json).toMatchObject({ code: 'account_locked', retryAfterSeconds: 900 });
    const right = await change(user.password);
    expect(right.status).toBe(423);

    // The password did not change: signing in with the old one still works.
    expect((await signIn(database.db, server.config, user)).cookie).toContain('fenqi_session');
    expect(await auditActions(database.db, user.id)).toEqual([
      'iam.user-created',
      'iam.password-change-failed',
      'iam.password-change-failed',
      'iam.password-change-locked',
    ]);

    // The lock runs out (moved into the past rather than waited for): the right password works.
    await sql`UPDATE staff_login_throttle SET locked_until = now() - interval '1 second'`.execute(
      database.db,
    );
    const after = await change(user.password);
    expect(after.status).toBe(200);
    expect(after.json).toEqual({ otherSessionsRevoked: 1 });
  });

  it('the throttle is per account: another user is not locked by someone else’s guesses', async () => {
    const victim = await createStaff(database.db, server.config, ['auditor']);
    const other = await createStaff(database.db, server.config, ['auditor']);
    const victimSession = await signIn(database.db, server.config, victim);
    const otherSession = await signIn(database.db, server.config, other);
    for (let i = 0; i < 3; i++) {
      await http(server.baseUrl, 'POST', '/api/v1/staff/password', {
        body: { currentPassword: `wrong ${i}`, newPassword: 'a brand new long passphrase' },
        headers: victimSession.headers(),
      });
    }
    const unaffected = await http(server.baseUrl, 'POST', '/api/v1/staff/password', {
      body: { currentPassword: other.password, newPassword: 'another brand new passphrase' },
      headers: otherSession.headers(),
    });
    expect(unaffected.status).toBe(200);
  });
});
