import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

// The protocol's signature (docs/payments.md, "Merchants and signatures"): both directions sign
// method, path, timestamp, nonce and the body's hash with the merchant's shared secret.

export const toleranceSeconds = 300;
export const noncePattern = /^[A-Za-z0-9_-]{16,64}$/;
const timestampPattern = /^\d{1,12}$/;
const signaturePattern = /^[0-9a-f]{64}$/;

export type SimHeaders = {
  'x-sim-merchant': string;
  'x-sim-timestamp': string;
  'x-sim-nonce': string;
  'x-sim-signature': string;
};

export function stringToSign(
  method: string,
  path: string,
  timestamp: string,
  nonce: string,
  body: Buffer | string,
): string {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  return `${method.toUpperCase()}\n${path}\n${timestamp}\n${nonce}\n${bodyHash}`;
}

function hmac(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('hex');
}

export type SignInput = {
  merchantNo: string;
  secret: string;
  method: string;
  /** Pathname and search, exactly as sent on the request line. */
  path: string;
  body: Buffer | string;
  nowMs?: number;
  nonce?: string;
};

export function signSimRequest(input: SignInput): SimHeaders {
  const timestamp = String(Math.floor((input.nowMs ?? Date.now()) / 1000));
  const nonce = input.nonce ?? randomBytes(24).toString('base64url');
  return {
    'x-sim-merchant': input.merchantNo,
    'x-sim-timestamp': timestamp,
    'x-sim-nonce': nonce,
    'x-sim-signature': hmac(
      input.secret,
      stringToSign(input.method, input.path, timestamp, nonce, input.body),
    ),
  };
}

export type VerifyInput = {
  merchantNo: string;
  secret: string;
  method: string;
  path: string;
  body: Buffer | string;
  headers: Record<string, string | string[] | undefined>;
  nowMs: number;
};

export type Verified = { ok: true; nonce: string; timestampMs: number } | { ok: false; reason: string };

/** Checks everything but nonce reuse, which needs the store. */
export function verifySimSignature(input: VerifyInput): Verified {
  const header = (name: keyof SimHeaders) => {
    const value = input.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  const merchant = header('x-sim-merchant');
  const timestamp = header('x-sim-timestamp');
  const nonce = header('x-sim-nonce');
  const signature = header('x-sim-signature');
  if (merchant !== input.merchantNo) return { ok: false, reason: 'unknown merchant' };
  if (timestamp === undefined || !timestampPattern.test(timestamp))
    return { ok: false, reason: 'no timestamp' };
  if (Math.abs(input.nowMs / 1000 - Number(timestamp)) > toleranceSeconds)
    return { ok: false, reason: 'timestamp outside the window' };
  if (nonce === undefined || !noncePattern.test(nonce)) return { ok: false, reason: 'no nonce' };
  if (signature === undefined || !signaturePattern.test(signature))
    return { ok: false, reason: 'no signature' };
  const expected = Buffer.from(
    hmac(input.secret, stringToSign(input.method, input.path, timestamp, nonce, input.body)),
  );
  if (!timingSafeEqual(expected, Buffer.from(signature))) return { ok: false, reason: 'signature mismatch' };
  return { ok: true, nonce, timestampMs: Number(timestamp) * 1000 };
}
