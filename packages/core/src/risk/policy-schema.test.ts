import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { policySchema } from './policy-schema.ts';
import { policyDocumentArb } from './risk-arbitraries.ts';
import { patched, removed, smallPolicy } from './test-policy.ts';
import { validatePolicy } from './validate-policy.ts';

// The published schema and the hand-written validator must agree: what the schema refuses the
// validator refuses, and what the validator accepts the schema accepts. The rest — what only the
// validator can see — is listed below case by case. No JSON Schema engine is a dependency of the
// repository, so the checker here implements the draft 2020-12 keywords the schema uses and
// refuses to run on any other keyword (a new keyword cannot be silently ignored).

type Schema = boolean | Readonly<Record<string, unknown>>;

const annotations = new Set(['$schema', '$id', 'title', 'description', '$comment', '$defs']);
const assertions = new Set([
  '$ref',
  'type',
  'const',
  'enum',
  'properties',
  'required',
  'additionalProperties',
  'propertyNames',
  'maxProperties',
  'items',
  'minItems',
  'maxItems',
  'uniqueItems',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'oneOf',
  'anyOf',
  'allOf',
  'not',
]);

function jsonEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, v]) => [k, canonical(v)]),
    );
  return value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeMatches(type: unknown, value: unknown): boolean {
  switch (type) {
    case 'null':
      return value === null;
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return isObject(value);
    default:
      throw new Error(`schema check: unknown type ${String(type)}`);
  }
}

function resolve(ref: unknown): Schema {
  if (typeof ref !== 'string' || !ref.startsWith('#/$defs/'))
    throw new Error(`schema check: unsupported $ref ${String(ref)}`);
  const target = (policySchema.$defs as Record<string, Schema>)[ref.slice('#/$defs/'.length)];
  if (target === undefined) throw new Error(`schema check: dangling $ref ${ref}`);
  return target;
}

function schemaValid(schema: Schema, value: unknown): boolean {
  if (schema === true) return true;
  if (schema === false) return false;
  for (const keyword of Object.keys(schema))
    if (!annotations.has(keyword) && !assertions.has(keyword))
      throw new Error(`schema check: keyword ${keyword} is not implemented`);
  const s = schema as Record<string, unknown>;
  const sub = (key: string) => s[key] as Schema;
  if (s.$ref !== undefined && !schemaValid(resolve(s.$ref), value)) return false;
  if (s.type !== undefined && !(Array.isArray(s.type) ? s.type : [s.type]).some((t) => typeMatches(t, value)))
    return false;
  if ('const' in s && !jsonEqual(s.const, value)) return false;
  if (s.enum !== undefined && !(s.enum as unknown[]).some((item) => jsonEqual(item, value))) return false;
  if (s.allOf !== undefined && !(s.allOf as Schema[]).every((item) => schemaValid(item, value))) return false;
  if (s.anyOf !== undefined && !(s.anyOf as Schema[]).some((item) => schemaValid(item, value))) return false;
  if (s.oneOf !== undefined && (s.oneOf as Schema[]).filter((item) => schemaValid(item, value)).length !== 1)
    return false;
  if (s.not !== undefined && schemaValid(sub('not'), value)) return false;
  if (typeof value === 'string') {
    const length = [...value].length;
    if (s.pattern !== undefined && !new RegExp(String(s.pattern), 'u').test(value)) return false;
    if (typeof s.minLength === 'number' && length < s.minLength) return false;
    if (typeof s.maxLength === 'number' && length > s.maxLength) return false;
  }
  if (typeof value === 'number') {
    if (typeof s.minimum === 'number' && value < s.minimum) return false;
    if (typeof s.maximum === 'number' && value > s.maximum) return false;
  }
  if (Array.isArray(value)) {
    if (typeof s.minItems === 'number' && value.length < s.minItems) return false;
    if (typeof s.maxItems === 'number' && value.length > s.maxItems) return false;
    if (s.items !== undefined && !value.every((item) => schemaValid(sub('items'), item))) return false;
    if (
      s.uniqueItems === true &&
      value.some((item, i) => value.slice(0, i).some((other) => jsonEqual(other, item)))
    )
      return false;
  }
  if (isObject(value)) {
    const keys = Object.keys(value);
    const properties = (s.properties ?? {}) as Record<string, Schema>;
    if (typeof s.maxProperties === 'number' && keys.length > s.maxProperties) return false;
    if (s.required !== undefined && !(s.required as string[]).every((key) => Object.hasOwn(value, key)))
      return false;
    for (const key of keys) {
      if (s.propertyNames !== undefined && !schemaValid(sub('propertyNames'), key)) return false;
      const known = Object.hasOwn(properties, key) ? properties[key] : undefined;
      if (known !== undefined) {
        if (!schemaValid(known, value[key])) return false;
      } else if (
        s.additionalProperties !== undefined &&
        !schemaValid(sub('additionalProperties'), value[key])
      ) {
        return false;
      }
    }
  }
  return true;
}

