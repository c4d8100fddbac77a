import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { developmentSmsMessage } from '../../src/modules/iam/sms.ts';
import { http, useTestServer } from '../support/server.ts';
import { randomPhone } from './support.ts';

// Behind a trusted proxy, so each test can be a different client IP (X-Forwarded-For): the
// per-IP limits (the route's and the per-hour code limit) then apply per test.
const { database, server } = useTestServer({
  accessControl: 'iam',
  env: {
    OTP_ATTEMPTS_MAX: '3',
    OTP_SENDS_PER_PHONE_MAX: '3',
    OTP_SENDS_PER_IP_MAX: '5',
    TRUST_PROXY: 'true',
  },
});

let clientIp = '198.51.100.1';
let clients = 1;
beforeEach(() => {
  clients += 1;
  clientIp = `198.51.100.${clients}`;
});

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  http(server.baseUrl, 'POST', path, { body, headers: { 'x-forwarded-for': clientIp, ...headers } });

/** The development SMS adapter writes the code to the log; the latest line for the phone wins. */
function codeFromLog(phone: string): string {
  const masked = `${phone.slice(0, 3)}****${phone.slice(7)}`;
  const line = server.logs.filter((l) => l.msg === developmentSmsMessage && l.to === masked).at(-1);
  if (typeof line?.code !== 'string') throw new Error(`no code logged for ${masked}`);
  return line.code;
}

async function login(phone: string) {
  expect((await post('/api/v1/borrower/otp', { phone })).status).toBe(202);
  const response = await post('/api/v1/borrower/login', { phone, code: codeFromLog(phone) });
  expect(response.status).toBe(200);
  return response.json as { borrowerId: string; accessToken: string; refreshToken: string };
}

describe('borrower sign-in by phone and one-time code', () => {
  it('issues short-lived access and refresh tokens; the phone is stored only encrypted and blind-indexed', async () => {
    const phone = randomPhone();
    const tokens = await login(phone);
    expect(tokens).toMatchObject({
      tokenType: 'Bearer',
      accessExpiresInSeconds: 900,
      refreshExpiresInSeconds: 2_592_000,
    });
    const me = await http(server.baseUrl, 'GET', '/api/v1/borrower/me', {
      headers: { authorization: `Bearer ${tokens.accessToken}` },
    });
    expect(me.json).toEqual({
      borrowerId: tokens.borrowerId,
      phoneMasked: `${phone.slice(0, 3)}****${phone.slice(7)}`,
    });
    const row = await sql<{
      row: string;
    }>`SELECT b::text AS row FROM borrowers b WHERE id = ${tokens.borrowerId}`.execute(database.db);
    expect(row.rows[0]?.row).not.toContain(phone);
    // The same phone signs in to the same account.
    expect((await login(phone)).borrowerId).toBe(tokens.borrowerId);
  });

  it('brute-forcing the code ends in 429 after OTP_ATTEMPTS_MAX wrong guesses, and the right code no longer works', async () => {
    const phone = randomPhone();
    const sessionsBefore = (await database.tables.selectFrom('borrower_sessions').select('id').execute())
      .length;
    expect((await post('/api/v1/borrower/otp', { phone })).status).toBe(202);
    const right = codeFromLog(phone);
    const wrong = right === '000000' ? '111111' : '000000';
    const first = await post('/api/v1/borrower/login', { phone, code: wrong });
    expect(first.json).toMatchObject({ status: 401, code: 'otp_invalid' });
    expect((await post('/api/v1/borrower/login', { phone, code: wrong })).status).toBe(401);
    const third = await post('/api/v1/borrower/login', { phone, code: wrong });
    expect(third.json).toMatchObject({ status: 429, code: 'otp_attempts_exceeded' });
    const late = await post('/api/v1/borrower/login', { phone, code: right });
    expect(late.json).toMatchObject({ status: 429, code: 'otp_attempts_exceeded' });
    expect(await database.tables.selectFrom('borrower_sessions').select('id').execute()).toHaveLength(
      sessionsBefore,
    );
  });

  it('an expired code is refused', async () => {
    const phone = randomPhone();
    await post('/api/v1/borrower/otp', { phone });
    await sql`UPDATE borrower_otp_challenges SET expires_at = now() - interval '1 second'`.execute(
      database.db,
    );
    expect((await post('/api/v1/borrower/login', { phone, code: codeFromLog(phone) })).json).toMatchObject({
      code: 'otp_invalid',
    });
  });

  it('limits codes per phone per hour (429) and per client IP per hour', async () => {
    const phone = randomPhone();
    for (let i = 0; i < 3; i++) expect((await post('/api/v1/borrower/otp', { phone })).status).toBe(202);
    const fourth = await post('/api/v1/borrower/otp', { phone });
    expect(fourth.json).toMatchObject({
      status: 429,
      code: 'rate_limited',
      detail: 'At most 3 codes per phone per hour. Try again later.',
    });
    // Three codes sent from this IP so far; two more phones reach OTP_SENDS_PER_IP_MAX (5).
    expect((await post('/api/v1/borrower/otp', { phone: randomPhone() })).status).toBe(202);
    expect((await post('/api/v1/borrower/otp', { phone: randomPhone() })).status).toBe(202);
    const sixth = await post('/api/v1/borrower/otp', { phone: randomPhone() });
    expect(sixth.json).toMatchObject({
      status: 429,
      code: 'rate_limited',
      detail: 'At most 5 codes per client per hour. Try again later.',
    });
  });
});

