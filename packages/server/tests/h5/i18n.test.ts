import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The borrower H5 speaks zh-CN (default) and English: every namespace file exists in both
// languages with exactly the same keys, and no string is empty.

const root = resolve(import.meta.dirname, '../../../h5/src/locales');

function keysOf(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return [prefix];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) =>
    keysOf(child, prefix === '' ? key : `${prefix}.${key}`),
  );
}

function emptyStrings(value: unknown, prefix = ''): string[] {
  if (typeof value === 'string') return value.trim() === '' ? [prefix] : [];
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) =>
    emptyStrings(child, prefix === '' ? key : `${prefix}.${key}`),
  );
}

const read = (language: string, file: string) =>
  JSON.parse(readFileSync(resolve(root, language, file), 'utf8'));

describe('H5 translations', () => {
  const files = readdirSync(resolve(root, 'zh-CN')).sort();

  it('have the same namespaces in both languages', () => {
    expect(readdirSync(resolve(root, 'en')).sort()).toEqual(files);
    expect(files).toContain('common.json');
  });

  it.each(files)('%s has the same keys in zh-CN and en, none empty', (file) => {
    const zh = read('zh-CN', file);
    const en = read('en', file);
    expect(keysOf(en).sort()).toEqual(keysOf(zh).sort());
    expect([...emptyStrings(zh), ...emptyStrings(en)]).toEqual([]);
  });
});
