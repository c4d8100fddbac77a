import { assert } from '../assert.ts';
import { parseLocalDate } from '../date/local-date.ts';
import type { Issue, Result } from '../issue.ts';
import { failed, issue, ok } from '../issue.ts';
import { amountMinorMax } from '../money/amount.ts';
import type { CharacteristicTrace, Decision, DecisionOutcome, RuleTrace } from './decision.ts';
import { exceedsCharacters, featureValueIssue, isMinorUnits } from './feature-values.ts';
import type {
  Characteristic,
  Condition,
  FeatureType,
  GradeCut,
  LeafCondition,
  Offer,
  Policy,
  PolicyRule,
  PolicyScalar,
} from './policy.ts';
import { textLengthMax } from './policy.ts';
import { pointer } from './validate-policy.ts';

// The decision engine. compilePolicy turns a validated policy into closures once — constants parsed
// (money to bigint), every feature given a slot in a column of its kind, `in` lists made into sets,
// bins into sorted bounds — so that evaluating a snapshot only reads the snapshot into the columns
// and calls the closures. Order of a decision:
//   1. every rule is evaluated, in order (the trace shows each one);
//   2. any reject hit → reject; else any review hit → review;
//   3. else the score (basePoints + each characteristic's points) picks the grade, and the grade's
//      offer is the approval; a score below every cut-off is a reject with belowLowestGrade.
// The score and grade are computed and traced whatever the outcome.
//
// Comparisons are exact: integers and numbers as JS numbers (the doubles JSON.parse gives), money
// as bigint fen, dates as YYYY-MM-DD text (which orders as time). A leaf whose feature is missing
// (null or absent) is false, whatever its operator — `!=` and `not_in` included; only is_null looks
// at missingness, and `not` inverts a leaf's false like any other.

type Ordered = number | string | bigint;

/** One column per kind of value; a feature's value sits in its slot of its kind's column. */
interface Columns {
  readonly numbers: (number | null)[];
  readonly strings: (string | null)[];
  readonly bigints: (bigint | null)[];
  readonly booleans: (boolean | null)[];
  /** Every feature's value as the snapshot wrote it, by feature index, for the trace. */
  readonly raw: (PolicyScalar | null)[];
}

type Test = () => boolean;

interface FeatureSlot {
  readonly name: string;
  readonly type: FeatureType;
  readonly nullable: boolean;
  /** The slot in the column of the feature's kind. */
  readonly slot: number;
}

interface CompiledRule {
  readonly rule: PolicyRule;
  readonly test: Test;
  /** Feature indexes the condition names, first appearance first. */
  readonly reads: readonly number[];
}

interface CompiledCharacteristic {
  readonly feature: string;
  readonly index: number;
  /** The bin index of the feature's present value, or −1 for a string no bin lists. */
  readonly bin: () => number;
  readonly points: readonly number[];
  readonly missingPoints: number;
  readonly otherPoints: number;
}

export interface CompiledPolicy {
  readonly policy: Policy;
  readonly features: readonly FeatureSlot[];
  readonly columns: Columns;
  readonly rules: readonly CompiledRule[];
  readonly characteristics: readonly CompiledCharacteristic[];
  readonly grades: readonly GradeCut[];
  readonly offers: ReadonlyMap<string, Offer>;
}

function columnKind(type: FeatureType): 'numbers' | 'strings' | 'bigints' | 'booleans' {
  switch (type) {
    case 'integer':
    case 'number':
      return 'numbers';
    case 'string':
    case 'date':
      return 'strings';
    case 'money':
      return 'bigints';
    case 'boolean':
      return 'booleans';
  }
}

