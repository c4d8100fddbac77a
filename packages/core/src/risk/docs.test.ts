import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { policySchema } from './policy-schema.ts';

// docs/risk.md prints the published JSON Schema verbatim for analysts and integrators; the text
// there must be the constant core exports, so the page can never describe another format.

const docs = readFileSync(new URL('../../../../docs/risk.md', import.meta.url), 'utf8');

function schemaBlock(): string {
  const section = docs.split('\n## JSON Schema\n')[1]?.split('\n## ')[0] ?? '';
  return /```json\n([\s\S]*?)\n```/.exec(section)?.[1] ?? '';
}

describe('docs/risk.md', () => {
  it('prints the JSON Schema exactly as policySchema', () => {
    expect(schemaBlock()).toBe(JSON.stringify(policySchema, null, 2));
  });

  it('lists every issue code the risk module reports', () => {
    const section = docs.split('\n## Validation issues\n')[1]?.split('\n## ')[0] ?? '';
    const listed = new Set([...section.matchAll(/`([a-z_]+)`/g)].map((match) => match[1]));
    const here = new URL('./', import.meta.url);
    const reported = new Set<string>();
    for (const file of readdirSync(here).filter(
      (name) => name.endsWith('.ts') && !name.endsWith('.test.ts'),
    )) {
      const source = readFileSync(new URL(file, here), 'utf8');
      for (const match of source.matchAll(/(?:issue|add)\(\s*'([a-z_]+)'/g)) reported.add(match[1] ?? '');
    }
    expect(reported.size).toBeGreaterThan(20);
    expect([...reported].filter((code) => !listed.has(code))).toEqual([]);
  });
});
