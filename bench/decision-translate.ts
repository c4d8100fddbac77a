// Translates a Fenqi policy document, once, into the two rules engines bench/decision.ts compares
// with: a json-rules-engine rule set and a GoRules ZEN decision graph (JDM). Each translation keeps
// Fenqi's semantics, so all three must agree decision for decision:
//   - a leaf on a missing value is false whatever its operator (both engines need a `!= null`
//     guard for that: json-rules-engine's notEqual/notIn are true on null, ZEN errors on null < 5);
//   - money (integer fen strings) becomes a JS number, exact because |fen| ≤ 10^15 < 2^53, and a
//     date becomes the integer YYYYMMDD, which orders as the date does: neither engine has a bigint
//     or a date type of the same meaning, so facts are converted once per snapshot (`factsOf`);
//   - the scorecard is one rule per bin (json-rules-engine, whose events are summed here) or one
//     ternary chain per characteristic (ZEN, which also computes the score, grade and outcome).
// Only what the example policy uses needs to translate; anything else throws rather than guess.
import type { Engine, RuleProperties, TopLevelCondition } from 'json-rules-engine';
import type { Condition, FeatureType, PolicyDocument, PolicyScalar } from '../packages/core/src/index.ts';

export type Fact = number | string | boolean | null;
export type Facts = Record<string, Fact>;

function factOf(type: FeatureType, value: PolicyScalar | null): Fact {
  if (value === null) return null;
  if (type === 'money') return Number(value);
  if (type === 'date' && typeof value === 'string') return Number(value.replaceAll('-', ''));
  return value;
}

function typeOf(policy: PolicyDocument, feature: string): FeatureType {
  const spec = policy.features[feature];
  if (spec === undefined) throw new Error(`translate: no feature ${feature}`);
  return spec.type;
}

/** The snapshot as facts both engines read: every declared feature, null when missing. */
export function factsOf(policy: PolicyDocument, snapshot: Readonly<Record<string, unknown>>): Facts {
  const facts: Facts = {};
  for (const [name, spec] of Object.entries(policy.features)) {
    const value = snapshot[name];
    facts[name] = factOf(
      spec.type,
      typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean' ? value : null,
    );
  }
  return facts;
}

function constant(policy: PolicyDocument, feature: string, value: unknown): Fact {
  if (typeof value !== 'number' && typeof value !== 'string' && typeof value !== 'boolean')
    throw new Error(`translate: a ${typeof value} constant`);
  return factOf(typeOf(policy, feature), value);
}

function constants(policy: PolicyDocument, feature: string, value: unknown): Fact[] {
  if (!Array.isArray(value)) throw new Error('translate: a list was expected');
  return value.map((item) => constant(policy, feature, item));
}

// ── json-rules-engine ──────────────────────────────────────────────────────────────────────────

type JreCondition = TopLevelCondition | { fact: string; operator: string; value: unknown };

const jreOperators: Record<string, string> = {
  '==': 'equal',
  '!=': 'notEqual',
  '<': 'lessThan',
  '<=': 'lessThanInclusive',
  '>': 'greaterThan',
  '>=': 'greaterThanInclusive',
  in: 'in',
  not_in: 'notIn',
};

function jreCondition(policy: PolicyDocument, condition: Condition): JreCondition {
  if ('all' in condition) return { all: condition.all.map((child) => jreCondition(policy, child)) };
  if ('any' in condition) return { any: condition.any.map((child) => jreCondition(policy, child)) };
  if ('not' in condition) return { not: jreCondition(policy, condition.not) };
  const fact = condition.feature;
  if (condition.op === 'is_null')
    return { fact, operator: condition.value === false ? 'notEqual' : 'equal', value: null };
  const present = { fact, operator: 'notEqual', value: null };
  if (condition.op === 'between') {
    const [lo, hi] = constants(policy, fact, condition.value);
    return {
      all: [
        present,
        { fact, operator: 'greaterThanInclusive', value: lo },
        { fact, operator: 'lessThanInclusive', value: hi },
      ],
    };
  }
  const operator = jreOperators[condition.op];
  if (operator === undefined) throw new Error(`translate: operator ${condition.op}`);
  const value =
    condition.op === 'in' || condition.op === 'not_in'
      ? constants(policy, fact, condition.value)
      : constant(policy, fact, condition.value);
  return { all: [present, { fact, operator, value }] };
}

