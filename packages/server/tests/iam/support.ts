import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { wholeSchema } from '../../src/modules/database.ts';
import { requestOtp, verifyOtpAndLogin } from '../../src/modules/iam/borrowers.ts';
import { loginStaff } from '../../src/modules/iam/login.ts';
import { createApiClient, signRequest } from '../../src/modules/iam/partners.ts';
import { sessionCookieName } from '../../src/modules/iam/tokens.ts';
import { totpCode } from '../../src/modules/iam/totp.ts';
import { createStaffUser } from '../../src/modules/iam/users.ts';
import type { Config } from '../../src/platform/config.ts';
import type { DB } from '../../src/platform/db.ts';
import type { TestDatabase } from '../support/db.ts';
import { type HttpResult, http, startTestServer, type TestServer } from '../support/server.ts';

// Factories for IAM tests: staff users with known passwords and roles, borrower logins, merchant
// API clients and signed requests. They call the services, as the tests of a module should.

export function startIamServer(
  database: TestDatabase,
  env: Record<string, string> = {},
): Promise<TestServer> {
  return startTestServer(database, { accessControl: 'iam', env });
}

export const staffPassword = 'correct horse battery staple';

export type StaffUser = {
  id: string;
  username: string;
  password: string;
  totpSecret: string;
  recoveryCodes: string[];
};

export async function createStaff(
  db: DB,
  config: Config,
  roles: string[],
  username = `u${randomBytes(5).toString('hex')}`,
): Promise<StaffUser> {
  const created = await db.transaction().execute((trx) =>
    createStaffUser(trx, config, {
      username,
      displayName: username,
      actor: { kind: 'system', id: 'test' },
      origin: undefined,
    }),
  );
  const { hashPassword } = await import('../../src/modules/iam/passwords.ts');
  await wholeSchema(db)
    .updateTable('staff_users')
    .set({ password_hash: await hashPassword(staffPassword), password_must_change: false })
    .where('id', '=', created.user.id)
    .execute();
  if (roles.length > 0) {
    await wholeSchema(db)
      .insertInto('staff_user_roles')
      .values(roles.map((role) => ({ user_id: created.user.id, role })))
      .execute();
  }
  return {
    id: created.user.id,
    username,
    password: staffPassword,
    totpSecret: created.totpSecret,
    recoveryCodes: created.recoveryCodes,
  };
}

/** A fresh TOTP code: the replay guard is reset first, since tests sign in many times a minute. */
export async function freshTotp(db: DB, user: StaffUser): Promise<string> {
  await wholeSchema(db)
    .updateTable('staff_users')
    .set({ totp_last_step: 0n })
    .where('id', '=', user.id)
    .execute();
  return totpCode(user.totpSecret);
}

export type StaffCredentials = {
  cookie: string;
  csrf: string;
  headers: (write?: boolean) => Record<string, string>;
};

function staffCredentials(token: string, csrf: string): StaffCredentials {
  const cookie = `${sessionCookieName}=${token}`;
  const headers = (write = true): Record<string, string> =>
    write ? { cookie, 'x-csrf-token': csrf } : { cookie };
  return { cookie, csrf, headers };
}

/** Signs in through the service (no HTTP rate limit): for tests whose subject is not login. */
export async function signIn(db: DB, config: Config, user: StaffUser): Promise<StaffCredentials> {
  const session = await loginStaff(db, config, {
    username: user.username,
    password: user.password,
    secondFactor: await freshTotp(db, user),
    presentedToken: undefined,
    origin: { ip: '127.0.0.1', requestId: null },
  });
  return staffCredentials(session.sessionToken, session.csrfToken);
}

/** Signs in over HTTP and reads the cookie the server set. */
export async function signInOverHttp(
  server: TestServer,
  db: DB,
  user: StaffUser,
  headers: Record<string, string> = {},
) {
  const response = await http(server.baseUrl, 'POST', '/api/v1/staff/login', {
    body: { username: user.username, password: user.password, secondFactor: await freshTotp(db, user) },
    headers,
  });
  return { response, credentials: credentialsFrom(response) };
}

export function credentialsFrom(response: HttpResult): StaffCredentials | undefined {
  const setCookie = response.headers.get('set-cookie') ?? '';
  const match = new RegExp(`${sessionCookieName.replace(/[-_]/g, '\\$&')}=([^;]*)`).exec(setCookie);
  const csrf = (response.json as { csrfToken?: string } | undefined)?.csrfToken;
  if (!match?.[1] || csrf === undefined) return undefined;
  return staffCredentials(match[1], csrf);
}

export function randomPhone(): string {
  return `13${String(randomInt(0, 1_000_000_000)).padStart(9, '0')}`;
}

/** A borrower signed in through the services, with the code taken from a capturing SMS sender. */
export async function signInBorrower(db: DB, config: Config, phone = randomPhone()) {
  let code = '';
  await requestOtp(
    db,
    config,
    {
      async sendLoginCode(_phone, sent) {
        code = sent;
      },
    },
    {
      phone,
      origin: { ip: `10.${randomInt(0, 255)}.${randomInt(0, 255)}.${randomInt(1, 255)}`, requestId: null },
    },
  );
  const tokens = await verifyOtpAndLogin(db, config, {
    phone,
    code,
    origin: { ip: '127.0.0.1', requestId: null },
  });
  return { phone, ...tokens, headers: { authorization: `Bearer ${tokens.accessToken}` } };
}

export async function createMerchantClient(
  db: DB,
  config: Config,
  ownerId = `m${randomBytes(4).toString('hex')}`,
) {
  return db.transaction().execute((trx) =>
    createApiClient(trx, config, {
      ownerKind: 'merchant',
      ownerId,
      name: `${ownerId} checkout`,
      actor: { kind: 'staff', id: randomUUID() },
      origin: { ip: null, requestId: null },
    }),
  );
}

export function signedHeaders(
  client: { keyId: string; secret: string },
  method: string,
  path: string,
  body: string,
  options: { timestamp?: number; nonce?: string } = {},
): Record<string, string> {
  const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
  const nonce = options.nonce ?? randomBytes(16).toString('hex');
  return {
    'x-fenqi-key': client.keyId,
    'x-fenqi-timestamp': timestamp,
    'x-fenqi-nonce': nonce,
    'x-fenqi-signature': signRequest(client.secret, { method, path, timestamp, nonce, body }),
  };
}

export async function auditActions(db: DB, subjectId: string): Promise<string[]> {
  const rows = await sql<{
    action: string;
  }>`SELECT action FROM audit_log WHERE subject_id = ${subjectId} ORDER BY seq`.execute(db);
  return rows.rows.map((row) => row.action);
}
