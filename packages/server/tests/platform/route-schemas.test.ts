import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { application } from '../../src/modules/index.ts';
import { type AnySchema, defOf, walkSchema } from '../../src/platform/http/schema-walk.ts';
import { storableText, text } from '../../src/platform/http/text.ts';

// The request rules, checked on every route the application composes: every string in a body,
// query string or path parameter is built from text() (no NUL, no lone surrogate reaches
// PostgreSQL), and every object refuses unknown fields (one rule for all routes: a misspelt field
// is an error, never silently ignored). A route added later that breaks a rule fails here.

/** The rule broken by one schema node, if any. */
function violation(schema: AnySchema): string | undefined {
  const def = defOf(schema) as ReturnType<typeof defOf> & { format?: string; checks?: unknown[] };
  if (def.type === 'string') {
    // A format (uuid, ISO date-time, …) admits no NUL or surrogate by its own grammar.
    if (def.format !== undefined || def.checks?.includes(storableText)) return undefined;
    return 'a string not built from text()';
  }
  if (def.type === 'object' && defOf(def.catchall ?? z.unknown()).type !== 'never')
    return 'an object that does not refuse unknown fields (use z.strictObject)';
  return undefined;
}

function violations(schema: AnySchema | undefined, where: string): string[] {
  if (schema === undefined) return [];
  const found: string[] = [];
  walkSchema(schema, (node, path) => {
    const broken = violation(node);
    if (broken) found.push(`${where} ${path || '(root)'}: ${broken}`);
  });
  return found;
}

describe('request schemas of every route', () => {
  const routes = application.modules.flatMap((module) => module.routes);

  it('use text() for every string and refuse unknown fields in every object', () => {
    const found = routes.flatMap((route) =>
      (['params', 'querystring', 'body'] as const).flatMap((part) =>
        violations(route.schema[part], `${route.method} ${route.url} ${part}`),
      ),
    );
    expect(found).toEqual([]);
    expect(routes.length).toBeGreaterThan(30);
  });

  it('the guard itself finds a plain string and a lenient object', () => {
    const lenient = z.object({
      name: z.string(),
      ok: text(),
      id: z.uuid(),
      nested: z.strictObject({ x: z.string() }),
    });
    expect(violations(lenient, 'probe')).toEqual([
      'probe (root): an object that does not refuse unknown fields (use z.strictObject)',
      'probe name: a string not built from text()',
      'probe nested.x: a string not built from text()',
    ]);
  });

  it('text() refuses NUL and unpaired surrogates, and only those', () => {
    const schema = text().max(20);
    expect(schema.safeParse('张三 ok').success).toBe(true);
    expect(schema.safeParse('😀 pair').success).toBe(true);
    expect(schema.safeParse('a\u0000b').error?.issues.map((issue) => issue.message)).toEqual([
      'must not contain NUL characters or unpaired surrogates',
    ]);
    expect(schema.safeParse('lone \ud800').success).toBe(false);
    expect(schema.safeParse('lone \udc00 low').success).toBe(false);
  });
});
