import { randomUUID } from 'node:crypto';
import type { Config } from '../../platform/config.ts';
import type { DB, Tx } from '../../platform/db.ts';
import type { Origin } from '../../platform/http/origin.ts';
import type { PermissionRegistry } from './permissions.ts';
import { permissionsOfUser } from './roles.ts';
import * as store from './store.ts';
import { csrfTokenFor, newToken, tokenHash } from './tokens.ts';

// Staff sessions (ASVS 5.0 V7): a random 256-bit token in an httpOnly, Secure, SameSite=Strict
// cookie; the database keeps only its SHA-256, with idle and absolute expiry. Login always issues
// a new token and revokes the one presented (no session fixation).

/** The idle expiry slides at most once a minute per session: a write per request would be waste. */
const sessionTouchSeconds = 60;

export type StaffSessionIssued = {
  sessionId: string;
  sessionToken: string;
  csrfToken: string;
  userId: string;
  absoluteExpiresAt: Date;
  passwordMustChange: boolean;
};

export async function issueSession(
  trx: Tx,
  config: Config,
  userId: string,
  origin: Origin,
): Promise<StaffSessionIssued> {
  const sessionToken = newToken();
  const id = randomUUID();
  const { absoluteExpiresAt } = await store.insertStaffSession(trx, {
    id,
    tokenHash: tokenHash(sessionToken),
    userId,
    idleMinutes: config.staffSessionIdleMinutes,
    absoluteHours: config.staffSessionAbsoluteHours,
    ip: origin.ip,
    userAgent: origin.userAgent?.slice(0, 300) ?? null,
  });
  return {
    sessionId: id,
    sessionToken,
    csrfToken: csrfTokenFor(config, sessionToken),
    userId,
    absoluteExpiresAt,
    passwordMustChange: false,
  };
}

export type StaffPrincipal = {
  userId: string;
  username: string;
  displayName: string;
  sessionId: string;
  passwordMustChange: boolean;
  idleExpiresAt: Date;
  absoluteExpiresAt: Date;
  permissions: Set<string>;
};

/** The signed-in user behind a session token, or undefined if it is unknown, expired or revoked. */
export async function authenticateStaff(
  db: DB,
  config: Config,
  registry: PermissionRegistry,
  token: string,
): Promise<StaffPrincipal | undefined> {
  const row = await store.findLiveStaffSession(db, tokenHash(token), sessionTouchSeconds);
  if (!row) return undefined;
  const idleExpiresAt = row.stale
    ? ((await store.touchStaffSession(db, row.sessionId, config.staffSessionIdleMinutes)) ??
      row.idle_expires_at)
    : row.idle_expires_at;
  return {
    userId: row.userId,
    username: row.username,
    displayName: row.display_name,
    sessionId: row.sessionId,
    passwordMustChange: row.password_must_change,
    idleExpiresAt,
    absoluteExpiresAt: row.absolute_expires_at,
    permissions: await permissionsOfUser(db, registry, row.userId),
  };
}

export async function revokeSession(trx: Tx, sessionId: string, reason: string): Promise<void> {
  await store.revokeStaffSessions(trx, { sessionId }, reason);
}

/** Revokes every live session of a user, except `keep`; returns how many. */
export async function revokeUserSessions(
  trx: Tx,
  userId: string,
  reason: string,
  keep?: string,
): Promise<number> {
  return store.revokeStaffSessions(trx, { userId, except: keep }, reason);
}
