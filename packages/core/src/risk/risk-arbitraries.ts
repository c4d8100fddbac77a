import fc from 'fast-check';
import type {
  Characteristic,
  Condition,
  ConditionOp,
  FeatureSpec,
  FeatureType,
  GradeCut,
  Offer,
  PolicyDocument,
  PolicyRule,
  PolicyScalar,
  ScorecardBin,
} from './policy.ts';
import { featureTypes, orderedFeatureTypes } from './policy.ts';

// fast-check generators of valid policy documents and of snapshots for them, shared by the oracle
// and schema tests. Constants and snapshot values come from one small pool per type, so equality,
// `in` and bin edges are hit often rather than almost never.

export const valuePools: Record<FeatureType, readonly PolicyScalar[]> = {
  integer: [-7, -1, 0, 1, 2, 3, 18, 60, 9_007_199_254_740_991],
  number: [-1.5, 0, 0.1, 0.25, 0.5, 1, 2.75, 1e21],
  string: ['', 'a', 'b', 'passed', 'failed', '多头'],
  boolean: [true, false],
  date: ['1900-01-01', '2020-02-29', '2024-06-30', '2026-12-01', '9999-12-31'],
  money: ['-1000000000000000', '-100', '0', '1', '99', '100', '123456', '1000000000000000'],
};

const ordered: ReadonlySet<FeatureType> = new Set(orderedFeatureTypes);

