import { randomBytes } from 'node:crypto';
import type { DateString } from '../../platform/tables.ts';

// Our order numbers: globally unique (channels refuse a number twice, and the number is the
// channel's idempotency key for the request), readable, and safe in any channel's alphabet:
// `FQ` + the business date + 16 Crockford base-32 characters (80 random bits). A collision is
// refused by the unique index, never silently accepted.

const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function newOrderNo(businessDate: DateString): string {
  const bytes = randomBytes(10);
  let bits = 0n;
  for (const byte of bytes) bits = (bits << 8n) | BigInt(byte);
  let suffix = '';
  for (let i = 0; i < 16; i++) {
    suffix = alphabet[Number(bits & 31n)] + suffix;
    bits >>= 5n;
  }
  return `FQ${businessDate.replaceAll('-', '')}${suffix}`;
}
