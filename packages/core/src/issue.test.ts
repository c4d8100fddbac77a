import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { issueCatalogue } from './issue.ts';

// The issue catalogue is an API: every code must be documented for integrators in
// docs/loan-math.md, and the docs must not list a code the engine no longer produces.

const docs = readFileSync(new URL('../../../docs/loan-math.md', import.meta.url), 'utf8');

function documentedCodes(): string[] {
  const section = docs.split('## Validation issue codes')[1]?.split('\n## ')[0] ?? '';
  return [...section.matchAll(/^\| `([a-z0-9_]+)` *\|/gm)].map((match) => match[1] ?? '');
}

describe('issue catalogue', () => {
  it('is documented in docs/loan-math.md, code for code, with nothing stale', () => {
    expect(documentedCodes().sort()).toEqual(Object.keys(issueCatalogue).sort());
  });

  it('uses stable snake_case codes', () => {
    for (const code of Object.keys(issueCatalogue)) expect(code).toMatch(/^[a-z]+(_[a-z0-9]+)*$/);
  });
});
