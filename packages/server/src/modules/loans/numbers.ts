import { randomBytes } from 'node:crypto';
import type { DateString } from '../../platform/tables.ts';

// Loan and contract numbers: readable, unique, and not guessable from one another —
// `L` + the business date + 10 Crockford base-32 characters (50 random bits); the contract
// number is the loan's with `HT` (合同) in front. A collision is refused by the unique index.

const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export function newLoanNo(businessDate: DateString): string {
  let bits = 0n;
  for (const byte of randomBytes(7)) bits = (bits << 8n) | BigInt(byte);
  let suffix = '';
  for (let i = 0; i < 10; i++) {
    suffix = alphabet[Number(bits & 31n)] + suffix;
    bits >>= 5n;
  }
  return `L${businessDate.replaceAll('-', '')}${suffix}`;
}

export const contractNoOf = (loanNo: string) => `HT${loanNo}`;
