import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtInRoleNames } from '../../src/modules/iam/permissions.ts';
import { application } from '../../src/modules/index.ts';

// docs/security.md's roles → permissions table must say what the code grants, no more, no less.

const docs = readFileSync(new URL('../../../../docs/security.md', import.meta.url), 'utf8');
const registry = application.iam.permissions;
const roles = [...builtInRoleNames];

function documentedGrants(): Map<string, Set<string>> {
  const lines = docs.split('\n');
  const header = lines.findIndex((line) => line.startsWith('| permission | admin |'));
  const columns = (lines[header] ?? '')
    .split('|')
    .slice(2, -1)
    .map((cell) => cell.trim());
  expect(columns).toEqual(roles);
  const grants = new Map<string, Set<string>>(roles.map((role) => [role, new Set<string>()]));
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim());
    const permissions = (cells[0] ?? '').split(' / ').map((name) => name.replace(/\s*\(.*\)$/, '').trim());
    cells.slice(1).forEach((cell, index) => {
      const parts =
        permissions.length === 1
          ? [cell]
          : cell === ''
            ? permissions.map(() => '')
            : cell.split('/').map((part) => part.trim());
      parts.forEach((part, i) => {
        const permission = permissions[i];
        const role = roles[index];
        if (part === '✓' && permission !== undefined && role !== undefined) grants.get(role)?.add(permission);
      });
    });
  }
  return grants;
}

describe('docs/security.md roles table', () => {
  it('lists exactly the permissions each built-in role holds', () => {
    const documented = documentedGrants();
    for (const role of roles) {
      expect([...(documented.get(role) ?? [])].sort(), role).toEqual([...registry.builtInRoles[role]].sort());
    }
  });

  it('has a row for every staff permission', () => {
    const rows = docs.split('\n').filter((line) => /^\| [a-z-]+:[a-z-]+/.test(line));
    const named = new Set(
      rows.flatMap((row) =>
        (row.split('|')[1] ?? '')
          .trim()
          .split(' / ')
          .map((name) => name.replace(/\s*\(.*\)$/, '').trim()),
      ),
    );
    expect([...registry.staff.keys()].filter((permission) => !named.has(permission))).toEqual([]);
  });
});
