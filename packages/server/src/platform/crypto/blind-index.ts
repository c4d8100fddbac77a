import { createHmac } from 'node:crypto';

// Keyed blind index (docs/architecture.md invariant 6): HMAC-SHA256 under its own key, so equal values
// can be found by exact match without storing or decrypting them, and a database dump alone
// cannot be brute-forced back to ID numbers or phones (the key is not in the database). The kind
// is part of the input, so a phone and an ID number with the same digits never collide.

export type BlindIndexKind = 'phone' | 'id-number' | 'card-number';

/** Values are normalized first (digits and upper-case X only), so formatting never hides a match. */
export function normalizeForIndex(value: string): string {
  return value.replace(/[\s-]/g, '').toUpperCase();
}

export function blindIndex(key: Buffer, kind: BlindIndexKind, value: string): string {
  return createHmac('sha256', key)
    .update(`${kind}\n${normalizeForIndex(value)}`, 'utf8')
    .digest('base64url');
}
