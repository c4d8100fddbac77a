import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compilePolicy, evaluateCompiled, evaluatePolicy } from './compile.ts';
import type { Decision } from './decision.ts';
import { canonicalDecisionJson, canonicalJson } from './decision.ts';
import type { Policy } from './policy.ts';
import { patched, smallPolicy } from './test-policy.ts';
import { validatePolicy } from './validate-policy.ts';

// Fixed policies and snapshots with the whole expected decision written out, trace included.

function policyOf(document: unknown): Policy {
  const result = validatePolicy(document);
  if (!result.ok) throw new Error(`invalid test policy: ${JSON.stringify(result.issues)}`);
  return result.value;
}

function decide(policy: Policy, snapshot: unknown): Decision {
  const result = evaluatePolicy(policy, snapshot);
  if (!result.ok) throw new Error(`refused snapshot: ${JSON.stringify(result.issues)}`);
  return result.value;
}

const small = policyOf(smallPolicy);

const good = {
  age: 30,
  income: '800000',
  kycStatus: 'passed',
  blacklisted: false,
  deviceRisk: 0.2,
  idExpiry: '2030-01-01',
};

const passes = (overrides: Record<string, string>) =>
  [
    { id: 'R1', verdict: 'pass', action: 'reject', reason: 'R1_UNDER_AGE', read: { age: 30 } },
    {
      id: 'R2',
      verdict: 'pass',
      action: 'reject',
      reason: 'R2_KYC_OR_BLACKLIST',
      read: { kycStatus: 'passed', blacklisted: false },
    },
    {
      id: 'R3',
      verdict: 'pass',
      action: 'reject',
      reason: 'R3_ID_EXPIRED',
      read: { idExpiry: '2030-01-01' },
    },
    { id: 'R4', verdict: 'pass', action: 'review', reason: 'R4_DEVICE_RISK', read: { deviceRisk: 0.2 } },
    { id: 'R5', verdict: 'pass', action: 'review', reason: 'R5_NO_INCOME', read: { income: '800000' } },
  ].map((rule) => ({ ...rule, verdict: overrides[rule.id] ?? rule.verdict }));