export function compilePolicy(policy: Policy): CompiledPolicy {
  const columns: Columns = { numbers: [], strings: [], bigints: [], booleans: [], raw: [] };
  const features: FeatureSlot[] = [];
  const byName = new Map<string, number>();
  for (const [name, spec] of Object.entries(policy.features)) {
    const column = columns[columnKind(spec.type)];
    features.push({ name, type: spec.type, nullable: spec.nullable === true, slot: column.length });
    column.push(null);
    columns.raw.push(null);
    byName.set(name, features.length - 1);
  }
  const featureIndex = (name: string): number => {
    const index = byName.get(name);
    assert(
      index !== undefined,
      `compilePolicy: ${name} is not declared (validatePolicy lets no such policy through)`,
    );
    return index;
  };
  const compiler = { columns, features, featureIndex };
  const rules = policy.rules.map((rule) => {
    const reads: number[] = [];
    return { rule, test: compileCondition(compiler, rule.when, reads), reads };
  });
  const characteristics = policy.scorecard.characteristics.map((characteristic) =>
    compileCharacteristic(compiler, characteristic),
  );
  return {
    policy,
    features,
    columns,
    rules,
    characteristics,
    grades: policy.grades,
    offers: new Map(policy.offers.map((offer) => [offer.grade, offer])),
  };
}

interface Compiler {
  readonly columns: Columns;
  readonly features: readonly FeatureSlot[];
  readonly featureIndex: (name: string) => number;
}

function compileCondition(compiler: Compiler, condition: Condition, reads: number[]): Test {
  if ('all' in condition)
    return allOf(condition.all.map((child) => compileCondition(compiler, child, reads)));
  if ('any' in condition)
    return anyOf(condition.any.map((child) => compileCondition(compiler, child, reads)));
  if ('not' in condition) {
    const inner = compileCondition(compiler, condition.not, reads);
    return () => !inner();
  }
  const index = compiler.featureIndex(condition.feature);
  if (!reads.includes(index)) reads.push(index);
  return compileLeaf(compiler, condition, index);
}

function allOf(tests: readonly Test[]): Test {
  const [a, b] = tests;
  if (tests.length === 1 && a !== undefined) return a;
  if (tests.length === 2 && a !== undefined && b !== undefined) return () => a() && b();
  return () => {
    for (const test of tests) if (!test()) return false;
    return true;
  };
}

function anyOf(tests: readonly Test[]): Test {
  const [a, b] = tests;
  if (tests.length === 1 && a !== undefined) return a;
  if (tests.length === 2 && a !== undefined && b !== undefined) return () => a() || b();
  return () => {
    for (const test of tests) if (test()) return true;
    return false;
  };
}

function compileLeaf(compiler: Compiler, leaf: LeafCondition, index: number): Test {
  const feature = compiler.features[index];
  assert(feature !== undefined, 'compileLeaf: feature index out of range');
  const { columns } = compiler;
  const slot = feature.slot;
  switch (columnKind(feature.type)) {
    case 'numbers':
      return typedLeaf(columns.numbers, slot, leaf, (value) =>
        typeof value === 'number' ? value : undefined,
      );
    case 'strings':
      return typedLeaf(columns.strings, slot, leaf, (value) =>
        typeof value === 'string' ? value : undefined,
      );
    case 'bigints':
      return typedLeaf(columns.bigints, slot, leaf, (value) =>
        typeof value === 'string' && isMinorUnits(value) ? BigInt(value) : undefined,
      );
    case 'booleans':
      return equalityLeaf(columns.booleans, slot, leaf, (value) =>
        typeof value === 'boolean' ? value : undefined,
      );
  }
}

/** Reads a policy constant as the column's kind; undefined only for a constant validation refuses. */
type ConstantOf<T> = (value: PolicyScalar) => T | undefined;

function constant<T>(parse: ConstantOf<T>, value: PolicyScalar | readonly PolicyScalar[] | undefined): T {
  assert(value !== undefined && !Array.isArray(value), 'compileLeaf: the operator needs one value');
  const parsed = parse(value as PolicyScalar);
  assert(parsed !== undefined, "compileLeaf: a constant not of the feature's type");
  return parsed;
}

