import type { PolicyDocument } from './policy.ts';

// A small policy the validation, schema and fixture tests start from: one feature of every type,
// rules with every kind of condition, a characteristic of every kind and two grades.

export const smallPolicy = {
  id: 'small',
  version: 2,
  currency: 'CNY',
  features: {
    age: { type: 'integer' },
    income: { type: 'money', nullable: true },
    kycStatus: { type: 'string' },
    blacklisted: { type: 'boolean' },
    deviceRisk: { type: 'number' },
    idExpiry: { type: 'date', nullable: true },
  },
  rules: [
    { id: 'R1', when: { feature: 'age', op: '<', value: 18 }, action: 'reject', reason: 'R1_UNDER_AGE' },
    {
      id: 'R2',
      description: 'KYC not passed or on the blacklist',
      when: {
        any: [
          { feature: 'kycStatus', op: 'not_in', value: ['passed'] },
          { feature: 'blacklisted', op: '==', value: true },
        ],
      },
      action: 'reject',
      reason: 'R2_KYC_OR_BLACKLIST',
    },
    {
      id: 'R3',
      when: {
        all: [
          { not: { feature: 'idExpiry', op: 'is_null' } },
          { feature: 'idExpiry', op: '<=', value: '2026-12-01' },
        ],
      },
      action: 'reject',
      reason: 'R3_ID_EXPIRED',
    },
    {
      id: 'R4',
      when: { feature: 'deviceRisk', op: 'between', value: [0.6, 0.9] },
      action: 'review',
      reason: 'R4_DEVICE_RISK',
    },
    {
      id: 'R5',
      when: { feature: 'income', op: 'is_null', value: true },
      action: 'review',
      reason: 'R5_NO_INCOME',
    },
  ],
  scorecard: {
    basePoints: 500,
    characteristics: [
      {
        feature: 'age',
        bins: [
          { range: [null, 25], points: 0 },
          { range: [25, 40], points: 30 },
          { range: [40, null], points: 20 },
        ],
        missingPoints: 0,
      },
      {
        feature: 'income',
        bins: [
          { range: [null, '500000'], points: -20 },
          { range: ['500000', null], points: 40 },
        ],
        missingPoints: -10,
      },
      {
        feature: 'kycStatus',
        bins: [{ values: ['passed'], points: 10 }],
        missingPoints: 0,
        otherPoints: -50,
      },
      {
        feature: 'blacklisted',
        bins: [
          { values: [false], points: 5 },
          { values: [true], points: -100 },
        ],
        missingPoints: 0,
      },
    ],
  },
  grades: [
    { grade: 'A', minScore: 560 },
    { grade: 'B', minScore: 520 },
  ],
  belowLowestGrade: 'S_SCORE_TOO_LOW',
  offers: [
    {
      grade: 'A',
      creditLimit: '5000000',
      price: { kind: 'annual_rate', rate: '0.1200' },
      products: ['cash-line', 'pos'],
    },
    {
      grade: 'B',
      creditLimit: '1000000',
      price: { kind: 'period_fee_rate', rate: '0.0075' },
      products: ['pos'],
    },
  ],
} as const satisfies PolicyDocument;

/** Deletes the value at a path when given as the new value. */
export const removed = Symbol('removed');

/**
 * A deep copy of `document` with the value at each JSON Pointer replaced (or removed); array
 * indexes past the end append. For tests that break one thing at a time.
 */
export function patched(document: unknown, changes: Readonly<Record<string, unknown>>): unknown {
  const copy: unknown = structuredClone(document);
  for (const [path, value] of Object.entries(changes)) {
    const keys = path
      .split('/')
      .slice(1)
      .map((key) => key.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = keys.pop();
    if (last === undefined) throw new Error('patched: cannot replace the root');
    let parent: unknown = copy;
    for (const key of keys) parent = (parent as Record<string, unknown>)[key];
    if (typeof parent !== 'object' || parent === null) throw new Error(`patched: no parent for ${path}`);
    const target = parent as Record<string, unknown>;
    if (value === removed) {
      if (Array.isArray(target)) target.splice(Number(last), 1);
      else delete target[last];
    } else {
      target[last] = value;
    }
  }
  return copy;
}
