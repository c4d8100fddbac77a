import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

// Fenqi's request signature, one scheme in both directions: partners (merchants, funders) sign
// their requests to Fenqi with it, and Fenqi signs the webhooks it sends them with it.
//
//   X-Fenqi-Timestamp:  1767225600            (Unix seconds)
//   X-Fenqi-Nonce:      16–64 of [A-Za-z0-9_-] (never reused within the window)
//   X-Fenqi-Signature:  v1=<hex HMAC-SHA256(secret, string to sign)>
//
//   string to sign = "FENQI-HMAC-SHA256\n" + METHOD + "\n" + path?query (as sent) + "\n"
//                    + timestamp + "\n" + nonce + "\n" + hex SHA-256 of the raw body bytes

export const signatureAlgorithm = 'FENQI-HMAC-SHA256';
export const noncePattern = /^[A-Za-z0-9_-]{16,64}$/;
export const signaturePattern = /^v1=[0-9a-f]{64}$/;

export function stringToSign(
  method: string,
  pathWithQuery: string,
  timestamp: string,
  nonce: string,
  body: Buffer | string,
): string {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  return `${signatureAlgorithm}\n${method.toUpperCase()}\n${pathWithQuery}\n${timestamp}\n${nonce}\n${bodyHash}`;
}

/** The signature header value for a request. */
export function signRequest(
  secret: string,
  request: { method: string; path: string; timestamp: string; nonce: string; body: Buffer | string },
): string {
  const mac = createHmac('sha256', secret).update(
    stringToSign(request.method, request.path, request.timestamp, request.nonce, request.body),
  );
  return `v1=${mac.digest('hex')}`;
}

/** Whether a presented signature is the one the secret gives (constant time). */
export function signatureMatches(
  secret: string,
  presented: string,
  request: { method: string; path: string; timestamp: string; nonce: string; body: Buffer | string },
): boolean {
  const expected = Buffer.from(signRequest(secret, request));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