function constants<T>(parse: ConstantOf<T>, value: PolicyScalar | readonly PolicyScalar[] | undefined): T[] {
  assert(Array.isArray(value), 'compileLeaf: the operator needs a list');
  return (value as readonly PolicyScalar[]).map((item) => constant(parse, item));
}

function equalityLeaf<T extends Ordered | boolean>(
  column: readonly (T | null)[],
  slot: number,
  leaf: LeafCondition,
  parse: ConstantOf<T>,
): Test {
  switch (leaf.op) {
    case 'is_null': {
      const wanted = leaf.value === undefined ? true : leaf.value === true;
      return () => (column[slot] === null) === wanted;
    }
    case '==': {
      const c = constant(parse, leaf.value);
      return () => column[slot] === c;
    }
    case '!=': {
      const c = constant(parse, leaf.value);
      return () => {
        const x = column[slot];
        return x !== null && x !== c;
      };
    }
    case 'in': {
      const set = new Set(constants(parse, leaf.value));
      return () => {
        const x = column[slot];
        return x !== null && x !== undefined && set.has(x);
      };
    }
    case 'not_in': {
      const set = new Set(constants(parse, leaf.value));
      return () => {
        const x = column[slot];
        return x !== null && x !== undefined && !set.has(x);
      };
    }
    default:
      assert(false, `compileLeaf: ${leaf.op} on a feature without an order`);
  }
}

function typedLeaf<T extends Ordered>(
  column: readonly (T | null)[],
  slot: number,
  leaf: LeafCondition,
  parse: ConstantOf<T>,
): Test {
  switch (leaf.op) {
    case '<': {
      const c = constant(parse, leaf.value);
      return () => {
        const x = column[slot];
        return x !== null && x !== undefined && x < c;
      };
    }
    case '<=': {
      const c = constant(parse, leaf.value);
      return () => {
        const x = column[slot];
        return x !== null && x !== undefined && x <= c;
      };
    }
    case '>': {
      const c = constant(parse, leaf.value);
      return () => {
        const x = column[slot];
        return x !== null && x !== undefined && x > c;
      };
    }
    case '>=': {
      const c = constant(parse, leaf.value);
      return () => {
        const x = column[slot];
        return x !== null && x !== undefined && x >= c;
      };
    }
    case 'between': {
      const [lo, hi] = constants(parse, leaf.value);
      assert(lo !== undefined && hi !== undefined, 'compileLeaf: between needs [lo, hi]');
      return () => {
        const x = column[slot];
        return x !== null && x !== undefined && x >= lo && x <= hi;
      };
    }
    default:
      return equalityLeaf(column, slot, leaf, parse);
  }
}

function compileCharacteristic(compiler: Compiler, characteristic: Characteristic): CompiledCharacteristic {
  const index = compiler.featureIndex(characteristic.feature);
  const feature = compiler.features[index];
  assert(feature !== undefined, 'compileCharacteristic: feature index out of range');
  const { columns } = compiler;
  const slot = feature.slot;
  const bins = characteristic.bins;
  const base = {
    feature: characteristic.feature,
    index,
    points: bins.map((bin) => bin.points),
    missingPoints: characteristic.missingPoints,
    otherPoints: characteristic.otherPoints ?? 0,
  };
  const upper = (bin: Characteristic['bins'][number]): PolicyScalar | null =>
    'range' in bin ? bin.range[1] : null;
  // Validated range bins are contiguous from −∞ to +∞: the bin of x is the first whose upper bound
  // is above x, the last if none is; so only the upper bounds of all bins but the last are kept.
  const bounds = (): PolicyScalar[] =>
    bins.slice(0, -1).map((bin) => {
      const hi = upper(bin);
      assert(hi !== null, 'compileCharacteristic: only the last bin is open above');
      return hi;
    });
  switch (columnKind(feature.type)) {
    case 'numbers': {
      const his = bounds().map((hi) => constant((v) => (typeof v === 'number' ? v : undefined), hi));
      return { ...base, bin: () => firstAbove(his, columns.numbers[slot] ?? 0) };
    }
    case 'bigints': {
      const his = bounds().map((hi) => constant((v) => (typeof v === 'string' ? BigInt(v) : undefined), hi));
      return { ...base, bin: () => firstAbove(his, columns.bigints[slot] ?? 0n) };
    }
    case 'strings':
      if (feature.type === 'date') {
        const his = bounds().map((hi) => constant((v) => (typeof v === 'string' ? v : undefined), hi));
        return { ...base, bin: () => firstAbove(his, columns.strings[slot] ?? '') };
      }
      return { ...base, bin: valuesBin(columns.strings, slot, bins) };
    case 'booleans':
      return { ...base, bin: valuesBin(columns.booleans, slot, bins) };
  }
}

