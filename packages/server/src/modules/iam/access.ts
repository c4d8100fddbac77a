import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../../platform/config.ts';
import type { DB } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { AccessControl } from '../../platform/http/register.ts';
import type { Caller, Permission, RouteDefinition } from '../../platform/http/route.ts';
import { authenticateBorrower } from './borrowers.ts';
import { hasSignatureHeaders, verifySignedRequest } from './partners.ts';
import { callerPermissions, isCallerPermission, type PermissionRegistry } from './permissions.ts';
import { authenticateStaff } from './sessions.ts';
import { csrfHeaderName, csrfTokenMatches, sessionCookieName } from './tokens.ts';

// The access control of `fenqi serve` (docs/architecture.md invariant 6, OWASP API2/API5:2023). For each
// request it identifies the caller by exactly one credential —
//   staff:    the session cookie (plus X-CSRF-Token on anything but GET)
//   borrower: Authorization: Bearer <access token>
//   merchant/funder: an HMAC-signed request (partners.ts)
// — and checks the route's declared permission: `public` needs nothing; `staff:self`,
// `borrower:self` and `partner:self` need that kind of caller; any other permission needs a staff
// user whose roles grant it. Everything else is refused: 401 without a valid credential, 403
// without the permission. Object-level scoping (a borrower's own rows) is scope.ts.

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, decided before validation (see install below). */
    fenqiCaller?: Caller;
  }
}

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0) continue;
    if (part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return undefined;
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const match = /^Bearer ([A-Za-z0-9_-]{8,200})$/.exec(header);
  return match?.[1] ?? '';
}

/** Routes whose permission no module declares (start-up refuses them). */
export function unknownPermissions(
  registry: PermissionRegistry,
  routes: readonly RouteDefinition[],
): string[] {
  return routes
    .filter((route) => !route.permission || !registry.isKnown(route.permission))
    .map((route) => `${route.method} ${route.url} (${route.permission || 'none'})`);
}

export function createIamAccessControl(options: {
  db: DB;
  config: Config;
  permissions: PermissionRegistry;
}): AccessControl {
  const { db, config, permissions } = options;

  async function identify(request: FastifyRequest): Promise<{ caller: Caller; passwordMustChange: boolean }> {
    const bearer = bearerToken(request);
    const signed = hasSignatureHeaders(request);
    const cookie = readCookie(request, sessionCookieName);
    const presented = [bearer !== undefined, signed, cookie !== undefined].filter(Boolean).length;
    if (presented === 0)
      throw new AppError(
        'unauthenticated',
        'Sign in first: this needs a session, an access token or a signed request.',
      );
    // One credential per request: mixing them would make it ambiguous whose rights apply.
    if (presented > 1)
      throw new AppError(
        'unauthenticated',
        'Send exactly one credential (cookie, bearer token or signature), not several.',
      );

    if (bearer !== undefined) {
      const principal = bearer === '' ? undefined : await authenticateBorrower(db, bearer);
      if (principal === 'expired')
        throw new AppError('token_expired', 'The access token has expired; use the refresh token.');
      if (!principal) throw new AppError('unauthenticated', 'The access token is not valid.');
      const caller: Caller = {
        kind: 'borrower',
        id: principal.borrowerId,
        permissions: new Set(['borrower:self']),
        credentialId: principal.sessionId,
      };
      return { caller, passwordMustChange: false };
    }
    if (signed) {
      const principal = await verifySignedRequest(
        db,
        config,
        request,
        request.fenqiRawBody ?? Buffer.alloc(0),
      );
      const caller: Caller = {
        kind: principal.ownerKind,
        id: principal.ownerId,
        permissions: new Set(['partner:self']),
        credentialId: principal.clientId,
      };
      return { caller, passwordMustChange: false };
    }
    const principal =
      cookie === undefined || cookie === ''
        ? undefined
        : await authenticateStaff(db, config, permissions, cookie);
    if (!principal || cookie === undefined)
      throw new AppError('unauthenticated', 'The session has expired or was ended. Sign in again.');
    if (!safeMethods.has(request.method)) {
      const presentedCsrf = request.headers[csrfHeaderName];
      if (!csrfTokenMatches(config, cookie, typeof presentedCsrf === 'string' ? presentedCsrf : undefined)) {
        throw new AppError(
          'csrf_token_invalid',
          `Send the session's CSRF token in the ${csrfHeaderName} header.`,
        );
      }
    }
    const caller: Caller = {
      kind: 'staff',
      id: principal.userId,
      permissions: new Set([...principal.permissions, 'staff:self']),
      credentialId: principal.sessionId,
    };
    return { caller, passwordMustChange: principal.passwordMustChange };
  }

  async function decide(request: FastifyRequest, permission: Permission): Promise<Caller> {
    if (permission === 'public') return { kind: 'anonymous', id: 'anonymous' };
    const { caller, passwordMustChange } = await identify(request);
    if (isCallerPermission(permission)) {
      const kinds: readonly string[] = callerPermissions[permission].kinds;
      if (!kinds.includes(caller.kind))
        throw new AppError('forbidden', `This is for ${kinds.join(' or ')} callers only.`);
      return caller;
    }
    if (caller.kind !== 'staff')
      throw new AppError('forbidden', `This needs the staff permission ${permission}.`);
    if (passwordMustChange) {
      throw new AppError(
        'password_change_required',
        'Change the one-time password first (POST /api/v1/staff/password).',
      );
    }
    if (!caller.permissions?.has(permission))
      throw new AppError('forbidden', `This needs the permission ${permission}.`);
    return caller;
  }

  return {
    openApi: {
      schemes: {
        staffSession: {
          type: 'apiKey',
          in: 'cookie',
          name: sessionCookieName,
          description: 'The staff session cookie set by POST /api/v1/staff/login (password and TOTP).',
        },
        csrfToken: {
          type: 'apiKey',
          in: 'header',
          name: 'X-CSRF-Token',
          description: "The session's CSRF token (from login or GET /api/v1/staff/session), on every write.",
        },
        borrowerBearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'A borrower access token from POST /api/v1/borrower/login.',
        },
        partnerSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'X-Fenqi-Signature',
          description:
            'An HMAC-SHA256 request signature, with X-Fenqi-Key, X-Fenqi-Timestamp and X-Fenqi-Nonce (docs/security.md, "Signed requests").',
        },
      },
      requirement: (route) => {
        if (route.permission === 'public') return [];
        if (route.permission === 'borrower:self') return [{ borrowerBearer: [] }];
        if (route.permission === 'partner:self') return [{ partnerSignature: [] }];
        return safeMethods.has(route.method) ? [{ staffSession: [] }] : [{ staffSession: [], csrfToken: [] }];
      },
    },

    install(app: FastifyInstance) {
      // Authorize before validating: a caller without access learns nothing about a route's
      // schema from validation errors, and 401/403 does not depend on the body sent.
      app.addHook('preValidation', async (request) => {
        const permission = (request.routeOptions.config as { permission?: Permission } | undefined)
          ?.permission;
        if (permission === undefined || permission === 'public') return;
        request.fenqiCaller = await decide(request, permission);
      });
    },

    async authorize(request, route) {
      return request.fenqiCaller ?? decide(request, route.permission);
    },
  };
}
