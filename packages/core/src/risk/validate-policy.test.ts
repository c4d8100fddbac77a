import { describe, expect, it } from 'vitest';
import { conditionDepthMax, policyRulesMax } from './policy.ts';
import { patched, removed, smallPolicy } from './test-policy.ts';
import { pointer, validatePolicy } from './validate-policy.ts';

// One mistake at a time, each at its exact JSON Pointer with its code; then several at once.

function issuesOf(document: unknown): [string, string][] {
  const result = validatePolicy(document);
  return result.ok ? [] : result.issues.map((found) => [found.code, found.path]);
}

const broken = (changes: Record<string, unknown>) => issuesOf(patched(smallPolicy, changes));

describe('validatePolicy accepts', () => {
  it('the small policy, returning the same document', () => {
    const result = validatePolicy(structuredClone(smallPolicy));
    expect(result).toEqual({ ok: true, value: smallPolicy });
  });

  it('a policy without rules or characteristics whose last grade takes every score', () => {
    expect(
      broken({
        '/rules': [],
        '/scorecard/characteristics': [],
        '/grades/1/minScore': null,
        '/belowLowestGrade': removed,
      }),
    ).toEqual([]);
  });

  it('a feature named like an Object.prototype member, read as an ordinary name', () => {
    expect(
      broken({
        '/features/constructor': { type: 'integer' },
        '/rules/5': {
          id: 'R6',
          when: { feature: 'constructor', op: '>', value: 1 },
          action: 'review',
          reason: 'R6',
        },
      }),
    ).toEqual([]);
  });

  it('an age window, kept in the document', () => {
    const result = validatePolicy(patched(smallPolicy, { '/eligibility': { ageMin: 18, ageMax: 60 } }));
    expect(result.ok && result.value.eligibility).toEqual({ ageMin: 18, ageMax: 60 });
  });

  it(`conditions nested ${conditionDepthMax} deep`, () => {
    let when: unknown = { feature: 'age', op: '<', value: 18 };
    for (let depth = 1; depth < conditionDepthMax; depth += 1) when = { not: when };
    expect(broken({ '/rules/0/when': when })).toEqual([]);
  });
});

