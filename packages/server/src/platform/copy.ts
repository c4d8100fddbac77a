import { once } from 'node:events';
import { CompiledQuery } from 'kysely';
import { from as copyFrom } from 'pg-copy-streams';

// COPY FROM STDIN inside a Kysely transaction, for set-based loads (the ledger's bulk posting,
// statement imports): rows stream in COPY's text format on the transaction's own connection.

/** COPY text format: backslash, tab, newline and carriage return escaped; null is \N. */
export function copyField(value: string | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  return value.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

/** Rows per write to the COPY stream: large enough that a write is not per row, small enough to stream. */
const copyChunkRows = 2000;

/**
 * Streams rows into a table with COPY FROM STDIN on the transaction's own connection. pg's
 * client.query accepts a "submittable" (an object with submit()) in place of SQL text, and Kysely
 * passes the compiled query's text to it unchanged; that is how pg-copy-streams' stream runs
 * inside this transaction without reaching for the connection itself.
 */
export async function copyRows(
  trx: { executeQuery(query: CompiledQuery): Promise<unknown> },
  statement: string,
  rows: Iterable<string>,
): Promise<void> {
  const stream = copyFrom(statement);
  const finished = once(stream, 'finish');
  finished.catch(() => {});
  const submitted = trx.executeQuery({ ...CompiledQuery.raw(''), sql: stream as unknown as string });
  await submitted;
  let chunk: string[] = [];
  for (const row of rows) {
    chunk.push(row);
    if (chunk.length >= copyChunkRows) {
      if (!stream.write(chunk.join(''))) await once(stream, 'drain');
      chunk = [];
    }
  }
  stream.end(chunk.join(''));
  await finished;
}
