import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { maskPhone } from '../../platform/crypto/masking.ts';
import { AppError } from '../../platform/errors.ts';
import type { Module } from '../../platform/http/app.ts';
import { type Caller, commandRoute, computeRoute, queryRoute } from '../../platform/http/route.ts';
import { readCookie } from './access.ts';
import { registerIamApprovalActions } from './actions.ts';
import {
  approvalActions,
  approvalJson,
  decideApproval,
  findApproval,
  listApprovals,
  requestApproval,
  staffOf,
} from './approvals.ts';
import { actorOf, appendAudit, verifyAuditChain } from './audit.ts';
import { listAuditEvents } from './audit-events.ts';
import {
  borrowerPhone,
  refreshBorrowerTokens,
  requestOtp,
  revokeBorrowerSession,
  verifyOtpAndLogin,
} from './borrowers.ts';
import {
  createApiClient,
  findOwnApiClient,
  listApiClients,
  listOwnApiClients,
  revokeApiClient,
} from './partners.ts';
import { callerPermissions, isBuiltInRole, staffPermissions } from './permissions.ts';
import { listRoles, rolesOfUser } from './roles.ts';
import * as s from './schemas.ts';
import { borrowerScope, partnerScope } from './scope.ts';
import { smsSenderFor } from './sms.ts';
import {
  authenticateStaff,
  changePassword,
  createStaffUser,
  csrfTokenFor,
  disableStaffUser,
  listStaffUsers,
  loginStaff,
  type Origin,
  revokeSession,
  revokeUserSessions,
  sessionCookieName,
} from './staff.ts';

// Login, logout, token and secret-issuing routes are POSTs *without* an Idempotency-Key
// (computeRoute, each opening its own transaction): a stored idempotent response would keep a live
// session token, access token, one-time password or API secret in the database in clear, and a
// replay of the same key would hand the same credential out again. They are safe to retry as they
// are: a retried login is a new login, a retried logout finds nothing left to end, a retried user
// or key creation makes another one (an unused one is disabled or revoked). Every other write is
// a commandRoute with the usual Idempotency-Key. docs/security.md records this decision.

registerIamApprovalActions();

const noStore = { 'cache-control': 'no-store' };

function originOf(request: FastifyRequest): Origin {
  const userAgent = request.headers['user-agent'];
  return {
    ip: request.ip,
    requestId: request.id,
    userAgent: typeof userAgent === 'string' ? userAgent : null,
  };
}

function sessionCookie(token: string, maxAgeSeconds: number): string {
  // __Host- prefix: Secure, Path=/ and no Domain, so no subdomain can set or overwrite it.
  return `${sessionCookieName}=${token}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`;
}

function sessionIdOf(caller: Caller): string {
  if (caller.credentialId === undefined) throw new Error('an authenticated caller without a credential id');
  return caller.credentialId;
}

const iso = (date: Date) => date.toISOString();
const isoOrNull = (date: Date | null) => (date === null ? null : date.toISOString());