const example: unknown = JSON.parse(
  readFileSync(new URL('../../../../fixtures/risk/policy-example.json', import.meta.url), 'utf8'),
);

function verdicts(document: unknown): { schema: boolean; validator: boolean } {
  return { schema: schemaValid(policySchema, document), validator: validatePolicy(document).ok };
}

describe('the schema checker of this test', () => {
  it('knows every keyword the schema uses', () => {
    expect(() => schemaValid(policySchema, smallPolicy)).not.toThrow();
  });

  it('says draft 2020-12', () => {
    expect(policySchema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });
});

describe('the JSON Schema and validatePolicy', () => {
  it('both accept the small policy and the example policy', () => {
    expect(verdicts(smallPolicy)).toEqual({ schema: true, validator: true });
    expect(verdicts(example)).toEqual({ schema: true, validator: true });
  });

  it('both accept every random valid policy', () => {
    fc.assert(
      fc.property(policyDocumentArb, (document) => {
        expect(verdicts(document)).toEqual({ schema: true, validator: true });
      }),
      { numRuns: 200 },
    );
  });

  it.each<[string, Record<string, unknown>]>([
    ['a missing required field', { '/offers': removed }],
    ['an unknown top-level field', { '/extra': 1 }],
    ['a bad id', { '/id': '' }],
    ['version 0', { '/version': 0 }],
    ['version 1.5', { '/version': 1.5 }],
    ['another currency', { '/currency': 'USD' }],
    ['an unknown feature type', { '/features/age/type': 'float' }],
    ['a feature name in capitals', { '/features/Age': { type: 'integer' } }],
    ['an unknown operator', { '/rules/0/when/op': '=<' }],
    ['a comparison without a value', { '/rules/0/when/value': removed }],
    ['a list where a scalar goes', { '/rules/0/when/value': [18] }],
    ['in with an empty list', { '/rules/1/when/any/0/value': [] }],
    ['in listing a value twice', { '/rules/1/when/any/0/value': ['passed', 'passed'] }],
    ['between with one value', { '/rules/3/when/value': [0.6] }],
    ['is_null with a number', { '/rules/4/when/value': 1 }],
    ['an empty condition', { '/rules/0/when': {} }],
    ['an empty any', { '/rules/1/when/any': [] }],
    ['all and any together', { '/rules/1/when/all': [{ feature: 'age', op: '<', value: 18 }] }],
    ['an unknown action', { '/rules/0/action': 'block' }],
    ['a lower-case reason', { '/rules/0/reason': 'r1' }],
    ['a bin with range and values', { '/scorecard/characteristics/0/bins/0/values': [1] }],
    ['a bin range of three', { '/scorecard/characteristics/0/bins/0/range': [null, 1, 25] }],
    ['fractional points', { '/scorecard/characteristics/0/bins/0/points': 0.5 }],
    ['no grades', { '/grades': [] }],
    ['a credit limit of 0', { '/offers/0/creditLimit': '0' }],
    ['a credit limit above 200,000.00 CNY', { '/offers/0/creditLimit': '20000001' }],
    ['a negative rate', { '/offers/0/price/rate': '-0.12' }],
    ['an annual rate above 10', { '/offers/0/price/rate': '10.01' }],
    ['a fee rate above 1', { '/offers/1/price/rate': '1.0001' }],
    ['a rate with 13 places', { '/offers/0/price/rate': '0.1200000000000' }],
    ['a rate as a number', { '/offers/0/price/rate': 0.12 }],
    ['an unknown price kind', { '/offers/0/price/kind': 'apr' }],
    ['a product listed twice', { '/offers/0/products/1': 'cash-line' }],
    ['a description over 1,000 characters', { '/description': '字'.repeat(1001) }],
  ])('both refuse %s', (_name, changes) => {
    expect(verdicts(patched(smallPolicy, changes))).toEqual({ schema: false, validator: false });
  });

  it.each<[string, Record<string, unknown>]>([
    ['a rule naming an undeclared feature', { '/rules/0/when/feature': 'agee' }],
    ['a constant of another type than the feature', { '/rules/0/when/value': '18' }],
    ['< on a string', { '/rules/1/when/any/0/op': '<', '/rules/1/when/any/0/value': 'a' }],
    ['is_null on a feature that is never null', { '/rules/4/when/feature': 'age' }],
    ['between with lo above hi', { '/rules/3/when/value': [0.9, 0.6] }],
    ['money as a JSON number', { '/rules/0/when': { feature: 'income', op: '>', value: 100 } }],
    ['a date that does not exist', { '/rules/2/when/all/1/value': '2026-02-30' }],
    ['two rules with one id', { '/rules/1/id': 'R1' }],
    ['a gap between bins', { '/scorecard/characteristics/0/bins/1/range': [26, 40] }],
    ['a string characteristic without otherPoints', { '/scorecard/characteristics/2/otherPoints': removed }],
    ['a feature scored twice', { '/scorecard/characteristics/3/feature': 'age' }],
    ['grades out of order', { '/grades/1/minScore': 600 }],
    ['no belowLowestGrade below a last cut-off', { '/belowLowestGrade': removed }],
    ['a grade without an offer', { '/offers/1': removed }],
    ['conditions nested 17 deep', { '/rules/0/when': nested(17) }],
  ])('only the validator refuses %s (the schema cannot see it)', (_name, changes) => {
    expect(verdicts(patched(smallPolicy, changes))).toEqual({ schema: true, validator: false });
  });

  it('agree on random damage to valid documents: what the schema refuses the validator refuses', () => {
    const damage = fc.constantFrom<unknown>(
      removed,
      null,
      0,
      -1,
      1.5,
      '',
      'X',
      'passed',
      '1',
      [],
      [1, 1],
      {},
      true,
    );
    fc.assert(
      fc.property(policyDocumentArb, fc.nat(), damage, (document, at, value) => {
        const paths = pointers(document, '');
        const path = paths[at % paths.length] ?? '';
        if (path === '') return;
        const { schema, validator } = verdicts(patched(document, { [path]: value }));
        if (!schema) expect(validator).toBe(false);
        if (validator) expect(schema).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

function nested(depth: number): unknown {
  let when: unknown = { feature: 'age', op: '<', value: 18 };
  for (let level = 1; level < depth; level += 1) when = { not: when };
  return when;
}

/** Every JSON Pointer into a document. */
function pointers(value: unknown, path: string): string[] {
  const escaped = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');
  if (Array.isArray(value)) return [path, ...value.flatMap((item, i) => pointers(item, `${path}/${i}`))];
  if (isObject(value))
    return [
      path,
      ...Object.entries(value).flatMap(([key, item]) => pointers(item, `${path}/${escaped(key)}`)),
    ];
  return [path];
}