describe('evaluatePolicy on the small policy', () => {
  it('approves a clean snapshot with the grade A offer, tracing every rule and characteristic', () => {
    expect(decide(small, good)).toEqual({
      policyId: 'small',
      policyVersion: 2,
      outcome: 'approve',
      score: 585,
      grade: 'A',
      creditLimit: '5000000',
      price: { kind: 'annual_rate', rate: '0.1200' },
      products: ['cash-line', 'pos'],
      reasons: [],
      trace: {
        rules: passes({}),
        scorecard: [
          { feature: 'age', value: 30, bin: 1, points: 30 },
          { feature: 'income', value: '800000', bin: 1, points: 40 },
          { feature: 'kycStatus', value: 'passed', bin: 0, points: 10 },
          { feature: 'blacklisted', value: false, bin: 0, points: 5 },
        ],
        score: 585,
        grade: 'A',
      },
    });
  });

  it('rejects on every hit rule, lists each reason in rule order, and still scores and grades', () => {
    const snapshot = {
      age: 17,
      kycStatus: 'pending',
      blacklisted: true,
      deviceRisk: 0.6,
      idExpiry: '2026-12-01',
      unrelated: 'ignored',
    };
    expect(decide(small, snapshot)).toEqual({
      policyId: 'small',
      policyVersion: 2,
      outcome: 'reject',
      score: 340,
      grade: null,
      creditLimit: null,
      price: null,
      products: [],
      reasons: ['R1_UNDER_AGE', 'R2_KYC_OR_BLACKLIST', 'R3_ID_EXPIRED', 'R4_DEVICE_RISK', 'R5_NO_INCOME'],
      trace: {
        rules: [
          { id: 'R1', verdict: 'hit', action: 'reject', reason: 'R1_UNDER_AGE', read: { age: 17 } },
          {
            id: 'R2',
            verdict: 'hit',
            action: 'reject',
            reason: 'R2_KYC_OR_BLACKLIST',
            read: { kycStatus: 'pending', blacklisted: true },
          },
          {
            id: 'R3',
            verdict: 'hit',
            action: 'reject',
            reason: 'R3_ID_EXPIRED',
            read: { idExpiry: '2026-12-01' },
          },
          { id: 'R4', verdict: 'hit', action: 'review', reason: 'R4_DEVICE_RISK', read: { deviceRisk: 0.6 } },
          { id: 'R5', verdict: 'hit', action: 'review', reason: 'R5_NO_INCOME', read: { income: null } },
        ],
        scorecard: [
          { feature: 'age', value: 17, bin: 0, points: 0 },
          { feature: 'income', value: null, bin: 'missing', points: -10 },
          { feature: 'kycStatus', value: 'pending', bin: 'other', points: -50 },
          { feature: 'blacklisted', value: true, bin: 1, points: -100 },
        ],
        score: 340,
        grade: null,
      },
    });
  });

  it('sends a review hit without reject hits to review, keeping the grade but no offer', () => {
    const decision = decide(small, { ...good, deviceRisk: 0.9 });
    expect(decision).toMatchObject({
      outcome: 'review',
      score: 585,
      grade: 'A',
      creditLimit: null,
      price: null,
      products: [],
      reasons: ['R4_DEVICE_RISK'],
    });
    expect(decision.trace.rules).toEqual(
      passes({ R4: 'hit' }).map((rule) => (rule.id === 'R4' ? { ...rule, read: { deviceRisk: 0.9 } } : rule)),
    );
  });

  it('rejects a clean snapshot scoring below every grade with belowLowestGrade', () => {
    const decision = decide(small, { ...good, age: 22, income: '499999' });
    expect(decision).toMatchObject({
      outcome: 'reject',
      score: 495,
      grade: null,
      reasons: ['S_SCORE_TOO_LOW'],
    });
    expect(decision.trace.scorecard.map((entry) => [entry.bin, entry.points])).toEqual([
      [0, 0],
      [0, -20],
      [0, 10],
      [0, 5],
    ]);
  });

  it('gives grade B its offer, priced by a period fee rate', () => {
    expect(decide(small, { ...good, age: 50 })).toMatchObject({
      outcome: 'approve',
      score: 575,
      grade: 'A',
    });
    expect(decide(small, { ...good, age: 24 })).toMatchObject({
      outcome: 'approve',
      score: 555,
      grade: 'B',
      creditLimit: '1000000',
      price: { kind: 'period_fee_rate', rate: '0.0075' },
      products: ['pos'],
    });
  });

  it('puts a value on a bin edge in the bin it starts: [lo, hi)', () => {
    const bins = (age: number) => decide(small, { ...good, age }).trace.scorecard[0]?.bin;
    expect([bins(24), bins(25), bins(39), bins(40), bins(-5), bins(150)]).toEqual([0, 1, 1, 2, 0, 2]);
    const income = (value: string) => decide(small, { ...good, income: value }).trace.scorecard[1]?.bin;
    expect([income('499999'), income('500000'), income('-1'), income('1000000000000000')]).toEqual([
      0, 1, 0, 1,
    ]);
  });

  it('includes both bounds of between', () => {
    const verdict = (deviceRisk: number) => decide(small, { ...good, deviceRisk }).trace.rules[3]?.verdict;
    expect([verdict(0.59999), verdict(0.6), verdict(0.75), verdict(0.9), verdict(0.90001)]).toEqual([
      'pass',
      'hit',
      'hit',
      'hit',
      'pass',
    ]);
  });
});

describe('a missing value', () => {
  const policy = policyOf(
    patched(smallPolicy, {
      '/rules': [
        { id: 'NE', when: { feature: 'income', op: '!=', value: '0' }, action: 'review', reason: 'NE' },
        { id: 'NI', when: { feature: 'income', op: 'not_in', value: ['0'] }, action: 'review', reason: 'NI' },
        { id: 'LT', when: { feature: 'income', op: '<', value: '100' }, action: 'review', reason: 'LT' },
        {
          id: 'NOT',
          when: { not: { feature: 'income', op: '<', value: '100' } },
          action: 'review',
          reason: 'NOT',
        },
        { id: 'NULL', when: { feature: 'income', op: 'is_null' }, action: 'review', reason: 'NULL' },
        {
          id: 'SET',
          when: { feature: 'income', op: 'is_null', value: false },
          action: 'review',
          reason: 'SET',
        },
      ],
    }),
  );
  const verdicts = (snapshot: unknown) => decide(policy, snapshot).trace.rules.map((rule) => rule.verdict);

  it('makes every leaf false but is_null, whatever the operator, and not inverts that', () => {
    const { income: _, ...withoutIncome } = good;
    expect(verdicts(withoutIncome)).toEqual(['pass', 'pass', 'pass', 'hit', 'hit', 'pass']);
    expect(verdicts({ ...good, income: null })).toEqual(['pass', 'pass', 'pass', 'hit', 'hit', 'pass']);
    expect(verdicts({ ...good, income: '0' })).toEqual(['pass', 'pass', 'hit', 'pass', 'pass', 'hit']);
    expect(verdicts({ ...good, income: '7' })).toEqual(['hit', 'hit', 'hit', 'pass', 'pass', 'hit']);
  });
});

