import { z } from 'zod';

// Text a request may carry. PostgreSQL's text type cannot hold a NUL character (an insert fails
// with 22021), and a lone UTF-16 surrogate has no UTF-8 encoding at all: either would fail deep in
// a handler as a 500. Every string in every body, query string and path parameter is built from
// `text()`, which refuses both at the edge with a field error; a test walks every route's schemas
// and fails on a string that is not (packages/server/tests/platform/route-schemas.test.ts).

/** No NUL, no unpaired surrogate: what PostgreSQL text and UTF-8 can both hold. */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && value.isWellFormed();
}

/** The check every request string carries; `abort` stops later checks from reading the bad text. */
export const storableText = z.refine<string>((value) => isStorableText(value), {
  message: 'must not contain NUL characters or unpaired surrogates',
  abort: true,
});

/** A request string: `text().trim().min(1).max(100)`. */
export function text(): z.ZodString {
  return z.string().check(storableText);
}