const staffRoutes = [
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
      let issued: Awaited<ReturnType<typeof loginStaff>>;
      try {
        issued = await loginStaff(services.db, services.config, {
          username: body.username,
          password: body.password,
          secondFactor: body.secondFactor,
          presentedToken: presented === '' ? undefined : presented,
          origin: originOf(request),
        });
      } catch (error) {
        const retry = error instanceof AppError ? error.extensions?.retryAfterSeconds : undefined;
        if (typeof retry === 'number') reply.header('retry-after', String(retry));
        throw error;
      }
      const user = await services.db
        .selectFrom('staff_users')
        .select(['id', 'username', 'display_name'])
        .where('id', '=', issued.userId)
        .executeTakeFirstOrThrow();
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
          user: { id: user.id, username: user.username, displayName: user.display_name },
          csrfToken: issued.csrfToken,
          expiresAt: iso(issued.absoluteExpiresAt),
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
      const principal = await authenticateStaff(db, services.config, token);
      if (!principal) throw new AppError('unauthenticated', 'The session has ended.');
      return {
        status: 200,
        headers: noStore,
        body: {
          user: { id: principal.userId, username: principal.username, displayName: principal.displayName },
          sessionId: principal.sessionId,
          csrfToken: csrfTokenFor(services.config, token),
          idleExpiresAt: iso(principal.idleExpiresAt),
          expiresAt: iso(principal.absoluteExpiresAt),
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
      'Policy: 12–128 characters, not a common password, not containing the username. No Idempotency-Key: the request body holds passwords, and no fingerprint of it is stored.',
    tags: ['staff auth'],
    rateLimit: { max: 10, timeWindowMs: 60_000 },
    schema: { body: s.passwordChangeBody, response: { 200: s.passwordChanged } },
    handler: async ({ caller, body, request, services }) => {
      const username = await services.db
        .selectFrom('staff_users')
        .select('username')
        .where('id', '=', caller.id)
        .executeTakeFirstOrThrow();
      const result = await services.db.transaction().execute((trx) =>
        changePassword(
          trx,
          services.config,
          { userId: caller.id, username: username.username, sessionId: sessionIdOf(caller) },
          {
            currentPassword: body.currentPassword,
            newPassword: body.newPassword,
            origin: originOf(request),
          },
        ),
      );
      return { status: 200, body: result };
    },
  }),
];

