import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLocalDate } from '../date/local-date.ts';
import { compilePolicy, evaluateCompiled } from './compile.ts';
import type { CharacteristicTrace, Decision, RuleTrace } from './decision.ts';
import { canonicalDecisionJson } from './decision.ts';
import type { Condition, FeatureType, PolicyDocument, PolicyScalar } from './policy.ts';
import { compareValues, policyDocumentArb, snapshotArb, wrongValueArb } from './risk-arbitraries.ts';
import { validatePolicy } from './validate-policy.ts';

// The model oracle: a straightforward interpreter of the policy document, written here from the
// rules in docs/risk.md and sharing no code with the engine, against the compiled engine on random
// policies and snapshots. It walks the JSON as it is, re-reads every value for every leaf and
// compares money as freshly parsed bigints — slow and obviously right.

type Snapshot = Readonly<Record<string, unknown>>;

function snapshotValue(snapshot: Snapshot, name: string): PolicyScalar | null {
  if (!Object.hasOwn(snapshot, name)) return null;
  const value = snapshot[name];
  return value === undefined || value === null ? null : (value as PolicyScalar);
}

function typeOf(policy: PolicyDocument, name: string): FeatureType {
  const spec = policy.features[name];
  if (spec === undefined) throw new Error(`oracle: no feature ${name}`);
  return spec.type;
}

function equal(type: FeatureType, a: PolicyScalar, b: PolicyScalar): boolean {
  return type === 'money' ? BigInt(String(a)) === BigInt(String(b)) : a === b;
}

function holds(policy: PolicyDocument, condition: Condition, snapshot: Snapshot): boolean {
  if ('all' in condition) return condition.all.every((child) => holds(policy, child, snapshot));
  if ('any' in condition) return condition.any.some((child) => holds(policy, child, snapshot));
  if ('not' in condition) return !holds(policy, condition.not, snapshot);
  const value = snapshotValue(snapshot, condition.feature);
  if (condition.op === 'is_null') return (value === null) === (condition.value ?? true);
  if (value === null) return false;
  const type = typeOf(policy, condition.feature);
  const operand = condition.value;
  const list = Array.isArray(operand) ? (operand as PolicyScalar[]) : [];
  const single = Array.isArray(operand) || operand === undefined ? null : (operand as PolicyScalar);
  const compare = (other: PolicyScalar | null | undefined) => {
    if (other === null || other === undefined) throw new Error('oracle: missing operand');
    return compareValues(type, value, other);
  };
  switch (condition.op) {
    case '==':
      return single !== null && equal(type, value, single);
    case '!=':
      return single !== null && !equal(type, value, single);
    case '<':
      return compare(single) < 0;
    case '<=':
      return compare(single) <= 0;
    case '>':
      return compare(single) > 0;
    case '>=':
      return compare(single) >= 0;
    case 'in':
      return list.some((item) => equal(type, value, item));
    case 'not_in':
      return !list.some((item) => equal(type, value, item));
    case 'between':
      return compare(list[0]) >= 0 && compare(list[1]) <= 0;
  }
}

function featuresRead(condition: Condition, into: string[]): string[] {
  if ('all' in condition) for (const child of condition.all) featuresRead(child, into);
  else if ('any' in condition) for (const child of condition.any) featuresRead(child, into);
  else if ('not' in condition) featuresRead(condition.not, into);
  else if (!into.includes(condition.feature)) into.push(condition.feature);
  return into;
}

function validValue(type: FeatureType, value: unknown): boolean {
  switch (type) {
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'string':
      return typeof value === 'string' && [...value].length <= 1000;
    case 'boolean':
      return typeof value === 'boolean';
    case 'date':
      return typeof value === 'string' && parseLocalDate(value) !== undefined;
    case 'money': {
      if (typeof value !== 'string' || !/^(0|-?[1-9]\d*)$/.test(value)) return false;
      const minor = BigInt(value);
      return minor <= 10n ** 15n && minor >= -(10n ** 15n);
    }
  }
}

