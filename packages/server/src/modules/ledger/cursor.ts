import type { StatementCursor } from './statements.ts';

// How a statement position travels over HTTP: an opaque base64url token of the last line shown.
// Only the routes encode and decode it; the service pages by the position itself.

export function encodeStatementCursor(cursor: StatementCursor): string {
  return Buffer.from(`${cursor.date}|${cursor.entryId}|${cursor.lineNo}`).toString('base64url');
}

export function decodeStatementCursor(value: string): StatementCursor | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})\|(\d{1,19})\|(\d{1,5})$/.exec(
    Buffer.from(value, 'base64url').toString(),
  );
  if (!match?.[1] || !match[2] || !match[3]) return undefined;
  return { date: match[1], entryId: BigInt(match[2]), lineNo: Number(match[3]) };
}
