import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Config } from '../../platform/config.ts';

// Credentials as random tokens. The database keeps only a token's SHA-256, so a copy of the
// tables signs nobody in. The CSRF token of a staff session is an HMAC of the session token under
// the session key: it needs no storage and dies with the session.

export const sessionCookieName = '__Host-fenqi_session';
export const csrfHeaderName = 'x-csrf-token';

export function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** 256 random bits, base64url. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

export function csrfTokenFor(config: Config, sessionToken: string): string {
  return createHmac('sha256', config.secrets.sessionKey)
    .update(`csrf\n${tokenHash(sessionToken)}`)
    .digest('base64url');
}

export function csrfTokenMatches(
  config: Config,
  sessionToken: string,
  presented: string | undefined,
): boolean {
  if (presented === undefined) return false;
  const expected = Buffer.from(csrfTokenFor(config, sessionToken));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
