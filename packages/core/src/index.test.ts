import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as core from './index.ts';

// The package's public contract is what index.ts exports; docs/loan-math.md lists every exported
// function and constant, and this test keeps the two in step (nothing missing, nothing stale).

const docs = readFileSync(new URL('../../../docs/loan-math.md', import.meta.url), 'utf8');

function documentedNames(): string[] {
  const section = docs.split('## Domain API')[1]?.split('\n## ')[0] ?? '';
  const names = new Set<string>();
  for (const row of section.split('\n').filter((line) => line.startsWith('| '))) {
    const listed = row.split('|')[2] ?? '';
    for (const match of listed.matchAll(/`([A-Za-z][A-Za-z0-9]*)[`(]/g)) names.add(match[1] ?? '');
  }
  return [...names].sort();
}

describe('the documented domain API', () => {
  it('is exactly what packages/core/src/index.ts exports', () => {
    expect(documentedNames()).toEqual(Object.keys(core).sort());
  });
});
