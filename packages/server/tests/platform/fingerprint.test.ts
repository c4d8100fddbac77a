import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fingerprintKey, fingerprintOf } from '../../src/platform/http/idempotency.ts';

// The idempotency fingerprint is taken of the body after validation decoded it: amounts are
// bigints and instants Dates by then. Neither may break it (a bigint has no JSON form) or blur it
// (every Date would print as {}): a different amount or instant is a different request.

const key = fingerprintKey(randomBytes(32));
const of = (body: unknown) => fingerprintOf(key, 'POST', '/api/v1/x', body);

describe('the idempotency fingerprint of a decoded body', () => {
  it('takes bigint amounts, and tells them apart', () => {
    expect(of({ amountMinor: 100n })).toMatch(/^[0-9a-f]{64}$/);
    expect(of({ amountMinor: 100n })).toBe(of({ amountMinor: 100n }));
    expect(of({ amountMinor: 100n })).not.toBe(of({ amountMinor: 101n }));
    expect(of({ lines: [{ amountMinor: 1n }] })).not.toBe(of({ lines: [{ amountMinor: 2n }] }));
  });

  it('tells instants apart', () => {
    const at = (iso: string) => ({ at: new Date(iso) });
    expect(of(at('2026-12-01T00:00:00Z'))).not.toBe(of(at('2026-12-02T00:00:00Z')));
    expect(of(at('2026-12-01T00:00:00Z'))).toBe(of(at('2026-12-01T00:00:00.000Z')));
  });

  it('is the same for a body without either as before (key order does not matter)', () => {
    expect(of({ b: 1, a: 'x' })).toBe(of({ a: 'x', b: 1 }));
  });
});
