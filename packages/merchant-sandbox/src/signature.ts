import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// Fenqi's request signature (docs/merchant-integration.md, "Signing a request"), written here from
// the documentation as any merchant would write it: the sandbox shares no code with Fenqi.
//
//   string to sign = "FENQI-HMAC-SHA256\n" + METHOD + "\n" + path?query as sent + "\n"
//                    + timestamp + "\n" + nonce + "\n" + hex SHA-256 of the raw body bytes
//   X-Fenqi-Signature: v1=<hex HMAC-SHA256(secret, string to sign)>
//
// The same scheme signs Fenqi's webhooks to us, in the other direction.

export type SignedParts = {
  method: string;
  /** The path with its query, exactly as it travels (percent-encoded). */
  path: string;
  timestamp: string;
  nonce: string;
  body: string | Buffer;
};

export function stringToSign(parts: SignedParts): string {
  const bodyHash = createHash('sha256').update(parts.body).digest('hex');
  return [
    'FENQI-HMAC-SHA256',
    parts.method.toUpperCase(),
    parts.path,
    parts.timestamp,
    parts.nonce,
    bodyHash,
  ].join('\n');
}

export function signature(secret: string, parts: SignedParts): string {
  return `v1=${createHmac('sha256', secret).update(stringToSign(parts)).digest('hex')}`;
}

/** Whether the presented signature is the one the secret gives, compared in constant time. */
export function signatureMatches(secret: string, presented: string, parts: SignedParts): boolean {
  const expected = Buffer.from(signature(secret, parts));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** 32 hex characters: within the 16–64 of [A-Za-z0-9_-] Fenqi accepts, and never reused. */
export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

export const noncePattern = /^[A-Za-z0-9_-]{16,64}$/;
export const signaturePattern = /^v1=[0-9a-f]{64}$/;
