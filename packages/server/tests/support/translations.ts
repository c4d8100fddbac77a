import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The apps speak zh-CN (default) and English: every namespace file of an app's locales exists in
// both languages with exactly the same keys, and no string is empty.

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

/** The tests of one app's translations, in `<root>/{zh-CN,en}/<namespace>.json`. */
export function describeTranslations(app: string, root: string): void {
  const read = (language: string, file: string) =>
    JSON.parse(readFileSync(resolve(root, language, file), 'utf8'));
  describe(`${app} translations`, () => {
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
}
