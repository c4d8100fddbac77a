import { createHash, randomInt } from 'node:crypto';
import { generate, generateSecret, generateURI, verify } from 'otplib';

// The staff second factor: TOTP (RFC 6238, 6 digits, 30 s, SHA-1 — what every authenticator app
// speaks) with one step of clock drift either way, and single-use recovery codes. A code is
// accepted once: the last accepted time step is stored and nothing at or before it passes again.

export const totpIssuer = 'Fenqi';
const periodSeconds = 30;

export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export function totpUri(username: string, secret: string): string {
  return generateURI({ issuer: totpIssuer, label: username, secret });
}

/** The code for a time (tests and the first-admin bootstrap's self-check). */
export function totpCode(secret: string, epochSeconds = Math.floor(Date.now() / 1000)): Promise<string> {
  return generate({ secret, epoch: epochSeconds });
}

/** The time step a code matched, or undefined. Codes at or before `lastStep` are replays. */
export async function checkTotp(secret: string, code: string, lastStep: bigint): Promise<bigint | undefined> {
  if (!/^\d{6}$/.test(code)) return undefined;
  const result = await verify({
    secret,
    token: code,
    epochTolerance: periodSeconds,
    afterTimeStep: Number(lastStep),
  }).catch(() => ({ valid: false as const }));
  // otplib's result type covers HOTP too; a TOTP match carries the time step it matched.
  if (!result.valid || !('timeStep' in result) || typeof result.timeStep !== 'number') return undefined;
  return BigInt(result.timeStep);
}

const recoveryAlphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
export const recoveryCodesCount = 10;

/** Ten codes of 16 characters from a 31-letter alphabet (79 bits each), shown once. */
export function newRecoveryCodes(): string[] {
  return Array.from({ length: recoveryCodesCount }, () => {
    const chars = Array.from({ length: 16 }, () => recoveryAlphabet[randomInt(recoveryAlphabet.length)]).join(
      '',
    );
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}-${chars.slice(12, 16)}`;
  });
}

export function isRecoveryCodeShape(code: string): boolean {
  return /^[a-z0-9]{4}(-[a-z0-9]{4}){3}$/.test(code.trim().toLowerCase());
}

/** Recovery codes have enough entropy that a plain SHA-256 resists offline guessing. */
export function recoveryCodeHash(code: string): string {
  return createHash('sha256').update(code.trim().toLowerCase()).digest('hex');
}