function firstAbove<T extends Ordered>(bounds: readonly T[], x: T): number {
  let bin = 0;
  while (bin < bounds.length) {
    const hi = bounds[bin];
    if (hi !== undefined && x < hi) break;
    bin += 1;
  }
  return bin;
}

function valuesBin<T extends PolicyScalar>(
  column: readonly (T | null)[],
  slot: number,
  bins: Characteristic['bins'],
): () => number {
  const byValue = new Map<PolicyScalar, number>();
  bins.forEach((bin, index) => {
    if ('values' in bin) for (const value of bin.values) byValue.set(value, index);
  });
  return () => {
    const x = column[slot];
    return x === null || x === undefined ? -1 : (byValue.get(x) ?? -1);
  };
}

function isJsonObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the snapshot into the columns; the issues of every value that is not of its feature's type. */
function readSnapshot(compiled: CompiledPolicy, snapshot: unknown): Issue[] | undefined {
  if (!isJsonObject(snapshot))
    return [issue('type_invalid', '', 'a snapshot must be a JSON object of feature values')];
  const { columns, features } = compiled;
  let issues: Issue[] | undefined;
  for (let index = 0; index < features.length; index += 1) {
    const feature = features[index];
    if (feature === undefined) continue;
    // Own properties only: a feature named `constructor` must not read Object.prototype's.
    const value = Object.hasOwn(snapshot, feature.name) ? snapshot[feature.name] : undefined;
    const problem = store(columns, feature, index, value);
    if (problem === undefined) continue;
    issues ??= [];
    issues.push(problem);
  }
  return issues;
}

function store(columns: Columns, feature: FeatureSlot, index: number, value: unknown): Issue | undefined {
  if (value === undefined || value === null) {
    columns.raw[index] = null;
    columns[columnKind(feature.type)][feature.slot] = null;
    return feature.nullable
      ? undefined
      : issue('field_required', pointer('', feature.name), `${feature.name} is required (not nullable)`);
  }
  const { slot } = feature;
  switch (feature.type) {
    case 'integer':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) break;
      columns.numbers[slot] = value;
      columns.raw[index] = value;
      return undefined;
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) break;
      columns.numbers[slot] = value;
      columns.raw[index] = value;
      return undefined;
    case 'string':
      if (typeof value !== 'string' || exceedsCharacters(value, textLengthMax)) break;
      columns.strings[slot] = value;
      columns.raw[index] = value;
      return undefined;
    case 'date':
      if (typeof value !== 'string' || parseLocalDate(value) === undefined) break;
      columns.strings[slot] = value;
      columns.raw[index] = value;
      return undefined;
    case 'boolean':
      if (typeof value !== 'boolean') break;
      columns.booleans[slot] = value;
      columns.raw[index] = value;
      return undefined;
    case 'money': {
      if (typeof value !== 'string' || value.length > 17 || !isMinorUnits(value)) break;
      const minor = BigInt(value);
      if (minor > amountMinorMax || minor < -amountMinorMax) break;
      columns.bigints[slot] = minor;
      columns.raw[index] = value;
      return undefined;
    }
  }
  const problem = featureValueIssue(feature.type, value, pointer('', feature.name), feature.name);
  assert(problem !== undefined, `store: ${feature.name} refused a value featureValueIssue accepts`);
  return problem;
}

