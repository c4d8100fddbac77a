import { isIsoDate } from '../../platform/business-date.ts';
import type { StatementCursor } from './statements.ts';

// How a statement position travels over HTTP: an opaque base64url token of the last line shown.
// Only the routes encode and decode it; the service pages by the position itself.

// A journal entry id is a positive int8 and a line number a positive int2 (0002_ledger.sql): a
// token naming anything outside those ranges was not issued by this API (and would overflow the
// query's parameters).
const entryIdMax = 9_223_372_036_854_775_807n;
const lineNoMax = 32_767;

export function encodeStatementCursor(cursor: StatementCursor): string {
  return Buffer.from(`${cursor.date}|${cursor.entryId}|${cursor.lineNo}`).toString('base64url');
}

export function decodeStatementCursor(value: string): StatementCursor | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})\|(\d{1,19})\|(\d{1,5})$/.exec(
    Buffer.from(value, 'base64url').toString(),
  );
  if (!match?.[1] || !match[2] || !match[3] || !isIsoDate(match[1])) return undefined;
  const entryId = BigInt(match[2]);
  const lineNo = Number(match[3]);
  if (entryId < 1n || entryId > entryIdMax || lineNo < 1 || lineNo > lineNoMax) return undefined;
  return { date: match[1], entryId, lineNo };
}
