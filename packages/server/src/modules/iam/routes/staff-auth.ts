import { AppError } from '../../../platform/errors.ts';
import { originOf } from '../../../platform/http/origin.ts';
import { type Caller, computeRoute, queryRoute } from '../../../platform/http/route.ts';
import { readCookie } from '../access.ts';
import { actorOf, appendAudit } from '../audit.ts';
import { changePassword, loginStaff } from '../login.ts';
import { rolesOfUser } from '../roles.ts';
import * as s from '../schemas.ts';
import { authenticateStaff, revokeSession, revokeUserSessions } from '../sessions.ts';
import { csrfTokenFor, sessionCookieName } from '../tokens.ts';
import { staffIdentity } from '../users.ts';
import { type IamRegistries, noStore } from './context.ts';

// Staff sign-in, session and password. Login, logout and the password change are POSTs *without*
// an Idempotency-Key (computeRoute, each opening its own transaction): a stored idempotent
// response would keep a live session token in the database in clear, and a replay would hand it
// out again. They are safe to retry as they are: a retried login is a new login, a retried logout
// finds nothing left to end. docs/security.md records this decision.

function sessionCookie(token: string, maxAgeSeconds: number): string {
  // __Host- prefix: Secure, Path=/ and no Domain, so no subdomain can set or overwrite it.
  return `${sessionCookieName}=${token}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`;
}

export function sessionIdOf(caller: Caller): string {
  if (caller.credentialId === undefined) throw new Error('an authenticated caller without a credential id');
  return caller.credentialId;
}

/** A thrown lockout carries its wait: say it in Retry-After too. */
function withRetryAfter<T>(
  reply: { header(name: string, value: string): unknown },
  work: Promise<T>,
): Promise<T> {
  return work.catch((error: unknown) => {
    const retry = error instanceof AppError ? error.extensions?.retryAfterSeconds : undefined;
    if (typeof retry === 'number') reply.header('retry-after', String(retry));
    throw error;
  });
}

export function staffAuthRoutes(iam: IamRegistries) {
  return [
    computeRoute({
      method: 'POST',
      url: '/api/v1/staff/login',
      permission: 'public',
      summary: 'Sign in as staff (password + second factor)',
      description:
        'Checks username, password and second factor together and answers invalid_credentials without saying which was wrong. Sets the session cookie (httpOnly, Secure, SameSite=Strict) and returns the CSRF token. Repeated failures lock the username with growing lockouts (account_locked). No Idempotency-Key: a login is never replayed.',
      tags: ['staff auth'],
      rateLimit: { max: 30, timeWindowMs: 60_000 },
      schema: { body: s.staffLoginBody, response: { 200: s.staffSession } },
      handler: async ({ body, request, reply, services }) => {
        const presented = readCookie(request, sessionCookieName);
        const issued = await withRetryAfter(
          reply,
          loginStaff(services.db, services.config, {
            username: body.username,
            password: body.password,
            secondFactor: body.secondFactor,
            presentedToken: presented === '' ? undefined : presented,
            origin: originOf(request),
          }),
        );
        return {
          status: 200,
          headers: {
            ...noStore,
            'set-cookie': sessionCookie(
              issued.sessionToken,
              (issued.absoluteExpiresAt.getTime() - Date.now()) / 1000,
            ),
          },
          body: {
            user: await staffIdentity(services.db, issued.userId),
            csrfToken: issued.csrfToken,
            expiresAt: issued.absoluteExpiresAt,
            passwordMustChange: issued.passwordMustChange,
          },
        };
      },
    }),
    queryRoute({
      method: 'GET',
      url: '/api/v1/staff/session',
      permission: 'staff:self',
      summary: 'The current staff session: user, roles, permissions and CSRF token',
      tags: ['staff auth'],
      schema: { response: { 200: s.staffSessionDetail } },
      handler: async ({ request, db, services }) => {
        const token = readCookie(request, sessionCookieName) ?? '';
        const principal = await authenticateStaff(db, services.config, iam.permissions, token);
        if (!principal) throw new AppError('unauthenticated', 'The session has ended.');
        return {
          status: 200,
          headers: noStore,
          body: {
            user: { id: principal.userId, username: principal.username, displayName: principal.displayName },
            sessionId: principal.sessionId,
            csrfToken: csrfTokenFor(services.config, token),
            idleExpiresAt: principal.idleExpiresAt,
            expiresAt: principal.absoluteExpiresAt,
            passwordMustChange: principal.passwordMustChange,
            roles: await rolesOfUser(db, principal.userId),
            permissions: [...principal.permissions].sort(),
          },
        };
      },
    }),
    computeRoute({
      method: 'POST',
      url: '/api/v1/staff/logout',
      permission: 'staff:self',
      summary: 'End this session',
      tags: ['staff auth'],
      schema: { response: { 200: s.loggedOut } },
      handler: async ({ caller, request, services }) => {
        await services.db.transaction().execute(async (trx) => {
          await revokeSession(trx, sessionIdOf(caller), 'logout');
          await appendAudit(trx, services.config.secrets.auditKey, {
            actor: actorOf(caller),
            action: 'iam.logout',
            subject: { type: 'staff-session', id: sessionIdOf(caller) },
            origin: originOf(request),
          });
        });
        return { status: 200, headers: { 'set-cookie': sessionCookie('', 0) }, body: { sessionsRevoked: 1 } };
      },
    }),
    computeRoute({
      method: 'POST',
      url: '/api/v1/staff/logout-everywhere',
      permission: 'staff:self',
      summary: 'End every session of the signed-in user, on every device',
      tags: ['staff auth'],
      schema: { response: { 200: s.loggedOut } },
      handler: async ({ caller, request, services }) => {
        const sessionsRevoked = await services.db.transaction().execute(async (trx) => {
          const count = await revokeUserSessions(trx, caller.id, 'logout-everywhere');
          await appendAudit(trx, services.config.secrets.auditKey, {
            actor: actorOf(caller),
            action: 'iam.logout-everywhere',
            subject: { type: 'staff-user', id: caller.id },
            origin: originOf(request),
            details: { sessionsRevoked: count },
          });
          return count;
        });
        return { status: 200, headers: { 'set-cookie': sessionCookie('', 0) }, body: { sessionsRevoked } };
      },
    }),
    computeRoute({
      method: 'POST',
      url: '/api/v1/staff/password',
      permission: 'staff:self',
      summary: 'Change the password (ends every other session)',
      description:
        'Policy: 12–128 characters, not a common password, not containing the username. The current password is checked under a per-account throttle: after STAFF_LOGIN_FAILURES_MAX wrong guesses the check is locked with growing lockouts (account_locked), and every failure is audited. No Idempotency-Key: the request body holds passwords, and no fingerprint of it is stored.',
      tags: ['staff auth'],
      rateLimit: { max: 10, timeWindowMs: 60_000 },
      schema: { body: s.passwordChangeBody, response: { 200: s.passwordChanged } },
      handler: async ({ caller, body, request, reply, services }) => ({
        status: 200,
        body: await withRetryAfter(
          reply,
          changePassword(
            services.db,
            services.config,
            { userId: caller.id, sessionId: sessionIdOf(caller) },
            {
              currentPassword: body.currentPassword,
              newPassword: body.newPassword,
              origin: originOf(request),
            },
          ),
        ),
      }),
    }),
  ];
}