describe('a snapshot with bad values', () => {
  it('is refused with an issue at each bad feature, in declaration order', () => {
    const result = evaluatePolicy(small, {
      age: 30.5,
      income: 8000.5,
      blacklisted: 'no',
      deviceRisk: '0.2',
      idExpiry: '2030-02-30',
    });
    expect(result).toEqual({
      ok: false,
      issues: [
        {
          code: 'integer_invalid',
          path: '/age',
          message: 'age must be an integer (a JSON number without fraction)',
        },
        {
          code: 'minor_units_invalid',
          path: '/income',
          message: 'income must be integer fen as a string of digits, such as "123456"',
        },
        { code: 'field_required', path: '/kycStatus', message: 'kycStatus is required (not nullable)' },
        { code: 'type_invalid', path: '/blacklisted', message: 'blacklisted must be true or false' },
        { code: 'type_invalid', path: '/deviceRisk', message: 'deviceRisk must be a finite JSON number' },
        {
          code: 'date_invalid',
          path: '/idExpiry',
          message: 'idExpiry must be a date string YYYY-MM-DD of a real date in 1900–9999',
        },
      ],
    });
  });

  it('refuses money beyond 10^15 fen and a snapshot that is not an object', () => {
    expect(evaluatePolicy(small, { ...good, income: '1000000000000001' })).toMatchObject({
      ok: false,
      issues: [{ code: 'amount_too_large', path: '/income' }],
    });
    expect(evaluatePolicy(small, { ...good, income: '12345678901234567890' })).toMatchObject({
      ok: false,
      issues: [{ code: 'amount_too_large', path: '/income' }],
    });
    for (const snapshot of [null, [], 'x', 3])
      expect(evaluatePolicy(small, snapshot)).toEqual({
        ok: false,
        issues: [
          { code: 'type_invalid', path: '', message: 'a snapshot must be a JSON object of feature values' },
        ],
      });
  });

  it('reads only own keys: a feature named constructor is missing, not Object', () => {
    const policy = policyOf(
      patched(smallPolicy, {
        '/features/constructor': { type: 'integer' },
        '/features/toString': { type: 'string', nullable: true },
      }),
    );
    expect(evaluatePolicy(policy, good)).toMatchObject({
      ok: false,
      issues: [{ code: 'field_required', path: '/constructor' }],
    });
    expect(evaluatePolicy(policy, { ...good, constructor: 3 }).ok).toBe(true);
  });
});

const fixtures = new URL('../../../../fixtures/risk/', import.meta.url);
const readFixture = (name: string): unknown => JSON.parse(readFileSync(new URL(name, fixtures), 'utf8'));
const example = policyOf(readFixture('policy-example.json'));

describe('the example policy (fixtures/risk)', () => {
  it('has 50 rules and 10 characteristics', () => {
    expect([example.rules.length, example.scorecard.characteristics.length]).toEqual([50, 10]);
  });

  it.each([
    ['snapshot-approve.json', 'approve', 770, 'A', []],
    [
      'snapshot-reject.json',
      'reject',
      650,
      'B',
      [
        'R001_UNDER_AGE',
        'R009_MULTI_LENDING_7D_GT_3',
        'R029_NO_BUREAU_NO_INCOME',
        'R039_FEW_CONTACTS',
        'R050_MULTI_LENDING_ACCELERATING',
      ],
    ],
    ['snapshot-review.json', 'review', 690, 'B', ['R007_ID_EXPIRY_UNKNOWN', 'R019_DEVICE_MEDIUM_RISK']],
    ['snapshot-below-lowest-grade.json', 'reject', 535, null, ['S001_SCORE_BELOW_LOWEST_GRADE']],
  ])('decides %s: %s, score %i, grade %s', (file, outcome, score, grade, reasons) => {
    const decision = decide(example, readFixture(file));
    expect([decision.outcome, decision.score, decision.grade, decision.reasons]).toEqual([
      outcome,
      score,
      grade,
      reasons,
    ]);
    expect(decision.trace.rules).toHaveLength(50);
    expect(decision.trace.scorecard).toHaveLength(10);
  });

  it('refuses snapshot-invalid.json naming each bad value', () => {
    const result = evaluatePolicy(example, readFixture('snapshot-invalid.json'));
    expect(result.ok ? [] : result.issues.map((found) => [found.code, found.path])).toEqual([
      ['type_invalid', '/age'],
      ['field_required', '/kycStatus'],
      ['minor_units_invalid', '/monthlyIncome'],
      ['date_invalid', '/applicationDate'],
    ]);
  });
});

