import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Validator } from '@seriousme/openapi-schema-validator';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { application } from '../../src/modules/index.ts';
import { createStaff, signIn } from '../iam/support.ts';
import { http, useTestServer } from '../support/server.ts';

// /openapi.json is what integrators and the console build on: it must be a valid OpenAPI 3.1
// document (checked by a real validator), every $ref must resolve, every route must be in it with
// its permission, and a TypeScript client generated from it must type-check — and work against
// the running server.

const { database, server } = useTestServer({ accessControl: 'iam' });

const scratch = resolve(import.meta.dirname, '../../../../.fenqi');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function document(): Promise<Record<string, unknown>> {
  const response = await http(server.baseUrl, 'GET', '/openapi.json');
  expect(response.status).toBe(200);
  return response.json as Record<string, unknown>;
}

function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) refsIn(item, found);
  else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string') found.push(child);
      else refsIn(child, found);
    }
  }
  return found;
}

/** Type-checks files with the repository's TypeScript, as `tsc --noEmit --strict` would. */
function typeErrors(files: string[]): string[] {
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    allowImportingTsExtensions: true,
    skipLibCheck: true,
    types: [],
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  });
  return ts
    .getPreEmitDiagnostics(program)
    .map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}

describe('/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await new Validator().validate(await document());
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('resolves every $ref to a component, and defines every route with its permission', async () => {
    const doc = (await document()) as {
      paths: Record<string, Record<string, { 'x-permission'?: string; operationId: string }>>;
      components: { schemas: Record<string, unknown> };
    };
    const dangling = refsIn(doc).filter(
      (ref) => !(ref.startsWith('#/components/schemas/') && ref.slice(21) in doc.components.schemas),
    );
    expect(dangling).toEqual([]);
    expect(Object.keys(doc.components.schemas).length).toBeGreaterThan(30);
    const routes = application.modules.flatMap((module) => module.routes);
    for (const route of routes) {
      const operation =
        doc.paths[route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')]?.[route.method.toLowerCase()];
      expect(operation?.['x-permission'], `${route.method} ${route.url}`).toBe(route.permission);
    }
    const ids = Object.values(doc.paths).flatMap((item) => Object.values(item).map((op) => op.operationId));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('a TypeScript client generated from it type-checks, refuses a wrong call, and works', async () => {
    const doc = await document();
    mkdirSync(scratch, { recursive: true });
    const dir = mkdtempSync(join(scratch, 'openapi-client-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'schema.d.ts'), astToString(await openapiTS(doc as never)));
    writeFileSync(
      join(dir, 'client.ts'),
      `import createClient from 'openapi-fetch';
import type { paths } from './schema.d.ts';

export async function check(baseUrl: string, cookie: string): Promise<string> {
  const client = createClient<paths>({ baseUrl, headers: { cookie } });
  const { data, error } = await client.GET('/api/v1/business-date');
  if (error !== undefined) throw new Error(error.detail);
  const entries = await client.GET('/api/v1/ledger/entries', { params: { query: { limit: 5 } } });
  const firstId: string | undefined = entries.data?.entries[0]?.id;
  void firstId;
  // @ts-expect-error — the client knows the query parameters: limit is a number, not a word.
  await client.GET('/api/v1/ledger/entries', { params: { query: { limit: 'five' } } });
  // @ts-expect-error — and the paths: there is no such route.
  await client.GET('/api/v1/no-such-route');
  return data.businessDate;
}
`,
    );
    expect(typeErrors([join(dir, 'client.ts')])).toEqual([]);

    // The same client, at run time, against the server that published the document.
    const admin = await createStaff(database.db, server.config, ['admin']);
    const session = await signIn(database.db, server.config, admin);
    const client = (await import(join(dir, 'client.ts'))) as {
      check(baseUrl: string, cookie: string): Promise<string>;
    };
    expect(await client.check(server.baseUrl, session.cookie)).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});