describe('borrower tokens', () => {
  it('an expired access token is 401 token_expired; the refresh token rotates and works once', async () => {
    const tokens = await login(randomPhone());
    await sql`UPDATE borrower_sessions SET access_expires_at = now() - interval '1 second' WHERE borrower_id = ${tokens.borrowerId}`.execute(
      database.db,
    );
    const expired = await http(server.baseUrl, 'GET', '/api/v1/borrower/me', {
      headers: { authorization: `Bearer ${tokens.accessToken}` },
    });
    expect(expired.json).toMatchObject({ status: 401, code: 'token_expired' });
    const refreshed = await post('/api/v1/borrower/token', { refreshToken: tokens.refreshToken });
    expect(refreshed.status).toBe(200);
    const next = refreshed.json as { accessToken: string; refreshToken: string };
    expect(next.refreshToken).not.toBe(tokens.refreshToken);
    expect(
      (
        await http(server.baseUrl, 'GET', '/api/v1/borrower/me', {
          headers: { authorization: `Bearer ${next.accessToken}` },
        })
      ).status,
    ).toBe(200);
  });

  it('reusing a spent refresh token revokes the whole login (reuse detection)', async () => {
    const tokens = await login(randomPhone());
    const rotated = (await post('/api/v1/borrower/token', { refreshToken: tokens.refreshToken })).json as {
      accessToken: string;
      refreshToken: string;
    };
    const replay = await post('/api/v1/borrower/token', { refreshToken: tokens.refreshToken });
    expect(replay.json).toMatchObject({ status: 401, code: 'unauthenticated' });
    // The legitimate holder's newer tokens are dead too: one of the two parties was an attacker.
    expect(
      (
        await http(server.baseUrl, 'GET', '/api/v1/borrower/me', {
          headers: { authorization: `Bearer ${rotated.accessToken}` },
        })
      ).status,
    ).toBe(401);
    expect((await post('/api/v1/borrower/token', { refreshToken: rotated.refreshToken })).status).toBe(401);
  });

  it('logout ends the login', async () => {
    const tokens = await login(randomPhone());
    const headers = { authorization: `Bearer ${tokens.accessToken}` };
    expect((await http(server.baseUrl, 'POST', '/api/v1/borrower/logout', { headers })).status).toBe(200);
    expect((await http(server.baseUrl, 'GET', '/api/v1/borrower/me', { headers })).status).toBe(401);
    expect((await post('/api/v1/borrower/token', { refreshToken: tokens.refreshToken })).status).toBe(401);
  });
});