const adminRoutes = [
  queryRoute({
    method: 'GET',
    url: '/api/v1/iam/permissions',
    permission: 'iam:read',
    summary: 'Every permission a route can require',
    tags: ['iam'],
    schema: { response: { 200: z.array(s.permissionView) } },
    handler: async () => ({
      status: 200,
      body: [
        ...Object.entries(staffPermissions).map(([name, spec]) => ({
          name,
          ...spec,
          grantedTo: 'roles' as const,
        })),
        ...Object.entries(callerPermissions).map(([name, spec]) => ({
          name,
          description: spec.description,
          readOnly: false,
          sensitive: false,
          grantedTo: 'caller-kind' as const,
        })),
      ],
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/iam/roles',
    permission: 'iam:read',
    summary: 'Built-in and custom roles with their permissions',
    tags: ['iam'],
    schema: { response: { 200: z.array(s.roleView) } },
    handler: async ({ db }) => ({ status: 200, body: await listRoles(db) }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/iam/roles',
    permission: 'iam:roles-request',
    summary: 'Ask for a custom role to be created or redefined (maker-checker)',
    tags: ['iam'],
    schema: { body: s.roleDefinitionBody, response: { 201: s.approvalView } },
    handler: async ({ trx, caller, body, request, services }) => {
      if (isBuiltInRole(body.name))
        throw new AppError(
          'role_built_in',
          `${body.name} is a built-in role; its permissions are defined in code.`,
        );
      const view = await requestApproval(trx, services.config, {
        action: 'iam.define-role',
        payload: { name: body.name, description: body.description, permissions: body.permissions },
        reason: body.reason,
        maker: staffOf(caller),
        origin: originOf(request),
      });
      return { status: 201, body: approvalJson(view) };
    },
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/iam/users',
    permission: 'iam:read',
    summary: 'Staff users and their roles',
    tags: ['iam'],
    schema: { response: { 200: z.array(s.staffUserView) } },
    handler: async ({ db }) => ({
      status: 200,
      body: (await listStaffUsers(db)).map((user) => ({ ...user, createdAt: iso(user.createdAt) })),
    }),
  }),
  computeRoute({
    method: 'POST',
    url: '/api/v1/iam/users',
    permission: 'iam:users-manage',
    summary: 'Create a staff user (one-time password, TOTP secret and recovery codes shown once)',
    description:
      'The new user has no roles: ask for them with POST /api/v1/iam/users/{userId}/role-changes. No Idempotency-Key: the response carries secrets that are never stored in clear; a retry creates another user (disable the unused one).',
    tags: ['iam'],
    schema: { body: s.createStaffUserBody, response: { 201: s.newStaffUser } },
    handler: async ({ caller, body, request, services }) => {
      const created = await services.db.transaction().execute((trx) =>
        createStaffUser(trx, services.config, {
          ...body,
          actor: actorOf(caller),
          origin: originOf(request),
        }),
      );
      return { status: 201, headers: noStore, body: created };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/iam/users/:userId/disable',
    permission: 'iam:users-manage',
    summary: 'Disable a staff user and end their sessions',
    tags: ['iam'],
    schema: { params: z.object({ userId: s.uuidParam }), response: { 200: s.staffUserView } },
    handler: async ({ trx, caller, params, request, services }) => {
      await disableStaffUser(trx, services.config, params.userId, actorOf(caller), originOf(request));
      const users = await listStaffUsers(trx);
      const user = users.find((candidate) => candidate.id === params.userId);
      if (!user) throw new Error('disabled user vanished');
      return { status: 200, body: { ...user, createdAt: iso(user.createdAt) } };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/iam/users/:userId/role-changes',
    permission: 'iam:roles-request',
    summary: "Ask for a staff user's roles to be replaced (maker-checker)",
    tags: ['iam'],
    schema: {
      params: z.object({ userId: s.uuidParam }),
      body: s.roleChangeBody,
      response: { 201: s.approvalView },
    },
    handler: async ({ trx, caller, params, body, request, services }) => {
      const view = await requestApproval(trx, services.config, {
        action: 'iam.set-user-roles',
        payload: { userId: params.userId, roles: body.roles },
        reason: body.reason,
        maker: staffOf(caller),
        origin: originOf(request),
      });
      return { status: 201, body: approvalJson(view) };
    },
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/iam/api-clients',
    permission: 'iam:read',
    summary: 'Merchant and funder API clients (never their secrets)',
    tags: ['iam'],
    schema: { response: { 200: z.array(s.apiClientView) } },
    handler: async ({ db }) => ({ status: 200, body: (await listApiClients(db)).map(apiClientBody) }),
  }),
  computeRoute({
    method: 'POST',
    url: '/api/v1/iam/api-clients',
    permission: 'api-clients:manage',
    summary: 'Issue an API key and signing secret for a merchant or funder (secret shown once)',
    description:
      'No Idempotency-Key: the secret is never stored in clear. A retry issues another key; revoke the unused one.',
    tags: ['iam'],
    schema: { body: s.createApiClientBody, response: { 201: s.newApiClient } },
    handler: async ({ caller, body, request, services }) => {
      const created = await services.db.transaction().execute((trx) =>
        createApiClient(trx, services.config, {
          ...body,
          actor: actorOf(caller),
          origin: originOf(request),
        }),
      );
      return { status: 201, headers: noStore, body: { ...created, createdAt: iso(created.createdAt) } };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/iam/api-clients/:clientId/revoke',
    permission: 'api-clients:manage',
    summary: 'Revoke an API key at once',
    tags: ['iam'],
    schema: { params: z.object({ clientId: s.uuidParam }), response: { 200: s.apiClientView } },
    handler: async ({ trx, caller, params, request, services }) => ({
      status: 200,
      body: apiClientBody(
        await revokeApiClient(trx, services.config, params.clientId, actorOf(caller), originOf(request)),
      ),
    }),
  }),
];

function apiClientBody(view: Awaited<ReturnType<typeof findOwnApiClient>>) {
  return {
    ...view,
    createdAt: iso(view.createdAt),
    revokedAt: isoOrNull(view.revokedAt),
    lastUsedAt: isoOrNull(view.lastUsedAt),
  };
}

/** POST /api/v1/approvals/{id}/approve|reject: the checker's decision, in one transaction. */
function decisionRoute(
  decision: 'approve' | 'reject',
  body: typeof s.decisionBody | typeof s.rejectionBody,
  text: { summary: string; description?: string },
) {
  return commandRoute({
    method: 'POST',
    url: `/api/v1/approvals/:requestId/${decision}`,
    permission: 'approvals:decide',
    ...text,
    tags: ['approvals'],
    schema: { params: z.object({ requestId: s.uuidParam }), body, response: { 200: s.approvalView } },
    handler: async ({ trx, caller, params, body: decisionInput, request, services }) => ({
      status: 200,
      body: approvalJson(
        await decideApproval(trx, services.config, {
          id: params.requestId,
          decision,
          note: decisionInput.note,
          checker: staffOf(caller),
          origin: originOf(request),
        }),
      ),
    }),
  });
}

const approvalRoutes = [
  queryRoute({
    method: 'GET',
    url: '/api/v1/approvals',
    permission: 'approvals:read',
    summary: 'Maker-checker requests, newest first',
    tags: ['approvals'],
    schema: { querystring: s.approvalListQuery, response: { 200: z.array(s.approvalView) } },
    handler: async ({ db, query }) => ({
      status: 200,
      body: (await listApprovals(db, query)).map(approvalJson),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/approvals/actions',
    permission: 'approvals:read',
    summary: 'The actions that go through maker-checker, with their maker and checker permissions',
    tags: ['approvals'],
    schema: { response: { 200: z.array(s.approvalActionView) } },
    handler: async () => ({
      status: 200,
      body: approvalActions().map((action) => ({
        name: action.name,
        summary: action.summary,
        makerPermission: action.makerPermission,
        checkerPermission: action.checkerPermission,
      })),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/approvals/:requestId',
    permission: 'approvals:read',
    summary: 'One maker-checker request',
    tags: ['approvals'],
    schema: { params: z.object({ requestId: s.uuidParam }), response: { 200: s.approvalView } },
    handler: async ({ db, params }) => ({
      status: 200,
      body: approvalJson(await findApproval(db, params.requestId)),
    }),
  }),
  decisionRoute('approve', s.decisionBody, {
    summary: "Approve a request: its action runs now, in this request's transaction",
    description: "Needs the action's checker permission, and a different user from the maker.",
  }),
  decisionRoute('reject', s.rejectionBody, { summary: 'Reject a request (its action never runs)' }),
];

const auditRoutes = [
  queryRoute({
    method: 'GET',
    url: '/api/v1/audit/events',
    permission: 'audit:read',
    summary: 'Audit events in chain order (page with afterSeq)',
    tags: ['audit'],
    schema: { querystring: s.auditListQuery, response: { 200: z.array(s.auditEventView) } },
    handler: async ({ db, query }) => ({ status: 200, body: await listAuditEvents(db, query) }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/audit/verification',
    permission: 'audit:read',
    summary: 'Verify the whole audit chain now (as `fenqi audit verify` does)',
    tags: ['audit'],
    schema: { response: { 200: s.auditVerification } },
    handler: async ({ db, services }) => {
      const result = await verifyAuditChain(db, services.config.secrets.auditKey);
      return {
        status: 200,
        body: result.ok
          ? { ok: true, rows: result.rows, head: result.head, brokenSeq: null, reason: null }
          : { ok: false, rows: result.rows, head: null, brokenSeq: result.brokenSeq, reason: result.reason },
      };
    },
  }),
];

function tokensBody(tokens: Awaited<ReturnType<typeof verifyOtpAndLogin>>) {
  return { ...tokens, tokenType: 'Bearer' as const };
}

const borrowerRoutes = [
  computeRoute({
    method: 'POST',
    url: '/api/v1/borrower/otp',
    permission: 'public',
    summary: 'Send a one-time sign-in code to a phone',
    description: `Codes live OTP_TTL_SECONDS and allow OTP_ATTEMPTS_MAX guesses; at most OTP_SENDS_PER_PHONE_MAX codes per phone and OTP_SENDS_PER_IP_MAX per client IP per hour (rate_limited). The answer is the same whether or not the phone has an account.`,
    tags: ['borrower auth'],
    rateLimit: { max: 10, timeWindowMs: 60_000 },
    schema: { body: s.otpRequestBody, response: { 202: s.otpRequested } },
    handler: async ({ body, request, services }) => ({
      status: 202,
      body: await requestOtp(services.db, services.config, smsSenderFor(services.config, services.logger), {
        phone: body.phone,
        origin: { ...originOf(request), ip: request.ip },
      }),
    }),
  }),
  computeRoute({
    method: 'POST',
    url: '/api/v1/borrower/login',
    permission: 'public',
    summary: 'Sign in with phone and one-time code: access and refresh tokens',
    description:
      'Creates the borrower account on first sign-in. No Idempotency-Key: tokens are never stored in clear.',
    tags: ['borrower auth'],
    rateLimit: { max: 30, timeWindowMs: 60_000 },
    schema: { body: s.borrowerLoginBody, response: { 200: s.borrowerTokens } },
    handler: async ({ body, request, services }) => ({
      status: 200,
      headers: noStore,
      body: tokensBody(
        await verifyOtpAndLogin(services.db, services.config, { ...body, origin: originOf(request) }),
      ),
    }),
  }),
  computeRoute({
    method: 'POST',
    url: '/api/v1/borrower/token',
    permission: 'public',
    summary: 'Exchange a refresh token for new tokens (the refresh token rotates)',
    tags: ['borrower auth'],
    rateLimit: { max: 60, timeWindowMs: 60_000 },
    schema: { body: s.refreshBody, response: { 200: s.borrowerTokens } },
    handler: async ({ body, request, services }) => ({
      status: 200,
      headers: noStore,
      body: tokensBody(
        await refreshBorrowerTokens(services.db, services.config, body.refreshToken, originOf(request)),
      ),
    }),
  }),
  computeRoute({
    method: 'POST',
    url: '/api/v1/borrower/logout',
    permission: 'borrower:self',
    summary: 'End this login (its access and refresh tokens)',
    tags: ['borrower auth'],
    schema: { response: { 200: s.loggedOut } },
    handler: async ({ caller, services }) => {
      await revokeBorrowerSession(services.db, sessionIdOf(caller), 'logout');
      return { status: 200, body: { sessionsRevoked: 1 } };
    },
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/borrower/me',
    permission: 'borrower:self',
    summary: 'The signed-in borrower account',
    tags: ['borrower auth'],
    schema: { response: { 200: s.borrowerMe } },
    handler: async ({ caller, db, services }) => {
      const scope = borrowerScope(caller);
      return {
        status: 200,
        body: {
          borrowerId: scope.borrowerId,
          phoneMasked: maskPhone(await borrowerPhone(db, services.config, scope.borrowerId)),
        },
      };
    },
  }),
];

const partnerRoutes = [
  queryRoute({
    method: 'GET',
    url: '/api/v1/partner/api-keys',
    permission: 'partner:self',
    summary: "The calling merchant's or funder's own API keys",
    tags: ['partner'],
    schema: { response: { 200: z.array(s.apiClientView) } },
    handler: async ({ caller, db }) => ({
      status: 200,
      body: (await listOwnApiClients(db, partnerScope(caller))).map(apiClientBody),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/partner/api-keys/:clientId',
    permission: 'partner:self',
    summary: "One of the caller's own API keys (another owner's is 404)",
    tags: ['partner'],
    schema: { params: z.object({ clientId: s.uuidParam }), response: { 200: s.apiClientView } },
    handler: async ({ caller, db, params }) => ({
      status: 200,
      body: apiClientBody(await findOwnApiClient(db, partnerScope(caller), params.clientId)),
    }),
  }),
];

export const iamModule: Module = {
  name: 'iam',
  routes: [
    ...staffRoutes,
    ...adminRoutes,
    ...approvalRoutes,
    ...auditRoutes,
    ...borrowerRoutes,
    ...partnerRoutes,
  ],
};