/**
 * Evaluates one snapshot: a JSON object of feature values (see feature-values.ts for how each type
 * is written). Keys the policy does not declare are ignored, so a champion and a challenger can
 * read one snapshot. Synchronous and without callbacks, so the compiled policy's columns are
 * filled and read by one evaluation at a time.
 */
export function evaluateCompiled(compiled: CompiledPolicy, snapshot: unknown): Result<Decision> {
  const issues = readSnapshot(compiled, snapshot);
  if (issues !== undefined) return failed(issues);
  const { policy, columns, features } = compiled;
  const raw = columns.raw;
  const ruleTraces: RuleTrace[] = [];
  const reasons: string[] = [];
  let rejected = false;
  let reviewed = false;
  for (const { rule, test, reads } of compiled.rules) {
    const hit = test();
    const read: Record<string, PolicyScalar | null> = {};
    for (const index of reads) read[features[index]?.name ?? ''] = raw[index] ?? null;
    ruleTraces.push({
      id: rule.id,
      verdict: hit ? 'hit' : 'pass',
      action: rule.action,
      reason: rule.reason,
      read,
    });
    if (!hit) continue;
    if (rule.action === 'reject') rejected = true;
    else reviewed = true;
    if (!reasons.includes(rule.reason)) reasons.push(rule.reason);
  }
  let score = policy.scorecard.basePoints;
  const scoreTraces: CharacteristicTrace[] = [];
  for (const characteristic of compiled.characteristics) {
    const value = raw[characteristic.index] ?? null;
    let bin: CharacteristicTrace['bin'];
    let points: number;
    if (value === null) {
      bin = 'missing';
      points = characteristic.missingPoints;
    } else {
      const found = characteristic.bin();
      bin = found < 0 ? 'other' : found;
      points = found < 0 ? characteristic.otherPoints : (characteristic.points[found] ?? 0);
    }
    score += points;
    scoreTraces.push({ feature: characteristic.feature, value, bin, points });
  }
  const grade = gradeOf(compiled.grades, score);
  let outcome: DecisionOutcome = rejected ? 'reject' : reviewed ? 'review' : 'approve';
  if (outcome === 'approve' && grade === null) {
    outcome = 'reject';
    const below = policy.belowLowestGrade;
    assert(below !== undefined, 'evaluateCompiled: a score below every grade needs belowLowestGrade');
    reasons.push(below);
  }
  const offer = outcome === 'approve' && grade !== null ? compiled.offers.get(grade) : undefined;
  assert(outcome !== 'approve' || offer !== undefined, 'evaluateCompiled: every grade has an offer');
  return ok({
    policyId: policy.id,
    policyVersion: policy.version,
    outcome,
    score,
    grade,
    creditLimit: offer?.creditLimit ?? null,
    price: offer === undefined ? null : { kind: offer.price.kind, rate: offer.price.rate },
    products: offer === undefined ? [] : [...offer.products],
    reasons,
    trace: { rules: ruleTraces, scorecard: scoreTraces, score, grade },
  });
}

function gradeOf(grades: readonly GradeCut[], score: number): string | null {
  for (const cut of grades) if (cut.minScore === null || score >= cut.minScore) return cut.grade;
  return null;
}

/** Compile and evaluate once; to evaluate many snapshots, compile once and call evaluateCompiled. */
export function evaluatePolicy(policy: Policy, snapshot: unknown): Result<Decision> {
  return evaluateCompiled(compilePolicy(policy), snapshot);
}
