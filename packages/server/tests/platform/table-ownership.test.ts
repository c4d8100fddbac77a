import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// A module owns its tables. Kysely queries are checked by the compiler (each store is typed with
// its own tables); raw SQL is not, so this test reads every module's SQL templates and fails when
// one names a table another module (or the platform) owns. Ownership comes from the `…Tables`
// interfaces in each tables.ts.

const src = new URL('../../src/', import.meta.url).pathname;

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** Table names declared by the `interface …Tables { name: …; }` blocks of a tables.ts. */
export function declaredTables(source: string): string[] {
  const names: string[] = [];
  for (const block of source.matchAll(/export interface \w+Tables(?: extends [\w, ]+)? \{([^}]*)\}/g)) {
    for (const member of (block[1] ?? '').matchAll(/^\s*([a-z_][a-z0-9_]*)\s*:/gm)) {
      if (member[1]) names.push(member[1]);
    }
  }
  return names;
}

/** Identifiers that raw SQL templates use as tables (after FROM, JOIN, INTO, UPDATE, TABLE, USING). */
export function tablesNamedInSql(source: string): string[] {
  const named: string[] = [];
  for (const template of source.matchAll(/sql(?:<[^`]*?>)?`([^`]*)`/g)) {
    const text = (template[1] ?? '').replace(/\$\{[^}]*\}/g, ' ');
    for (const match of text.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE|TABLE|USING)\s+([a-z_][a-z0-9_]*)/gi)) {
      if (match[1]) named.push(match[1].toLowerCase());
    }
  }
  return named;
}

const owners = new Map<string, string>();
for (const file of filesUnder(join(src, 'platform')).filter((path) => path.endsWith('/tables.ts')))
  for (const table of declaredTables(readFileSync(file, 'utf8'))) owners.set(table, 'platform');
const moduleNames = readdirSync(join(src, 'modules')).filter((name) =>
  statSync(join(src, 'modules', name)).isDirectory(),
);
// A module's tables.ts may sit in its folder or in a subfolder of it (risk/blacklist/tables.ts).
for (const module of moduleNames)
  for (const file of filesUnder(join(src, 'modules', module)).filter((path) => path.endsWith('/tables.ts')))
    for (const table of declaredTables(readFileSync(file, 'utf8'))) owners.set(table, module);

describe('table ownership in raw SQL', () => {
  it('every table has one owner, and the known tables are found', () => {
    expect(owners.get('ledger_lines')).toBe('ledger');
    expect(owners.get('audit_log')).toBe('iam');
    expect(owners.get('customers')).toBe('customers');
    expect(owners.get('idempotency_keys')).toBe('platform');
    expect(owners.get('outbox_deliveries')).toBe('platform');
    expect(owners.get('risk_blacklist_entries')).toBe('risk');
  });

  it("no module's SQL names another module's (or the platform's) table, nor the platform's a module's", () => {
    const violations: string[] = [];
    for (const file of filesUnder(join(src, 'platform'))) {
      for (const table of tablesNamedInSql(readFileSync(file, 'utf8'))) {
        const owner = owners.get(table);
        if (owner !== undefined && owner !== 'platform')
          violations.push(`${file.slice(src.length)} names ${table}, owned by ${owner}`);
      }
    }
    for (const module of moduleNames) {
      for (const file of filesUnder(join(src, 'modules', module))) {
        for (const table of tablesNamedInSql(readFileSync(file, 'utf8'))) {
          const owner = owners.get(table);
          if (owner !== undefined && owner !== module)
            violations.push(`${file.slice(src.length)} names ${table}, owned by ${owner}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('the reader finds tables in SQL templates (so the check above can fail)', () => {
    const placeholder = ['$', '{id}'].join('');
    const source = `await sql\`SELECT x FROM staff_users u JOIN roles r ON true WHERE id = ${placeholder}\`; sql<{ n: number }>\`UPDATE ledger_lines SET a = 1\`;`;
    expect(tablesNamedInSql(source)).toEqual(['staff_users', 'roles', 'ledger_lines']);
  });
});
