import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCatalogue } from '../../src/platform/errors.ts';

// One error catalogue, tested against the docs. docs/api/errors.md must list exactly the
// codes the server can return, each with the same status and title.

const docs = readFileSync(new URL('../../../../docs/api/errors.md', import.meta.url), 'utf8');

function documentedCodes(): Map<string, { status: number; title: string }> {
  const rows = new Map<string, { status: number; title: string }>();
  for (const line of docs.split('\n')) {
    const match = /^\| `([a-z0-9_]+)` \| (\d{3}) \| ([^|]+) \|/.exec(line);
    if (match?.[1] && match[2] && match[3])
      rows.set(match[1], { status: Number(match[2]), title: match[3].trim() });
  }
  return rows;
}

describe('error catalogue and docs/api/errors.md', () => {
  const documented = documentedCodes();
  const catalogue = Object.entries(errorCatalogue);

  it('documents every code the server can return, with its status and title', () => {
    for (const [code, spec] of catalogue) {
      expect(documented.get(code), `docs/api/errors.md is missing ${code}`).toEqual({
        status: spec.status,
        title: spec.title,
      });
    }
  });

  it('documents no code the server does not have', () => {
    const stale = [...documented.keys()].filter((code) => !(code in errorCatalogue));
    expect(stale).toEqual([]);
  });

  it('uses each code once and only statuses 4xx/5xx', () => {
    expect(documented.size).toBe(catalogue.length);
    for (const [, spec] of catalogue) expect(spec.status).toBeGreaterThanOrEqual(400);
  });
});