describe('validatePolicy refuses, at the exact path,', () => {
  it.each<[string, Record<string, unknown>, [string, string][]]>([
    ['a missing required field', { '/rules': removed }, [['field_required', '/rules']]],
    ['an unknown field', { '/rulez': [] }, [['field_unknown', '/rulez']]],
    ['an id with a space', { '/id': 'small policy' }, [['name_invalid', '/id']]],
    ['version 0', { '/version': 0 }, [['integer_invalid', '/version']]],
    ['version as a string', { '/version': '2' }, [['type_invalid', '/version']]],
    [
      'an age window turned round',
      { '/eligibility': { ageMin: 60, ageMax: 18 } },
      [['range_invalid', '/eligibility']],
    ],
    [
      'an age window below the floor',
      { '/eligibility': { ageMin: 15, ageMax: 60 } },
      [['integer_invalid', '/eligibility/ageMin']],
    ],
    [
      'an age window without its upper end',
      { '/eligibility': { ageMin: 18 } },
      [['field_required', '/eligibility/ageMax']],
    ],
    ['a currency other than CNY', { '/currency': 'USD' }, [['currency_unsupported', '/currency']]],
    [
      'an unknown feature type',
      { '/features/age/type': 'float' },
      [['value_not_allowed', '/features/age/type']],
    ],
    [
      'nullable that is not a boolean',
      { '/features/age/nullable': 'yes' },
      [['type_invalid', '/features/age/nullable']],
    ],
    [
      'a feature name outside the pattern',
      { '/features/Age': { type: 'integer' } },
      [['name_invalid', '/features/Age']],
    ],
    [
      'an unknown field of a feature',
      { '/features/age/unit': 'years' },
      [['field_unknown', '/features/age/unit']],
    ],
    ['an unknown operator', { '/rules/0/when/op': '=<' }, [['value_not_allowed', '/rules/0/when/op']]],
    [
      '< on a string, nested',
      { '/rules/1/when/any/0/op': '<', '/rules/1/when/any/0/value': 'passed' },
      [['operator_not_allowed', '/rules/1/when/any/0/op']],
    ],
    [
      '< on a boolean',
      { '/rules/1/when/any/1/op': '<' },
      [['operator_not_allowed', '/rules/1/when/any/1/op']],
    ],
    [
      'in on a boolean',
      { '/rules/1/when/any/1/op': 'in', '/rules/1/when/any/1/value': [true] },
      [['operator_not_allowed', '/rules/1/when/any/1/op']],
    ],
    [
      'a string constant for an integer',
      { '/rules/0/when/value': '18' },
      [['type_invalid', '/rules/0/when/value']],
    ],
    [
      'a fraction for an integer',
      { '/rules/0/when/value': 18.5 },
      [['integer_invalid', '/rules/0/when/value']],
    ],
    [
      'an undeclared feature',
      { '/rules/0/when/feature': 'agee' },
      [['feature_unknown', '/rules/0/when/feature']],
    ],
    [
      'a comparison without a value',
      { '/rules/0/when/value': removed },
      [['field_required', '/rules/0/when/value']],
    ],
    [
      'in without a list',
      { '/rules/1/when/any/0/value': 'passed' },
      [['type_invalid', '/rules/1/when/any/0/value']],
    ],
    [
      'in with an empty list',
      { '/rules/1/when/any/0/value': [] },
      [['limit_exceeded', '/rules/1/when/any/0/value']],
    ],
    [
      'in listing a value twice',
      { '/rules/1/when/any/0/value': ['passed', 'passed'] },
      [['duplicate_value', '/rules/1/when/any/0/value/1']],
    ],
    [
      'in with a constant of another type',
      { '/rules/1/when/any/0/value': ['passed', 3] },
      [['type_invalid', '/rules/1/when/any/0/value/1']],
    ],
    [
      'between with lo above hi',
      { '/rules/3/when/value': [0.9, 0.6] },
      [['range_invalid', '/rules/3/when/value']],
    ],
    [
      'between with three values',
      { '/rules/3/when/value': [0.1, 0.2, 0.3] },
      [['limit_exceeded', '/rules/3/when/value']],
    ],
    [
      'is_null on a feature that is never null',
      { '/rules/4/when/feature': 'age' },
      [['operator_not_allowed', '/rules/4/when/op']],
    ],
    [
      'is_null with a value that is not a boolean',
      { '/rules/4/when/value': 1 },
      [['type_invalid', '/rules/4/when/value']],
    ],
    [
      'money written as a JSON number',
      { '/rules/0/when': { feature: 'income', op: '>', value: 5000.5 } },
      [['minor_units_invalid', '/rules/0/when/value']],
    ],
    [
      'money with an exponent',
      { '/rules/0/when': { feature: 'income', op: '>', value: '1e3' } },
      [['minor_units_invalid', '/rules/0/when/value']],
    ],
    [
      'money with a leading zero',
      { '/rules/0/when': { feature: 'income', op: '>', value: '0100' } },
      [['minor_units_invalid', '/rules/0/when/value']],
    ],
    [
      'money above 10^15 fen',
      { '/rules/0/when': { feature: 'income', op: '>', value: '1000000000000001' } },
      [['amount_too_large', '/rules/0/when/value']],
    ],
    [
      'a date that does not exist',
      { '/rules/2/when/all/1/value': '2026-02-30' },
      [['date_invalid', '/rules/2/when/all/1/value']],
    ],
    ['an empty condition', { '/rules/0/when': {} }, [['field_required', '/rules/0/when']]],
    ['a condition that is not an object', { '/rules/0/when': [] }, [['type_invalid', '/rules/0/when']]],
    ['an empty any', { '/rules/1/when/any': [] }, [['limit_exceeded', '/rules/1/when/any']]],
    [
      'all and any in one condition',
      { '/rules/1/when/all': [{ feature: 'age', op: '<', value: 18 }] },
      [['field_unknown', '/rules/1/when/any']],
    ],
    ['a leaf with a stray field', { '/rules/0/when/all': [] }, [['field_unknown', '/rules/0/when/all']]],
    ['a leaf without op', { '/rules/0/when/op': removed }, [['field_required', '/rules/0/when/op']]],
    ['a rule id used twice', { '/rules/1/id': 'R1' }, [['duplicate_value', '/rules/1/id']]],
    ['an unknown action', { '/rules/0/action': 'block' }, [['value_not_allowed', '/rules/0/action']]],
    [
      'a reason code in lower case',
      { '/rules/0/reason': 'under_age' },
      [['name_invalid', '/rules/0/reason']],
    ],
    [
      'a description above 1,000 characters',
      { '/rules/1/description': 'x'.repeat(1001) },
      [['limit_exceeded', '/rules/1/description']],
    ],
    [
      'a gap between bins',
      { '/scorecard/characteristics/0/bins/1/range': [26, 40] },
      [['bins_invalid', '/scorecard/characteristics/0/bins/1/range/0']],
    ],
    [
      'overlapping bins',
      { '/scorecard/characteristics/0/bins/1/range': [24, 40] },
      [['bins_invalid', '/scorecard/characteristics/0/bins/1/range/0']],
    ],
    [
      'bins out of order',
      {
        '/scorecard/characteristics/0/bins/0': { range: [40, null], points: 20 },
        '/scorecard/characteristics/0/bins/2': { range: [null, 25], points: 0 },
      },
      [
        ['bins_invalid', '/scorecard/characteristics/0/bins/0/range/0'],
        ['bins_invalid', '/scorecard/characteristics/0/bins/1/range/0'],
        ['bins_invalid', '/scorecard/characteristics/0/bins/2/range/0'],
        ['bins_invalid', '/scorecard/characteristics/0/bins/2/range/1'],
      ],
    ],
    [
      'a first bin that does not start at −∞',
      { '/scorecard/characteristics/0/bins/0/range': [0, 25] },
      [['bins_invalid', '/scorecard/characteristics/0/bins/0/range/0']],
    ],
    [
      'a last bin that does not end at +∞',
      { '/scorecard/characteristics/0/bins/2/range': [40, 200] },
      [['bins_invalid', '/scorecard/characteristics/0/bins/2/range/1']],
    ],
    [
      'an empty bin [lo, lo)',
      {
        '/scorecard/characteristics/0/bins/1/range': [25, 25],
        '/scorecard/characteristics/0/bins/2/range': [25, null],
      },
      [['range_invalid', '/scorecard/characteristics/0/bins/1/range']],
    ],
    [
      'values bins on an integer',
      { '/scorecard/characteristics/0/bins/1': { values: [30], points: 1 } },
      [['bins_invalid', '/scorecard/characteristics/0/bins/1/values']],
    ],
    [
      'range bins on a string',
      { '/scorecard/characteristics/2/bins/0': { range: ['a', null], points: 1 } },
      [['bins_invalid', '/scorecard/characteristics/2/bins/0/range']],
    ],
    [
      'a string characteristic without otherPoints',
      { '/scorecard/characteristics/2/otherPoints': removed },
      [['field_required', '/scorecard/characteristics/2/otherPoints']],
    ],
    [
      'a string value in two bins',
      { '/scorecard/characteristics/2/bins/1': { values: ['failed', 'passed'], points: 0 } },
      [['duplicate_value', '/scorecard/characteristics/2/bins/1/values/1']],
    ],
    [
      'a boolean characteristic without a bin for true',
      { '/scorecard/characteristics/3/bins/1': removed },
      [['bins_invalid', '/scorecard/characteristics/3/bins']],
    ],
    [
      'otherPoints on a boolean',
      { '/scorecard/characteristics/3/otherPoints': 0 },
      [['bins_invalid', '/scorecard/characteristics/3/otherPoints']],
    ],
    [
      'otherPoints on a range characteristic',
      { '/scorecard/characteristics/0/otherPoints': 0 },
      [['bins_invalid', '/scorecard/characteristics/0/otherPoints']],
    ],
    [
      'a money bin bound as a JSON number',
      {
        '/scorecard/characteristics/1/bins/0/range/1': 500000,
        '/scorecard/characteristics/1/bins/1/range/0': 500000,
      },
      [
        ['minor_units_invalid', '/scorecard/characteristics/1/bins/0/range/1'],
        ['minor_units_invalid', '/scorecard/characteristics/1/bins/1/range/0'],
      ],
    ],
    [
      'a feature scored twice',
      {
        '/scorecard/characteristics/3/feature': 'age',
        '/scorecard/characteristics/3/bins': [{ range: [null, null], points: 0 }],
      },
      [['duplicate_value', '/scorecard/characteristics/3/feature']],
    ],
    [
      'points above a million',
      { '/scorecard/characteristics/0/bins/0/points': 1_000_001 },
      [['integer_invalid', '/scorecard/characteristics/0/bins/0/points']],
    ],
    [
      'a characteristic of an undeclared feature',
      { '/scorecard/characteristics/0/feature': 'agee' },
      [['feature_unknown', '/scorecard/characteristics/0/feature']],
    ],
    ['grades not descending', { '/grades/1/minScore': 560 }, [['grades_invalid', '/grades/1/minScore']]],
    [
      'a catch-all grade that is not last',
      { '/grades/0/minScore': null },
      [['grades_invalid', '/grades/0/minScore']],
    ],
    [
      'no belowLowestGrade under a last cut-off',
      { '/belowLowestGrade': removed },
      [['field_required', '/belowLowestGrade']],
    ],
    [
      'belowLowestGrade after a catch-all grade',
      { '/grades/1/minScore': null },
      [['grades_invalid', '/belowLowestGrade']],
    ],
    [
      'a grade listed twice',
      { '/grades/1/grade': 'A' },
      [
        ['duplicate_value', '/grades/1/grade'],
        ['offers_invalid', '/offers/1/grade'],
      ],
    ],
    ['no grades', { '/grades': [] }, [['limit_exceeded', '/grades']]],
    ['a grade without an offer', { '/offers/1': removed }, [['offers_invalid', '/offers']]],
    [
      'an offer for an unknown grade',
      { '/offers/1/grade': 'C' },
      [
        ['offers_invalid', '/offers/1/grade'],
        ['offers_invalid', '/offers'],
      ],
    ],
    [
      'two offers for one grade',
      { '/offers/1/grade': 'A' },
      [
        ['duplicate_value', '/offers/1/grade'],
        ['offers_invalid', '/offers'],
      ],
    ],
    [
      'a credit limit of zero',
      { '/offers/0/creditLimit': '0' },
      [['credit_limit_invalid', '/offers/0/creditLimit']],
    ],
    [
      'a credit limit above 200,000.00 CNY',
      { '/offers/0/creditLimit': '20000001' },
      [['credit_limit_invalid', '/offers/0/creditLimit']],
    ],
    [
      'a credit limit in yuan',
      { '/offers/0/creditLimit': '50000.00' },
      [['minor_units_invalid', '/offers/0/creditLimit']],
    ],
    ['a negative rate', { '/offers/0/price/rate': '-0.1' }, [['rate_negative', '/offers/0/price/rate']]],
    [
      'an annual rate above 10',
      { '/offers/0/price/rate': '10.5' },
      [['rate_too_large', '/offers/0/price/rate']],
    ],
    ['a fee rate above 1', { '/offers/1/price/rate': '1.5' }, [['rate_too_large', '/offers/1/price/rate']]],
    [
      'a rate with 13 places',
      { '/offers/0/price/rate': '0.1200000000000' },
      [['rate_precision_exceeded', '/offers/0/price/rate']],
    ],
    ['a rate as a number', { '/offers/0/price/rate': 0.12 }, [['decimal_invalid', '/offers/0/price/rate']]],
    [
      'an unknown price kind',
      { '/offers/0/price/kind': 'apr' },
      [['value_not_allowed', '/offers/0/price/kind']],
    ],
    ['an offer without products', { '/offers/0/products': [] }, [['limit_exceeded', '/offers/0/products']]],
    [
      'a product listed twice',
      { '/offers/0/products/1': 'cash-line' },
      [['duplicate_value', '/offers/0/products/1']],
    ],
  ])('%s', (_name, changes, expected) => {
    expect(broken(changes)).toEqual(expected);
  });

  it('a feature named __proto__ (an own key, as JSON.parse makes it)', () => {
    const text = JSON.stringify(smallPolicy).replace(
      '"features":{',
      '"features":{"__proto__":{"type":"integer"},',
    );
    expect(issuesOf(JSON.parse(text))).toEqual([['name_invalid', '/features/__proto__']]);
  });

  it('a document that is not an object, at the root', () => {
    expect(issuesOf([])).toEqual([['type_invalid', '']]);
    expect(issuesOf(null)).toEqual([['type_invalid', '']]);
  });

  it(`conditions nested deeper than ${conditionDepthMax}, at the first level too deep`, () => {
    let when: unknown = { feature: 'age', op: '<', value: 18 };
    for (let depth = 1; depth <= conditionDepthMax; depth += 1) when = { not: when };
    const tooDeep = `/rules/0/when${'/not'.repeat(conditionDepthMax)}`;
    expect(broken({ '/rules/0/when': when })).toEqual([['limit_exceeded', tooDeep]]);
  });

  it(`more than ${policyRulesMax} rules`, () => {
    const rule = smallPolicy.rules[0];
    const rules = Array.from({ length: policyRulesMax + 1 }, (_, i) => ({ ...rule, id: `R${i}` }));
    expect(broken({ '/rules': rules })).toEqual([['limit_exceeded', '/rules']]);
  });

  it('every mistake of a document at once, in document order', () => {
    expect(
      broken({
        '/version': -1,
        '/rules/0/when/op': 'lt',
        '/rules/3/when/value': [1, 0],
        '/scorecard/characteristics/0/bins/1/range': [26, 40],
        '/offers/0/creditLimit': '0',
      }),
    ).toEqual([
      ['integer_invalid', '/version'],
      ['value_not_allowed', '/rules/0/when/op'],
      ['range_invalid', '/rules/3/when/value'],
      ['bins_invalid', '/scorecard/characteristics/0/bins/1/range/0'],
      ['credit_limit_invalid', '/offers/0/creditLimit'],
    ]);
  });

  it('with messages that say what was expected', () => {
    const result = validatePolicy(
      patched(smallPolicy, {
        '/rules/1/when/any/0/op': '<',
        '/scorecard/characteristics/0/bins/1/range': [26, 40],
        '/grades/1/minScore': 600,
      }),
    );
    expect(result.ok ? [] : result.issues).toEqual([
      {
        code: 'operator_not_allowed',
        path: '/rules/1/when/any/0/op',
        message: 'op < needs an ordered feature; kycStatus is a string',
      },
      {
        code: 'bins_invalid',
        path: '/scorecard/characteristics/0/bins/1/range/0',
        message: 'bin 1 must start where bin 0 ends (25): a gap',
      },
      {
        code: 'grades_invalid',
        path: '/grades/1/minScore',
        message: "minScore must be below the previous grade's 560",
      },
    ]);
  });
});

describe('pointer', () => {
  it('escapes ~ and / as RFC 6901 says', () => {
    expect(pointer('/features', 'a/b~c')).toBe('/features/a~1b~0c');
    expect(pointer('', 3)).toBe('/3');
  });
});