const asTop = (condition: JreCondition): TopLevelCondition =>
  'fact' in condition ? { all: [condition] } : condition;

export interface JreRuleSet {
  readonly rules: RuleProperties[];
}

/** One rule per hard rule (event `hard`) and one per scorecard bin or missing value (event `points`). */
export function toJsonRulesEngine(policy: PolicyDocument): JreRuleSet {
  const rules: RuleProperties[] = policy.rules.map((rule, index) => ({
    name: rule.id,
    conditions: asTop(jreCondition(policy, rule.when)),
    event: { type: 'hard', params: { index } },
  }));
  policy.scorecard.characteristics.forEach((characteristic, c) => {
    const fact = characteristic.feature;
    const points = (bin: number | string, value: number, conditions: JreCondition[]) =>
      rules.push({
        name: `${fact}:${bin}`,
        conditions: { all: conditions },
        event: { type: 'points', params: { characteristic: c, points: value } },
      });
    points('missing', characteristic.missingPoints, [{ fact, operator: 'equal', value: null }]);
    const listed: Fact[] = [];
    characteristic.bins.forEach((bin, b) => {
      if ('values' in bin) {
        const values = constants(policy, fact, bin.values);
        listed.push(...values);
        points(b, bin.points, [{ fact, operator: 'in', value: values }]);
        return;
      }
      const [lo, hi] = bin.range;
      const bounds: JreCondition[] = [{ fact, operator: 'notEqual', value: null }];
      if (lo !== null)
        bounds.push({ fact, operator: 'greaterThanInclusive', value: constant(policy, fact, lo) });
      if (hi !== null) bounds.push({ fact, operator: 'lessThan', value: constant(policy, fact, hi) });
      points(b, bin.points, bounds);
    });
    if (characteristic.otherPoints !== undefined)
      points('other', characteristic.otherPoints, [
        { fact, operator: 'notEqual', value: null },
        { fact, operator: 'notIn', value: listed },
      ]);
  });
  return { rules };
}

export interface Verdict {
  readonly outcome: 'approve' | 'reject' | 'review';
  readonly score: number;
  readonly grade: string | null;
  readonly reasons: readonly string[];
}

function verdictOf(policy: PolicyDocument, hits: readonly boolean[], score: number): Verdict {
  const hitRules = policy.rules.filter((_, index) => hits[index] === true);
  const reasons = [...new Set(hitRules.map((rule) => rule.reason))];
  const grade = policy.grades.find((cut) => cut.minScore === null || score >= cut.minScore)?.grade ?? null;
  let outcome: Verdict['outcome'] = hitRules.some((rule) => rule.action === 'reject')
    ? 'reject'
    : hitRules.length > 0
      ? 'review'
      : 'approve';
  if (outcome === 'approve' && grade === null) {
    outcome = 'reject';
    reasons.push(policy.belowLowestGrade ?? '');
  }
  return { outcome, score, grade, reasons };
}

/** Runs the rule set and turns its events into the decision's outcome, score, grade and reasons. */
export async function runJsonRulesEngine(
  policy: PolicyDocument,
  engine: Engine,
  facts: Facts,
): Promise<Verdict> {
  const { events } = await engine.run(facts);
  const hits: boolean[] = [];
  let score = policy.scorecard.basePoints;
  for (const event of events) {
    const params = event.params ?? {};
    if (event.type === 'hard') hits[Number(params.index)] = true;
    else score += Number(params.points);
  }
  return verdictOf(policy, hits, score);
}

// ── GoRules ZEN (JDM) ──────────────────────────────────────────────────────────────────────────

const plainText = /^[A-Za-z0-9_ .+-]*$/;

function literal(value: Fact): string {
  if (value === null) return 'null';
  if (typeof value === 'string') {
    if (!plainText.test(value)) throw new Error(`translate: a string ZEN would need escaped: ${value}`);
    return `'${value}'`;
  }
  return String(value);
}

const zenOperators: Record<string, string> = {
  '==': '==',
  '!=': '!=',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};

