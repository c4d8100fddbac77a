import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { totpCode } from '../../src/modules/iam/totp.ts';
import { http, useTestServer } from '../support/server.ts';
import { auditActions, createStaff, credentialsFrom, freshTotp, signIn, signInOverHttp } from './support.ts';

const { database, server } = useTestServer({
  accessControl: 'iam',
  env: { STAFF_LOGIN_FAILURES_MAX: '3', STAFF_LOCKOUT_MINUTES: '15' },
});

const login = (body: unknown) => http(server.baseUrl, 'POST', '/api/v1/staff/login', { body });

describe('staff login', () => {
  it('sets an httpOnly, Secure, SameSite=Strict host-only session cookie and returns the CSRF token', async () => {
    const user = await createStaff(database.db, server.config, ['auditor']);
    const { response, credentials } = await signInOverHttp(server, database.db, user);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(
      /^__Host-fenqi_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; Secure; SameSite=Strict; Max-Age=4319\d$/,
    );
    expect(response.json).toMatchObject({
      user: { id: user.id, username: user.username },
      passwordMustChange: false,
      csrfToken: credentials?.csrf,
    });
    const session = await http(server.baseUrl, 'GET', '/api/v1/staff/session', {
      headers: credentials?.headers(false),
    });
    expect(session.status).toBe(200);
    expect(session.json).toMatchObject({
      user: { id: user.id },
      roles: ['auditor'],
      csrfToken: credentials?.csrf,
    });
    // The database keeps the token's hash only.
    const token = /=([^;]+)/.exec(cookie)?.[1] ?? '';
    const stored = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM staff_sessions WHERE token_hash = ${token}`.execute(database.db);
    expect(stored.rows[0]?.n).toBe(0);
    expect(await auditActions(database.db, user.id)).toEqual(['iam.user-created']);
  });

  it('stores the password as argon2id, never in clear', async () => {
    const user = await createStaff(database.db, server.config, []);
    const row = await database.tables
      .selectFrom('staff_users')
      .select('password_hash')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('answers one generic 401 whether the username, the password or the second factor is wrong', async () => {
    const user = await createStaff(database.db, server.config, ['auditor']);
    const cases = [
      { username: 'nobody-here', password: user.password, secondFactor: await freshTotp(database.db, user) },
      {
        username: user.username,
        password: 'wrong password entirely',
        secondFactor: await freshTotp(database.db, user),
      },
      { username: user.username, password: user.password, secondFactor: '000000' },
    ];
    for (const body of cases) {
      const response = await login(body);
      expect(response.status).toBe(401);
      expect(response.json).toEqual({
        type: 'https://fenqi.dev/problems/invalid_credentials',
        title: 'The credentials are not valid',
        status: 401,
        code: 'invalid_credentials',
        detail: 'The username, password or second factor is wrong.',
        instance: '/api/v1/staff/login',
        requestId: expect.any(String),
      });
      expect(response.headers.get('set-cookie')).toBeNull();
    }
  });

  it('accepts a TOTP code once: the same code again is refused (replay)', async () => {
    const user = await createStaff(database.db, server.config, ['auditor']);
    const code = await freshTotp(database.db, user);
    const body = { username: user.username, password: user.password, secondFactor: code };
    expect((await login(body)).status).toBe(200);
    expect((await login(body)).status).toBe(401);
  });

  it('accepts each recovery code once', async () => {
    const user = await createStaff(database.db, server.config, ['auditor']);
    const body = { username: user.username, password: user.password, secondFactor: user.recoveryCodes[3] };
    expect((await login(body)).status).toBe(200);
    expect((await login(body)).status).toBe(401);
    const used = await database.tables
      .selectFrom('staff_recovery_codes')
      .select('used_at')
      .where('user_id', '=', user.id)
      .execute();
    expect(used.filter((row) => row.used_at !== null)).toHaveLength(1);
  });

  it('brute-forcing a password ends in a lockout (423) that even the right password cannot pass, and lockouts double', async () => {
    const user = await createStaff(database.db, server.config, ['auditor']);
    const wrong = { username: user.username, password: 'guess number one!!', secondFactor: '123456' };
    expect((await login(wrong)).status).toBe(401);
    expect((await login(wrong)).status).toBe(401);
    const third = await login(wrong);
    expect(third.status).toBe(423);
    expect(third.headers.get('retry-after')).toBe('900');
    expect(third.json).toMatchObject({ code: 'account_locked', retryAfterSeconds: 900 });

    const right = await login({
      username: user.username,
      password: user.password,
      secondFactor: await freshTotp(database.db, user),
    });
    expect(right.status).toBe(423);
    expect(right.json).toMatchObject({ code: 'account_locked' });
    expect(right.headers.get('set-cookie')).toBeNull();

    // The lock runs out (moved into the past here rather than waiting); three more failures lock for twice as long.
    await sql`UPDATE staff_login_throttle SET locked_until = now() - interval '1 second'`.execute(
      database.db,
    );
    for (let i = 0; i < 2; i++) expect((await login(wrong)).status).toBe(401);
    const again = await login(wrong);
    expect(again.json).toMatchObject({ code: 'account_locked', retryAfterSeconds: 1800 });
    expect(await auditActions(database.db, user.id)).toEqual([
      'iam.user-created',
      'iam.login-failed',
      'iam.login-failed',
      'iam.login-locked',
      'iam.login-failed',
      'iam.login-failed',
      'iam.login-locked',
    ]);
  });

  it('locks unknown usernames the same way, so lockout does not reveal which accounts exist', async () => {
    const wrong = { username: 'no-such-user-x', password: 'guess number one!!', secondFactor: '123456' };
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await login(wrong)).status);
    expect(statuses).toEqual([401, 401, 423, 423]);
  });

  it('rotates the session on login: the cookie presented at login is revoked', async () => {
    const user = await createStaff(database.db, server.config, ['auditor']);
    const first = await signIn(database.db, server.config, user);
    const { credentials: second } = await signInOverHttp(server, database.db, user, { cookie: first.cookie });
    expect(second?.cookie).not.toBe(first.cookie);
    expect(
      (await http(server.baseUrl, 'GET', '/api/v1/staff/session', { headers: first.headers(false) })).status,
    ).toBe(401);
    expect(
      (await http(server.baseUrl, 'GET', '/api/v1/staff/session', { headers: second?.headers(false) }))
        .status,
    ).toBe(200);
  });
});

describe('staff sessions', () => {
  it('end after the idle timeout and after the absolute lifetime', async () => {
    const user = await createStaff(database.db, server.config, ['auditor']);
    const idle = await signIn(database.db, server.config, user);
    const absolute = await signIn(database.db, server.config, user);
    const get = (headers: Record<string, string>) =>
      http(server.baseUrl, 'GET', '/api/v1/iam/users', { headers });
    expect((await get(idle.headers(false))).status).toBe(200);
    const sessions = await database.tables
      .selectFrom('staff_sessions')
      .select(['id', 'token_hash'])
      .where('user_id', '=', user.id)
      .orderBy('created_at')
      .execute();
    await sql`UPDATE staff_sessions SET idle_expires_at = now() - interval '1 second' WHERE id = ${sessions[0]?.id ?? ''}`.execute(
      database.db,
    );
    await sql`UPDATE staff_sessions SET absolute_expires_at = now() - interval '1 second', idle_expires_at = now() - interval '1 second' WHERE id = ${sessions[1]?.id ?? ''}`.execute(
      database.db,
    );
    for (const credentials of [idle, absolute]) {
      const response = await get(credentials.headers(false));
      expect(response.status).toBe(401);
      expect(response.json).toMatchObject({ code: 'unauthenticated' });
    }
  });

  it('slide the idle expiry on use, but never past the absolute end', async () => {
    const user = await createStaff(database.db, server.config, ['auditor']);
    const credentials = await signIn(database.db, server.config, user);
    await sql`UPDATE staff_sessions SET last_seen_at = now() - interval '10 minutes', idle_expires_at = now() + interval '1 minute', absolute_expires_at = now() + interval '5 minutes' WHERE user_id = ${user.id}`.execute(
      database.db,
    );
    expect(
      (await http(server.baseUrl, 'GET', '/api/v1/staff/session', { headers: credentials.headers(false) }))
        .status,
    ).toBe(200);
    const row = await sql<{
      same: boolean;
    }>`SELECT idle_expires_at = absolute_expires_at AS same FROM staff_sessions WHERE user_id = ${user.id}`.execute(
      database.db,
    );
    expect(row.rows[0]?.same).toBe(true);
  });

  it('logout ends this session; logout everywhere ends them all', async () => {
    const user = await createStaff(database.db, server.config, ['auditor']);
    const [a, b, c] = [
      await signIn(database.db, server.config, user),
      await signIn(database.db, server.config, user),
      await signIn(database.db, server.config, user),
    ];
    const out = await http(server.baseUrl, 'POST', '/api/v1/staff/logout', { headers: a.headers() });
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    const session = (credentials: typeof a) =>
      http(server.baseUrl, 'GET', '/api/v1/staff/session', { headers: credentials.headers(false) });
    expect((await session(a)).status).toBe(401);
    expect((await session(b)).status).toBe(200);
    const everywhere = await http(server.baseUrl, 'POST', '/api/v1/staff/logout-everywhere', {
      headers: b.headers(),
    });
    expect(everywhere.json).toEqual({ sessionsRevoked: 2 });
    expect((await session(b)).status).toBe(401);
    expect((await session(c)).status).toBe(401);
  });
});

describe('CSRF protection of cookie-authenticated writes', () => {
  it('refuses a write without the X-CSRF-Token header, or with another session’s token, and writes nothing', async () => {
    const admin = await createStaff(database.db, server.config, ['admin']);
    const mine = await signIn(database.db, server.config, admin);
    const other = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['admin']),
    );
    const attempts: Record<string, string>[] = [
      { cookie: mine.cookie },
      { cookie: mine.cookie, 'x-csrf-token': other.csrf },
    ];
    for (const headers of attempts) {
      const response = await http(server.baseUrl, 'POST', '/api/v1/iam/users', {
        body: { username: 'csrf-victim', displayName: 'x' },
        headers,
      });
      expect(response.status).toBe(403);
      expect(response.json).toMatchObject({ code: 'csrf_token_invalid' });
    }
    expect(
      await database.tables
        .selectFrom('staff_users')
        .select('id')
        .where('username', '=', 'csrf-victim')
        .execute(),
    ).toEqual([]);
    const ok = await http(server.baseUrl, 'POST', '/api/v1/iam/users', {
      body: { username: 'csrf-victim', displayName: 'x' },
      headers: mine.headers(),
    });
    expect(ok.status).toBe(201);
  });
});

describe('passwords', () => {
  it('a new user must change the one-time password before anything else, and the policy applies', async () => {
    const admin = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['admin']),
    );
    const created = await http(server.baseUrl, 'POST', '/api/v1/iam/users', {
      body: { username: 'newcomer', displayName: 'New Comer' },
      headers: admin.headers(),
    });
    expect(created.status).toBe(201);
    const body = created.json as {
      user: { id: string };
      oneTimePassword: string;
      totpSecret: string;
      recoveryCodes: string[];
    };
    expect(body.recoveryCodes).toHaveLength(10);
    const first = await http(server.baseUrl, 'POST', '/api/v1/staff/login', {
      body: {
        username: 'newcomer',
        password: body.oneTimePassword,
        secondFactor: await totpCode(body.totpSecret),
      },
    });
    expect(first.json).toMatchObject({ passwordMustChange: true });
    const credentials = credentialsFrom(first);
    const blocked = await http(server.baseUrl, 'GET', '/api/v1/business-date', {
      headers: credentials?.headers(false),
    });
    expect(blocked.status).toBe(403);
    expect(blocked.json).toMatchObject({ code: 'password_change_required' });

    const change = (newPassword: string) =>
      http(server.baseUrl, 'POST', '/api/v1/staff/password', {
        body: { currentPassword: body.oneTimePassword, newPassword },
        headers: credentials?.headers(),
      });
    for (const weak of ['short one', 'password1234', 'my newcomer password']) {
      const refused = await change(weak);
      expect(refused.status).toBe(422);
      expect(refused.json).toMatchObject({ code: 'password_policy_violated' });
    }
    expect((await change('a long and quite unusual passphrase')).status).toBe(200);
    // Still no roles: the user is authenticated but holds no permission (roles come via maker-checker).
    const now = await http(server.baseUrl, 'GET', '/api/v1/business-date', {
      headers: credentials?.headers(false),
    });
    expect(now.status).toBe(403);
    expect(now.json).toMatchObject({ code: 'forbidden' });
  });

  it('a password change ends every other session of the user', async () => {
    const user = await createStaff(database.db, server.config, ['auditor']);
    const here = await signIn(database.db, server.config, user);
    const elsewhere = await signIn(database.db, server.config, user);
    const response = await http(server.baseUrl, 'POST', '/api/v1/staff/password', {
      body: { currentPassword: user.password, newPassword: 'another long passphrase here' },
      headers: here.headers(),
    });
    expect(response.json).toEqual({ otherSessionsRevoked: 1 });
    expect(
      (await http(server.baseUrl, 'GET', '/api/v1/staff/session', { headers: elsewhere.headers(false) }))
        .status,
    ).toBe(401);
    expect(
      (await http(server.baseUrl, 'GET', '/api/v1/staff/session', { headers: here.headers(false) })).status,
    ).toBe(200);
  });
});
