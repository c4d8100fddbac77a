import type { RowPage } from '../../components/ServerTable';

// What the administration pages share: the keyset paging of the API's array lists.

/**
 * One page of a list the API answers as an array and pages with a cursor naming the last row:
 * asks for one row more than shown, so `next` is given only when there is a next page.
 */
export async function pageOf<T>(
  fetch: (limit: number) => Promise<T[]>,
  limit: number,
  cursorOf: (row: T) => string,
): Promise<RowPage<T>> {
  const rows = await fetch(limit + 1);
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return { rows: rows.slice(0, limit), next: last === undefined ? null : cursorOf(last) };
}

/** The Idempotency-Key of one command (the client adds one too; the API's types ask for it). */
export { commandKey } from '../../api/client';

export const shortId = (id: string | null | undefined) => (id ? id.slice(0, 8) : '—');