function zenCondition(policy: PolicyDocument, condition: Condition): string {
  if ('all' in condition)
    return `(${condition.all.map((child) => zenCondition(policy, child)).join(' and ')})`;
  if ('any' in condition)
    return `(${condition.any.map((child) => zenCondition(policy, child)).join(' or ')})`;
  if ('not' in condition) return `not ${zenCondition(policy, condition.not)}`;
  const x = condition.feature;
  if (condition.op === 'is_null') return `(${x} ${condition.value === false ? '!=' : '=='} null)`;
  let test: string;
  if (condition.op === 'between') {
    const [lo, hi] = constants(policy, x, condition.value);
    test = `${x} >= ${literal(lo ?? null)} and ${x} <= ${literal(hi ?? null)}`;
  } else if (condition.op === 'in' || condition.op === 'not_in') {
    const list = constants(policy, x, condition.value).map(literal).join(', ');
    test = `${x} ${condition.op === 'in' ? 'in' : 'not in'} [${list}]`;
  } else {
    test = `${x} ${zenOperators[condition.op]} ${literal(constant(policy, x, condition.value))}`;
  }
  return `(${x} != null and ${test})`;
}

function zenPoints(policy: PolicyDocument, index: number): string {
  const characteristic = policy.scorecard.characteristics[index];
  if (characteristic === undefined) throw new Error('translate: no characteristic');
  const x = characteristic.feature;
  let chain = characteristic.otherPoints === undefined ? 'null' : String(characteristic.otherPoints);
  for (let b = characteristic.bins.length - 1; b >= 0; b -= 1) {
    const bin = characteristic.bins[b];
    if (bin === undefined) continue;
    if ('values' in bin) {
      const list = constants(policy, x, bin.values).map(literal).join(', ');
      chain = `(${x} in [${list}] ? ${bin.points} : ${chain})`;
    } else {
      const hi = bin.range[1];
      chain =
        hi === null
          ? String(bin.points)
          : `(${x} < ${literal(constant(policy, x, hi))} ? ${bin.points} : ${chain})`;
    }
  }
  return `${x} == null ? ${characteristic.missingPoints} : ${chain}`;
}

/**
 * One expression node computing every rule's verdict (r0…), every characteristic's points (c0…),
 * then — reading those through `$` — the score, grade and outcome, between the input and output nodes.
 */
export function toZenGraph(policy: PolicyDocument): object {
  const expressions: { id: string; key: string; value: string }[] = [];
  const add = (key: string, value: string): void => {
    expressions.push({ id: key, key, value });
  };
  for (const [index, rule] of policy.rules.entries()) add(`r${index}`, zenCondition(policy, rule.when));
  for (const index of policy.scorecard.characteristics.keys()) add(`c${index}`, zenPoints(policy, index));
  const sum = policy.scorecard.characteristics.map((_, index) => `$.c${index}`);
  add('score', [String(policy.scorecard.basePoints), ...sum].join(' + '));
  let grade = 'null';
  for (const cut of [...policy.grades].reverse())
    grade =
      cut.minScore === null ? `'${cut.grade}'` : `($.score >= ${cut.minScore} ? '${cut.grade}' : ${grade})`;
  add('grade', grade);
  const hits = (action: string) =>
    policy.rules.flatMap((rule, index) => (rule.action === action ? [`$.r${index}`] : [])).join(' or ') ||
    'false';
  add('rejectHit', hits('reject'));
  add('reviewHit', hits('review'));
  add(
    'outcome',
    "$.rejectHit ? 'reject' : ($.reviewHit ? 'review' : ($.grade == null ? 'reject' : 'approve'))",
  );
  const position = { x: 0, y: 0 };
  return {
    nodes: [
      { id: 'input', type: 'inputNode', name: 'Snapshot', position, content: {} },
      { id: 'policy', type: 'expressionNode', name: policy.id, position, content: { expressions } },
      { id: 'output', type: 'outputNode', name: 'Decision', position, content: {} },
    ],
    edges: [
      { id: 'e1', sourceId: 'input', targetId: 'policy', type: 'edge' },
      { id: 'e2', sourceId: 'policy', targetId: 'output', type: 'edge' },
    ],
  };
}

/** ZEN's result object as a verdict; the outcome, score and grade are ZEN's own. */
export function zenVerdict(policy: PolicyDocument, result: Readonly<Record<string, unknown>>): Verdict {
  const hits = policy.rules.map((_, index) => result[`r${index}`] === true);
  const own = verdictOf(policy, hits, Number(result.score));
  const outcome = result.outcome;
  if (outcome !== 'approve' && outcome !== 'reject' && outcome !== 'review')
    throw new Error(`zen: outcome ${String(outcome)}`);
  return {
    outcome,
    score: Number(result.score),
    grade: typeof result.grade === 'string' ? result.grade : null,
    reasons: own.reasons,
  };
}
