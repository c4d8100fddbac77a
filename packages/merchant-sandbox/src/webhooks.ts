import { noncePattern, signatureMatches, signaturePattern } from './signature.ts';

// Verifying Fenqi's webhooks (docs/merchant-integration.md, "Webhooks"): the signature over the
// path we registered and the raw body, a timestamp within five minutes of our clock, and a nonce
// not seen in that window — so a captured delivery cannot be played again. A delivery that fails
// any check is answered 401 and leaves nothing behind; only one that passes has its nonce kept.

export type Verdict = { ok: true; event: WebhookEvent } | { ok: false; status: 400 | 401; reason: string };

export type WebhookEvent = { id: string; type: string; occurredAt?: unknown; data?: unknown };

export type IncomingWebhook = {
  method: string;
  /** The path and query as the request arrived: what Fenqi signed (the URL it was given). */
  path: string;
  header(name: string): string | undefined;
  body: Buffer;
};

export function webhookVerifier(options: { secret: string | undefined; windowSeconds: number }) {
  // Nonces seen, with when they may be forgotten (ms): a nonce older than the window is refused
  // for its timestamp anyway.
  const nonces = new Map<string, number>();

  function forgetExpired(nowMs: number) {
    for (const [nonce, expiresAtMs] of nonces) if (expiresAtMs <= nowMs) nonces.delete(nonce);
  }

  return {
    verify(request: IncomingWebhook): Verdict {
      const refuse = (reason: string): Verdict => ({ ok: false, status: 401, reason });
      if (options.secret === undefined)
        return refuse('no webhook secret is configured (SANDBOX_WEBHOOK_SECRET)');
      const timestamp = request.header('x-fenqi-timestamp') ?? '';
      const nonce = request.header('x-fenqi-nonce') ?? '';
      const presented = request.header('x-fenqi-signature') ?? '';
      if (!/^\d{1,12}$/.test(timestamp) || !noncePattern.test(nonce) || !signaturePattern.test(presented))
        return refuse('a signature header is missing or malformed');
      const nowMs = Date.now();
      if (Math.abs(nowMs / 1000 - Number(timestamp)) > options.windowSeconds)
        return refuse(`the timestamp is more than ${options.windowSeconds} s from our clock`);
      const parts = { method: request.method, path: request.path, timestamp, nonce, body: request.body };
      if (!signatureMatches(options.secret, presented, parts)) return refuse('the signature does not match');
      forgetExpired(nowMs);
      if (nonces.has(nonce)) return refuse('the nonce was already used: a replayed delivery');
      let event: unknown;
      try {
        event = JSON.parse(request.body.toString('utf8'));
      } catch {
        return { ok: false, status: 400, reason: 'the body is not JSON' };
      }
      const candidate = event as Partial<WebhookEvent> | null;
      if (
        candidate === null ||
        typeof candidate !== 'object' ||
        typeof candidate.id !== 'string' ||
        typeof candidate.type !== 'string'
      )
        return { ok: false, status: 400, reason: 'the body is not an event (id, type)' };
      nonces.set(nonce, nowMs + options.windowSeconds * 2000);
      return { ok: true, event: candidate as WebhookEvent };
    },
  };
}