export function compareValues(type: FeatureType, a: PolicyScalar, b: PolicyScalar): number {
  if (type === 'money') {
    const x = BigInt(String(a));
    const y = BigInt(String(b));
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

interface NamedFeature {
  readonly name: string;
  readonly spec: FeatureSpec;
}

const featureArb: fc.Arbitrary<FeatureSpec> = fc.record({
  type: fc.constantFrom(...featureTypes),
  nullable: fc.boolean(),
});

function poolValue(type: FeatureType): fc.Arbitrary<PolicyScalar> {
  return fc.constantFrom(...valuePools[type]);
}

function opsFor(feature: FeatureSpec): ConditionOp[] {
  const ops: ConditionOp[] = ['==', '!='];
  if (ordered.has(feature.type)) ops.push('<', '<=', '>', '>=', 'between');
  if (feature.type !== 'boolean') ops.push('in', 'not_in');
  if (feature.nullable === true) ops.push('is_null');
  return ops;
}

function leafArb(features: readonly NamedFeature[]): fc.Arbitrary<Condition> {
  return fc.constantFrom(...features).chain(({ name, spec }) =>
    fc.constantFrom(...opsFor(spec)).chain((op): fc.Arbitrary<Condition> => {
      switch (op) {
        case 'is_null':
          return fc
            .constantFrom<boolean | undefined>(true, false, undefined)
            .map((value) => (value === undefined ? { feature: name, op } : { feature: name, op, value }));
        case 'in':
        case 'not_in':
          return fc
            .uniqueArray(poolValue(spec.type), { minLength: 1, maxLength: 4 })
            .map((value) => ({ feature: name, op, value }));
        case 'between':
          return fc.tuple(poolValue(spec.type), poolValue(spec.type)).map(([a, b]) => ({
            feature: name,
            op,
            value: compareValues(spec.type, a, b) <= 0 ? [a, b] : [b, a],
          }));
        default:
          return poolValue(spec.type).map((value) => ({ feature: name, op, value }));
      }
    }),
  );
}

function conditionArb(features: readonly NamedFeature[]): fc.Arbitrary<Condition> {
  const { condition } = fc.letrec<{ condition: Condition }>((tie) => ({
    condition: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leafArb(features),
      fc.array(tie('condition'), { minLength: 1, maxLength: 3 }).map((all) => ({ all })),
      fc.array(tie('condition'), { minLength: 1, maxLength: 3 }).map((any) => ({ any })),
      tie('condition').map((not) => ({ not })),
    ),
  }));
  return condition;
}

function ruleArb(features: readonly NamedFeature[], index: number): fc.Arbitrary<PolicyRule> {
  return fc.record({
    id: fc.constant(`R${index}`),
    when: conditionArb(features),
    action: fc.constantFrom('reject' as const, 'review' as const),
    reason: fc.constantFrom('R_A', 'R_B', 'R_C', `R_${index}`),
  });
}

const pointsArb = fc.integer({ min: -100, max: 100 });

function binsArb(spec: FeatureSpec): fc.Arbitrary<{ bins: ScorecardBin[]; otherPoints?: number }> {
  const type = spec.type;
  if (ordered.has(type)) {
    return fc
      .uniqueArray(poolValue(type), { maxLength: 4 })
      .chain((cuts) => {
        const sorted = [...cuts].sort((a, b) => compareValues(type, a, b));
        const bounds: (PolicyScalar | null)[] = [null, ...sorted, null];
        return fc
          .array(pointsArb, { minLength: bounds.length - 1, maxLength: bounds.length - 1 })
          .map((points) =>
            points.map(
              (p, i): ScorecardBin => ({ range: [bounds[i] ?? null, bounds[i + 1] ?? null], points: p }),
            ),
          );
      })
      .map((bins) => ({ bins }));
  }
  if (type === 'boolean') {
    return fc
      .oneof(
        fc.tuple(pointsArb, pointsArb).map(([t, f]): ScorecardBin[] => [
          { values: [true], points: t },
          { values: [false], points: f },
        ]),
        pointsArb.map((p): ScorecardBin[] => [{ values: [false, true], points: p }]),
      )
      .map((bins) => ({ bins }));
  }
  return fc
    .record({
      groups: fc.uniqueArray(poolValue(type), { minLength: 1, maxLength: 4 }).chain((values) =>
        fc
          .array(fc.integer({ min: 0, max: 1 }), { minLength: values.length, maxLength: values.length })
          .map((cuts) => {
            const groups: PolicyScalar[][] = [[]];
            values.forEach((value, i) => {
              if (i > 0 && cuts[i] === 1) groups.push([]);
              groups.at(-1)?.push(value);
            });
            return groups;
          }),
      ),
      points: fc.array(pointsArb, { minLength: 5, maxLength: 5 }),
      otherPoints: pointsArb,
    })
    .map(({ groups, points, otherPoints }) => ({
      bins: groups.map((values, i): ScorecardBin => ({ values, points: points[i] ?? 0 })),
      otherPoints,
    }));
}

function characteristicArb(feature: NamedFeature): fc.Arbitrary<Characteristic> {
  return fc
    .record({ bins: binsArb(feature.spec), missingPoints: pointsArb })
    .map(({ bins, missingPoints }) => ({
      feature: feature.name,
      bins: bins.bins,
      missingPoints,
      ...(bins.otherPoints === undefined ? {} : { otherPoints: bins.otherPoints }),
    }));
}

const gradesArb: fc.Arbitrary<{ grades: GradeCut[]; belowLowestGrade?: string }> = fc
  .record({
    cuts: fc.uniqueArray(fc.integer({ min: -150, max: 150 }), { minLength: 1, maxLength: 4 }),
    catchAll: fc.boolean(),
  })
  .map(({ cuts, catchAll }) => {
    const sorted = [...cuts].sort((a, b) => b - a);
    const grades: GradeCut[] = sorted.map((minScore, i) => ({ grade: 'ABCDE'.charAt(i), minScore }));
    if (catchAll) grades.push({ grade: 'Z', minScore: null });
    return catchAll ? { grades } : { grades, belowLowestGrade: 'S_LOW' };
  });

function offersFor(grades: readonly GradeCut[]): fc.Arbitrary<Offer[]> {
  return fc.tuple(
    ...grades.map((cut) =>
      fc.record({
        grade: fc.constant(cut.grade),
        creditLimit: fc.integer({ min: 1, max: 20_000_000 }).map(String),
        price: fc.oneof(
          fc
            .integer({ min: 0, max: 3600 })
            .map((bp) => ({ kind: 'annual_rate' as const, rate: (bp / 10_000).toFixed(4) })),
          fc
            .integer({ min: 0, max: 150 })
            .map((bp) => ({ kind: 'period_fee_rate' as const, rate: (bp / 10_000).toFixed(4) })),
        ),
        products: fc.uniqueArray(fc.constantFrom('cash-line', 'pos', 'edu.v2'), {
          minLength: 1,
          maxLength: 3,
        }),
      }),
    ),
  );
}

/** A valid policy document with up to 8 features, 8 rules and 5 characteristics. */
export const policyDocumentArb: fc.Arbitrary<PolicyDocument> = fc
  .uniqueArray(
    fc.constantFrom('age', 'income', 'kyc', 'flag', 'since', 'debt', 'score', 'constructor', 'f_9'),
    {
      minLength: 1,
      maxLength: 8,
    },
  )
  .chain((names) =>
    fc.tuple(...names.map((name) => featureArb.map((spec): NamedFeature => ({ name, spec })))),
  )
  .chain((features) =>
    fc.record({
      features: fc.constant(features),
      rules: fc
        .integer({ min: 0, max: 8 })
        .chain((count) =>
          count === 0
            ? fc.constant<PolicyRule[]>([])
            : fc
                .tuple(...Array.from({ length: count }, (_, i) => ruleArb(features, i)))
                .map((rules) => [...rules]),
        ),
      characteristics: fc
        .subarray(features, { maxLength: Math.min(5, features.length) })
        .chain((scored) =>
          scored.length === 0
            ? fc.constant<Characteristic[]>([])
            : fc.tuple(...scored.map(characteristicArb)).map((list) => [...list]),
        ),
      basePoints: fc.integer({ min: -50, max: 50 }),
      grades: gradesArb,
    }),
  )
  .chain(({ features, rules, characteristics, basePoints, grades }) =>
    offersFor(grades.grades).map(
      (offers): PolicyDocument => ({
        id: 'random-policy',
        version: 1,
        currency: 'CNY',
        features: Object.fromEntries(features.map(({ name, spec }) => [name, spec])),
        rules,
        scorecard: { basePoints, characteristics },
        ...grades,
        offers,
      }),
    ),
  );

/** Snapshot values for the features: pool values, and null or absent for nullable ones. */
export function snapshotArb(document: PolicyDocument): fc.Arbitrary<Record<string, unknown>> {
  const entries = Object.entries(document.features).map(([name, spec]) =>
    (spec.nullable === true
      ? fc.oneof(poolValue(spec.type), fc.constant(null), fc.constant(undefined))
      : poolValue(spec.type)
    ).map((value) => [name, value] as const),
  );
  return fc.tuple(...entries).map((pairs) => {
    const snapshot: Record<string, unknown> = {};
    for (const [name, value] of pairs) if (value !== undefined) snapshot[name] = value;
    return snapshot;
  });
}

/** Values of the wrong type for some feature, or a non-nullable one left out. */
export const wrongValueArb: fc.Arbitrary<unknown> = fc.constantFrom(
  '1',
  1.5,
  Number.NaN,
  '2026-02-30',
  '01',
  100,
  '1e3',
  true,
  [],
  {},
  '10000000000000000',
  9_007_199_254_740_992,
);