describe('determinism', () => {
  const snapshots = ['approve', 'reject', 'review', 'below-lowest-grade'].map((name) =>
    readFixture(`snapshot-${name}.json`),
  );

  it('gives byte-identical JSON for the same policy and snapshot, whatever the key order or the compilation', () => {
    const first = compilePolicy(example);
    const second = compilePolicy(policyOf(readFixture('policy-example.json')));
    for (const snapshot of snapshots) {
      const reversed = Object.fromEntries(Object.entries(snapshot as Record<string, unknown>).reverse());
      const a = evaluateCompiled(first, snapshot);
      // Another snapshot evaluated in between leaves nothing behind in the compiled policy.
      evaluateCompiled(first, snapshots[0]);
      const b = evaluateCompiled(second, reversed);
      if (!a.ok || !b.ok) throw new Error('refused');
      expect(JSON.stringify(b.value)).toBe(JSON.stringify(a.value));
      expect(canonicalDecisionJson(b.value)).toBe(canonicalDecisionJson(a.value));
    }
  });

  it('pins the canonical text of one decision (a change to it is a change of the stored format)', () => {
    const decision = decide(small, good);
    expect(canonicalDecisionJson(decision)).toBe(
      '{"creditLimit":"5000000","grade":"A","outcome":"approve","policyId":"small","policyVersion":2,' +
        '"price":{"kind":"annual_rate","rate":"0.1200"},"products":["cash-line","pos"],"reasons":[],"score":585,' +
        '"trace":{"grade":"A","rules":[' +
        '{"action":"reject","id":"R1","read":{"age":30},"reason":"R1_UNDER_AGE","verdict":"pass"},' +
        '{"action":"reject","id":"R2","read":{"blacklisted":false,"kycStatus":"passed"},"reason":"R2_KYC_OR_BLACKLIST","verdict":"pass"},' +
        '{"action":"reject","id":"R3","read":{"idExpiry":"2030-01-01"},"reason":"R3_ID_EXPIRED","verdict":"pass"},' +
        '{"action":"review","id":"R4","read":{"deviceRisk":0.2},"reason":"R4_DEVICE_RISK","verdict":"pass"},' +
        '{"action":"review","id":"R5","read":{"income":"800000"},"reason":"R5_NO_INCOME","verdict":"pass"}],' +
        '"score":585,"scorecard":[' +
        '{"bin":1,"feature":"age","points":30,"value":30},' +
        '{"bin":1,"feature":"income","points":40,"value":"800000"},' +
        '{"bin":0,"feature":"kycStatus","points":10,"value":"passed"},' +
        '{"bin":0,"feature":"blacklisted","points":5,"value":false}]}}',
    );
  });
});

describe('canonicalJson (RFC 8785)', () => {
  it('sorts keys by UTF-16 code units and prints numbers as ECMAScript does', () => {
    expect(canonicalJson({ b: 1, a: [1e21, 0.1, -0, 1e-7, 100], é: null, Z: '\u2028"' })).toBe(
      '{"Z":"\u2028\\"","a":[1e+21,0.1,0,1e-7,100],"b":1,"é":null}',
    );
    expect(canonicalJson({ '\u{1F600}': 1, '\uFFFF': 2 })).toBe('{"\u{1F600}":1,"\uFFFF":2}');
  });

  it('leaves out undefined members as JSON.stringify does', () => {
    expect(canonicalJson({ a: undefined, b: [] })).toBe('{"b":[]}');
  });
});
