// A JSON Schema (draft 2020-12) checker for the subset of keywords the policy schema uses
// (GET /api/v1/risk/policy-schema serves core's `policySchema`). The console checks a document
// before submitting it, so an author sees a misplaced field at once; what only the server's
// validator sees (declared features, bins, grades, offers) still comes back as field errors.
// Written here rather than taken from a library: the console's CSP forbids the code generation
// that JSON Schema compilers use.

type Schema = { [keyword: string]: unknown };

export type SchemaError = {
  /** A JSON Pointer into the document (RFC 6901); "" is the document itself. */
  path: string;
  keyword: string;
  params: Record<string, string | number>;
};

const pointerPart = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function hasType(value: unknown, type: string): boolean {
  const actual = typeOf(value);
  if (type === 'number') return actual === 'number' || actual === 'integer';
  return actual === type;
}

function equal(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

const patterns = new Map<string, RegExp>();
function pattern(source: string): RegExp {
  let found = patterns.get(source);
  if (found === undefined) {
    found = new RegExp(source, 'u');
    patterns.set(source, found);
  }
  return found;
}

/** Every way `value` breaks `root` (with its `$defs`), deepest alternatives chosen for oneOf/anyOf. */
export function schemaErrors(root: Schema, value: unknown): SchemaError[] {
  const errors: SchemaError[] = [];
  check(root, root, value, '', errors);
  return errors;
}

function resolve(root: Schema, ref: string): Schema {
  if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
  let node: unknown = root;
  for (const part of ref.slice(2).split('/'))
    node = (node as Record<string, unknown>)[part.replaceAll('~1', '/').replaceAll('~0', '~')];
  if (node === undefined || node === null || typeof node !== 'object')
    throw new Error(`unresolved $ref ${ref}`);
  return node as Schema;
}

function check(root: Schema, schema: Schema, value: unknown, path: string, errors: SchemaError[]): void {
  if (typeof schema.$ref === 'string') {
    check(root, resolve(root, schema.$ref), value, path, errors);
    return;
  }
  const add = (keyword: string, params: Record<string, string | number> = {}) =>
    errors.push({ path, keyword, params });

  if ('const' in schema && !equal(value, schema.const)) add('const', { value: JSON.stringify(schema.const) });
  if (Array.isArray(schema.enum) && !schema.enum.some((option) => equal(option, value)))
    add('enum', { values: schema.enum.map((option) => JSON.stringify(option)).join(', ') });
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((type) => hasType(value, type))) {
      add('type', { type: types.join(' | '), actual: typeOf(value) });
      return;
    }
  }
  if (Array.isArray(schema.oneOf) || Array.isArray(schema.anyOf)) {
    const options = (schema.oneOf ?? schema.anyOf) as Schema[];
    const results = options.map((option) => {
      const found: SchemaError[] = [];
      check(root, option, value, path, found);
      return found;
    });
    const passing = results.filter((found) => found.length === 0).length;
    if (passing === 0) {
      // The alternative that comes closest says best what is wrong: fewest problems, then the one
      // whose discriminating constant (an `op`, a `kind`) matched, then the deepest.
      const depth = (found: SchemaError[]) => Math.max(...found.map((e) => e.path.split('/').length));
      const mismatched = (found: SchemaError[]) =>
        found.filter((e) => e.keyword === 'enum' || e.keyword === 'const').length;
      const best =
        [...results].sort(
          (a, b) => a.length - b.length || mismatched(a) - mismatched(b) || depth(b) - depth(a),
        )[0] ?? [];
      const deeper = best.filter((found) => found.path !== path);
      if (deeper.length > 0 && best.every((found) => found.path !== path || found.keyword !== 'type'))
        errors.push(...best);
      else add('oneOf', { count: options.length });
    } else if (passing > 1 && Array.isArray(schema.oneOf)) add('oneOfMany', { count: passing });
  }

  if (typeof value === 'string') {
    const length = [...value].length;
    if (typeof schema.minLength === 'number' && length < schema.minLength)
      add('minLength', { limit: schema.minLength });
    if (typeof schema.maxLength === 'number' && length > schema.maxLength)
      add('maxLength', { limit: schema.maxLength });
    if (typeof schema.pattern === 'string' && !pattern(schema.pattern).test(value))
      add('pattern', { pattern: schema.pattern });
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum)
      add('minimum', { limit: schema.minimum });
    if (typeof schema.maximum === 'number' && value > schema.maximum)
      add('maximum', { limit: schema.maximum });
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems)
      add('minItems', { limit: schema.minItems });
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems)
      add('maxItems', { limit: schema.maxItems });
    if (schema.uniqueItems === true) {
      const seen = new Set<string>();
      value.forEach((item, index) => {
        const key = canonical(item);
        if (seen.has(key)) errors.push({ path: `${path}/${index}`, keyword: 'uniqueItems', params: {} });
        seen.add(key);
      });
    }
    if (schema.items !== undefined && typeof schema.items === 'object')
      value.forEach((item, index) => {
        check(root, schema.items as Schema, item, `${path}/${index}`, errors);
      });
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const object = value as Record<string, unknown>;
    const keys = Object.keys(object);
    if (Array.isArray(schema.required))
      for (const key of schema.required as string[])
        if (!Object.hasOwn(object, key))
          errors.push({
            path: `${path}/${pointerPart(key)}`,
            keyword: 'required',
            params: { property: key },
          });
    if (typeof schema.maxProperties === 'number' && keys.length > schema.maxProperties)
      add('maxProperties', { limit: schema.maxProperties });
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    for (const key of keys) {
      const child = `${path}/${pointerPart(key)}`;
      if (schema.propertyNames !== undefined) {
        const found: SchemaError[] = [];
        check(root, schema.propertyNames as Schema, key, child, found);
        if (found.length > 0)
          errors.push({ path: child, keyword: 'propertyName', params: { property: key } });
      }
      const known = properties[key];
      if (known !== undefined) check(root, known, object[key], child, errors);
      else if (schema.additionalProperties === false)
        errors.push({ path: child, keyword: 'additionalProperties', params: { property: key } });
      else if (schema.additionalProperties !== undefined && typeof schema.additionalProperties === 'object')
        check(root, schema.additionalProperties as Schema, object[key], child, errors);
    }
  }
}

export type FeatureCatalogue = Record<string, { type: string; nullable?: boolean }>;

/**
 * The declared features Fenqi does not compute as declared (the server refuses these too): a name
 * it does not compute, another type, or a feature that may be missing declared as never missing.
 */
export function featureErrors(document: unknown, catalogue: FeatureCatalogue): SchemaError[] {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) return [];
  const features = (document as { features?: unknown }).features;
  if (features === null || typeof features !== 'object' || Array.isArray(features)) return [];
  const errors: SchemaError[] = [];
  for (const [name, spec] of Object.entries(features as Record<string, unknown>)) {
    const path = `/features/${pointerPart(name)}`;
    const declared = (spec ?? {}) as { type?: unknown; nullable?: unknown };
    const known = Object.hasOwn(catalogue, name) ? catalogue[name] : undefined;
    if (known === undefined) errors.push({ path, keyword: 'featureUnknown', params: { name } });
    else if (declared.type !== known.type)
      errors.push({ path, keyword: 'featureType', params: { name, type: known.type } });
    else if (known.nullable === true && declared.nullable !== true)
      errors.push({ path, keyword: 'featureNullable', params: { name } });
  }
  return errors;
}