/** The decision, or the names of the features whose values are refused. */
function oracle(policy: PolicyDocument, snapshot: Snapshot): Decision | string[] {
  const refused = Object.entries(policy.features)
    .filter(([name, spec]) => {
      const value = snapshotValue(snapshot, name);
      return value === null ? spec.nullable !== true : !validValue(spec.type, value);
    })
    .map(([name]) => name);
  if (refused.length > 0) return refused;
  const rules: RuleTrace[] = policy.rules.map((rule) => ({
    id: rule.id,
    verdict: holds(policy, rule.when, snapshot) ? 'hit' : 'pass',
    action: rule.action,
    reason: rule.reason,
    read: Object.fromEntries(
      featuresRead(rule.when, []).map((name) => [name, snapshotValue(snapshot, name)]),
    ),
  }));
  const hits = rules.filter((rule) => rule.verdict === 'hit');
  const reasons = [...new Set(hits.map((rule) => rule.reason))];
  const scorecard: CharacteristicTrace[] = policy.scorecard.characteristics.map((characteristic) => {
    const value = snapshotValue(snapshot, characteristic.feature);
    if (value === null)
      return { feature: characteristic.feature, value, bin: 'missing', points: characteristic.missingPoints };
    const type = typeOf(policy, characteristic.feature);
    const bin = characteristic.bins.findIndex((candidate) =>
      'values' in candidate
        ? candidate.values.some((listed) => equal(type, value, listed))
        : (candidate.range[0] === null || compareValues(type, value, candidate.range[0]) >= 0) &&
          (candidate.range[1] === null || compareValues(type, value, candidate.range[1]) < 0),
    );
    if (bin < 0)
      return {
        feature: characteristic.feature,
        value,
        bin: 'other',
        points: characteristic.otherPoints ?? Number.NaN,
      };
    return {
      feature: characteristic.feature,
      value,
      bin,
      points: characteristic.bins[bin]?.points ?? Number.NaN,
    };
  });
  const score = scorecard.reduce((sum, entry) => sum + entry.points, policy.scorecard.basePoints);
  const grade = policy.grades.find((cut) => cut.minScore === null || score >= cut.minScore)?.grade ?? null;
  let outcome: Decision['outcome'] = hits.some((rule) => rule.action === 'reject')
    ? 'reject'
    : hits.length > 0
      ? 'review'
      : 'approve';
  if (outcome === 'approve' && grade === null) {
    outcome = 'reject';
    reasons.push(policy.belowLowestGrade ?? 'MISSING');
  }
  const offer =
    outcome === 'approve' ? policy.offers.find((candidate) => candidate.grade === grade) : undefined;
  return {
    policyId: policy.id,
    policyVersion: policy.version,
    outcome,
    score,
    grade,
    creditLimit: offer?.creditLimit ?? null,
    price: offer?.price ?? null,
    products: offer?.products ?? [],
    reasons,
    trace: { rules, scorecard, score, grade },
  };
}

const casesArb = policyDocumentArb.chain((document) =>
  fc.record({
    document: fc.constant(document),
    snapshots: fc.array(snapshotArb(document), { minLength: 1, maxLength: 8 }),
  }),
);

describe('the compiled engine against the oracle', () => {
  it('decides every random policy and snapshot exactly as the oracle, trace included', () => {
    fc.assert(
      fc.property(casesArb, ({ document, snapshots }) => {
        const policy = validatePolicy(document);
        if (!policy.ok) throw new Error(`a generated policy is invalid: ${JSON.stringify(policy.issues)}`);
        // One compiled policy for all the snapshots: a value left in a column by one evaluation
        // must never leak into the next.
        const compiled = compilePolicy(policy.value);
        for (const snapshot of snapshots) {
          const expected = oracle(document, snapshot);
          const actual = evaluateCompiled(compiled, snapshot);
          if (Array.isArray(expected))
            throw new Error(`a generated snapshot is invalid: ${expected.join(', ')}`);
          expect(actual).toEqual({ ok: true, value: expected });
          if (actual.ok) expect(canonicalDecisionJson(actual.value)).toBe(canonicalDecisionJson(expected));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('refuses exactly the snapshots the oracle refuses, naming each bad feature', () => {
    const withWrongValues = policyDocumentArb.chain((document) =>
      fc.record({
        document: fc.constant(document),
        snapshot: snapshotArb(document),
        spoiled: fc.subarray(Object.keys(document.features)),
        wrong: fc.array(fc.option(wrongValueArb, { nil: undefined }), { minLength: 8, maxLength: 8 }),
      }),
    );
    fc.assert(
      fc.property(withWrongValues, ({ document, snapshot, spoiled, wrong }) => {
        const policy = validatePolicy(document);
        if (!policy.ok) throw new Error('a generated policy is invalid');
        const spoilt: Record<string, unknown> = { ...snapshot };
        spoiled.forEach((name, i) => {
          const value = wrong[i];
          if (value === undefined) delete spoilt[name];
          else spoilt[name] = value;
        });
        const expected = oracle(document, spoilt);
        const actual = evaluateCompiled(compilePolicy(policy.value), spoilt);
        if (Array.isArray(expected)) {
          expect(actual.ok).toBe(false);
          if (!actual.ok)
            expect(actual.issues.map((found) => found.path)).toEqual(expected.map((name) => `/${name}`));
        } else {
          expect(actual).toEqual({ ok: true, value: expected });
        }
      }),
      { numRuns: 300 },
    );
  });
});
