import { Decimal } from 'decimal.js';
import type { Issue, Result } from '../issue.ts';
import { failed, issue, ok } from '../issue.ts';
import { annualRateMax, periodFeeRateMax, rateDecimalPlacesMax } from '../schedule/validate.ts';
import { exceedsCharacters, featureValueIssue, isMinorUnits, typeName } from './feature-values.ts';
import type {
  Characteristic,
  Condition,
  ConditionOp,
  Eligibility,
  FeatureSpec,
  FeatureType,
  GradeCut,
  LeafCondition,
  Offer,
  Policy,
  PolicyDocument,
  PolicyRule,
  PolicyScalar,
  Price,
  Scorecard,
  ScorecardBin,
} from './policy.ts';
import {
  characteristicBinsMax,
  conditionChildrenMax,
  conditionDepthMax,
  conditionOps,
  conditionValuesMax,
  creditLimitMinorMax,
  eligibilityAgeCeiling,
  eligibilityAgeFloor,
  featureTypes,
  gradeLengthMax,
  nameLengthMax,
  offerProductsMax,
  orderedFeatureTypes,
  pointsAbsMax,
  policyFeaturesMax,
  policyGradesMax,
  policyRulesMax,
  priceKinds,
  ruleActions,
  scorecardCharacteristicsMax,
  textLengthMax,
} from './policy.ts';

// The hand-written validator of a policy document. It reports every mistake it can see, each at a
// JSON Pointer (RFC 6901) to the offending value — `/rules/3/when/all/0/op` — with a message that
// says what was expected. Besides what the published JSON Schema (policy-schema.ts) says, it checks
// what a schema cannot: every feature a rule or characteristic names is declared, each constant has
// the feature's type, each operator suits the type, bins cover every value exactly once, grades
// descend, and every grade has exactly one offer. A test holds the two to agree on a corpus.

const featureNamePattern = /^[a-z][A-Za-z0-9_]*$/;
const idPattern = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
const reasonPattern = /^[A-Z][A-Z0-9_]*$/;
const gradePattern = /^[A-Z][A-Za-z0-9_+-]*$/;

const orderedTypes: ReadonlySet<FeatureType> = new Set(orderedFeatureTypes);
const comparisonOps: ReadonlySet<ConditionOp> = new Set(['<', '<=', '>', '>=', 'between']);

type Json = Readonly<Record<string, unknown>>;

/** RFC 6901: `~` and `/` in a key are escaped so every path points at exactly one value. */
export function pointer(path: string, key: string | number): string {
  return `${path}/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Checker {
  readonly issues: Issue[] = [];

  add(code: Issue['code'], path: string, message: string): void {
    this.issues.push(issue(code, path, message));
  }

  /** The object with its required fields present and no field outside `known`; undefined if not an object. */
  object(
    value: unknown,
    path: string,
    required: readonly string[],
    optional: readonly string[],
  ): Json | undefined {
    if (!isObject(value)) {
      this.add('type_invalid', path, `${label(path)} must be an object`);
      return undefined;
    }
    for (const key of required)
      if (!Object.hasOwn(value, key)) this.add('field_required', pointer(path, key), `${key} is required`);
    for (const key of Object.keys(value))
      if (!required.includes(key) && !optional.includes(key))
        this.add('field_unknown', pointer(path, key), `${key} is not a field of ${label(path)}`);
    return value;
  }

  /** An array of minItems…maxItems items; undefined (and an issue) otherwise. */
  array(
    value: unknown,
    path: string,
    minItems: number,
    maxItems: number,
    what: string,
  ): readonly unknown[] | undefined {
    if (!Array.isArray(value)) {
      this.add('type_invalid', path, `${what} must be an array`);
      return undefined;
    }
    if (value.length < minItems || value.length > maxItems) {
      const bounds =
        minItems === maxItems
          ? `exactly ${minItems}`
          : `${minItems === 0 ? 'at most' : `${minItems} to`} ${maxItems}`;
      this.add('limit_exceeded', path, `${what} must have ${bounds} items, not ${value.length}`);
      return undefined;
    }
    return value;
  }

  name(value: unknown, path: string, pattern: RegExp, lengthMax: number, what: string): string | undefined {
    if (typeof value !== 'string') {
      this.add('type_invalid', path, `${what} must be a string`);
      return undefined;
    }
    if (value.length > lengthMax || !pattern.test(value)) {
      this.add('name_invalid', path, `${what} must be 1–${lengthMax} characters matching ${pattern.source}`);
      return undefined;
    }
    return value;
  }

  text(value: unknown, path: string, what: string): string | undefined {
    if (typeof value !== 'string') {
      this.add('type_invalid', path, `${what} must be a string`);
      return undefined;
    }
    if (exceedsCharacters(value, textLengthMax)) {
      this.add('limit_exceeded', path, `${what} must be at most ${textLengthMax} characters`);
      return undefined;
    }
    return value;
  }

  integer(value: unknown, path: string, min: number, max: number, what: string): number | undefined {
    if (typeof value !== 'number') {
      this.add('type_invalid', path, `${what} must be an integer`);
      return undefined;
    }
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      this.add('integer_invalid', path, `${what} must be an integer from ${min} to ${max}`);
      return undefined;
    }
    return value;
  }

  points(value: unknown, path: string, what: string): number | undefined {
    return this.integer(value, path, -pointsAbsMax, pointsAbsMax, what);
  }

  /** A constant of the feature's type. */
  scalar(type: FeatureType, value: unknown, path: string, what: string): PolicyScalar | undefined {
    const problem = featureValueIssue(type, value, path, what);
    if (problem !== undefined) {
      this.issues.push(problem);
      return undefined;
    }
    return typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean'
      ? value
      : undefined;
  }
}

/** The last path segment, for messages: `/rules/3/when` → `when`. */
function label(path: string): string {
  if (path === '') return 'the policy';
  const last = path.slice(path.lastIndexOf('/') + 1);
  return /^\d+$/.test(last) ? `item ${last}` : last;
}

/** The declared features; a name whose spec is invalid maps to undefined (it exists, its type is unknown). */
type Features = ReadonlyMap<string, FeatureSpec | undefined>;

export function validatePolicy(json: unknown): Result<Policy> {
  const check = new Checker();
  const root = check.object(
    json,
    '',
    ['id', 'version', 'currency', 'features', 'rules', 'scorecard', 'grades', 'offers'],
    ['description', 'belowLowestGrade', 'eligibility'],
  );
  if (root === undefined) return failed(check.issues);
  const id = check.name(root.id, '/id', idPattern, nameLengthMax, 'id');
  const version = check.integer(root.version, '/version', 1, Number.MAX_SAFE_INTEGER, 'version');
  if (root.currency !== 'CNY' && Object.hasOwn(root, 'currency'))
    check.add('currency_unsupported', '/currency', 'currency must be "CNY"');
  const description = Object.hasOwn(root, 'description')
    ? check.text(root.description, '/description', 'description')
    : undefined;
  const features = featuresOf(check, root.features);
  const rules = rulesOf(check, root.rules, features.declared);
  const scorecard = scorecardOf(check, root.scorecard, features.declared);
  const grades = gradesOf(check, root);
  const offers = offersOf(check, root.offers, grades?.grades);
  const eligibility = Object.hasOwn(root, 'eligibility') ? eligibilityOf(check, root.eligibility) : undefined;
  if (
    check.issues.length > 0 ||
    id === undefined ||
    version === undefined ||
    features.specs === undefined ||
    rules === undefined ||
    scorecard === undefined ||
    grades === undefined ||
    offers === undefined
  )
    return failed(check.issues);
  const policy: PolicyDocument = {
    id,
    version,
    currency: 'CNY' as const,
    ...(description === undefined ? {} : { description }),
    features: features.specs,
    rules,
    scorecard,
    grades: grades.grades,
    ...(grades.belowLowestGrade === undefined ? {} : { belowLowestGrade: grades.belowLowestGrade }),
    offers,
    ...(eligibility === undefined ? {} : { eligibility }),
  };
  // The brand marks a document this function built from checked parts: the one cast of the module.
  return ok(policy as Policy);
}

function eligibilityOf(check: Checker, value: unknown): Eligibility | undefined {
  const window = check.object(value, '/eligibility', ['ageMin', 'ageMax'], []);
  if (window === undefined) return undefined;
  // A missing end was reported by object(); only a present one is checked further.
  const bound = (key: 'ageMin' | 'ageMax') =>
    Object.hasOwn(window, key)
      ? check.integer(window[key], `/eligibility/${key}`, eligibilityAgeFloor, eligibilityAgeCeiling, key)
      : undefined;
  const ageMin = bound('ageMin');
  const ageMax = bound('ageMax');
  if (ageMin === undefined || ageMax === undefined) return undefined;
  if (ageMin > ageMax) {
    check.add('range_invalid', '/eligibility', `ageMin ${ageMin} is above ageMax ${ageMax}`);
    return undefined;
  }
  return { ageMin, ageMax };
}

function featuresOf(
  check: Checker,
  value: unknown,
): { declared: Features; specs: Record<string, FeatureSpec> | undefined } {
  const declared = new Map<string, FeatureSpec | undefined>();
  if (!isObject(value)) {
    if (value !== undefined) check.add('type_invalid', '/features', 'features must be an object');
    return { declared, specs: undefined };
  }
  const names = Object.keys(value);
  if (names.length > policyFeaturesMax) {
    check.add('limit_exceeded', '/features', `at most ${policyFeaturesMax} features, not ${names.length}`);
    return { declared, specs: undefined };
  }
  const specs: Record<string, FeatureSpec> = {};
  let complete = true;
  for (const name of names) {
    const path = pointer('/features', name);
    if (name.length > nameLengthMax || !featureNamePattern.test(name)) {
      check.add(
        'name_invalid',
        path,
        `a feature name must be 1–${nameLengthMax} characters matching ${featureNamePattern.source}`,
      );
      complete = false;
      continue;
    }
    const spec = featureSpecOf(check, value[name], path);
    declared.set(name, spec);
    if (spec === undefined) complete = false;
    else specs[name] = spec;
  }
  return { declared, specs: complete ? specs : undefined };
}

function featureSpecOf(check: Checker, value: unknown, path: string): FeatureSpec | undefined {
  const spec = check.object(value, path, ['type'], ['nullable', 'description']);
  if (spec === undefined) return undefined;
  let good = true;
  const type = featureTypes.find((candidate) => candidate === spec.type);
  if (type === undefined && Object.hasOwn(spec, 'type')) {
    check.add('value_not_allowed', pointer(path, 'type'), `type must be one of ${featureTypes.join(', ')}`);
  }
  if (spec.nullable !== undefined && typeof spec.nullable !== 'boolean') {
    check.add('type_invalid', pointer(path, 'nullable'), 'nullable must be true or false');
    good = false;
  }
  const description =
    spec.description === undefined
      ? undefined
      : check.text(spec.description, pointer(path, 'description'), 'description');
  if (spec.description !== undefined && description === undefined) good = false;
  if (type === undefined || !good) return undefined;
  return {
    type,
    ...(spec.nullable === undefined ? {} : { nullable: spec.nullable === true }),
    ...(description === undefined ? {} : { description }),
  };
}

function rulesOf(check: Checker, value: unknown, features: Features): PolicyRule[] | undefined {
  if (value === undefined) return undefined; // reported as field_required
  const items = check.array(value, '/rules', 0, policyRulesMax, 'rules');
  if (items === undefined) return undefined;
  const rules: PolicyRule[] = [];
  const seen = new Set<string>();
  let complete = true;
  items.forEach((item, index) => {
    const path = pointer('/rules', index);
    const rule = ruleOf(check, item, path, features);
    if (rule === undefined) {
      complete = false;
      return;
    }
    if (seen.has(rule.id)) {
      check.add('duplicate_value', pointer(path, 'id'), `rule id ${rule.id} is used by an earlier rule`);
      complete = false;
    }
    seen.add(rule.id);
    rules.push(rule);
  });
  return complete ? rules : undefined;
}

function ruleOf(check: Checker, value: unknown, path: string, features: Features): PolicyRule | undefined {
  const rule = check.object(value, path, ['id', 'when', 'action', 'reason'], ['description']);
  if (rule === undefined) return undefined;
  const id = Object.hasOwn(rule, 'id')
    ? check.name(rule.id, pointer(path, 'id'), idPattern, nameLengthMax, 'id')
    : undefined;
  const description =
    rule.description === undefined
      ? undefined
      : check.text(rule.description, pointer(path, 'description'), 'description');
  const when = Object.hasOwn(rule, 'when')
    ? conditionOf(check, rule.when, pointer(path, 'when'), features, 1)
    : undefined;
  const action = ruleActions.find((candidate) => candidate === rule.action);
  if (action === undefined && Object.hasOwn(rule, 'action'))
    check.add(
      'value_not_allowed',
      pointer(path, 'action'),
      `action must be one of ${ruleActions.join(', ')}`,
    );
  const reason = Object.hasOwn(rule, 'reason')
    ? check.name(rule.reason, pointer(path, 'reason'), reasonPattern, nameLengthMax, 'reason')
    : undefined;
  if (id === undefined || when === undefined || action === undefined || reason === undefined)
    return undefined;
  if (rule.description !== undefined && description === undefined) return undefined;
  return { id, ...(description === undefined ? {} : { description }), when, action, reason };
}

const combinators = ['all', 'any', 'not'] as const;

function conditionOf(
  check: Checker,
  value: unknown,
  path: string,
  features: Features,
  depth: number,
): Condition | undefined {
  if (!isObject(value)) {
    check.add('type_invalid', path, 'a condition must be an object');
    return undefined;
  }
  if (depth > conditionDepthMax) {
    check.add('limit_exceeded', path, `conditions nest at most ${conditionDepthMax} deep`);
    return undefined;
  }
  if (Object.hasOwn(value, 'feature') || Object.hasOwn(value, 'op'))
    return leafOf(check, value, path, features);
  const combinator = combinators.find((key) => Object.hasOwn(value, key));
  if (combinator === undefined) {
    check.add(
      'field_required',
      path,
      'a condition is {feature, op, value}, {all: [...]}, {any: [...]} or {not: condition}',
    );
    return undefined;
  }
  for (const key of Object.keys(value))
    if (key !== combinator)
      check.add('field_unknown', pointer(path, key), `a condition with ${combinator} has no other field`);
  const childPath = pointer(path, combinator);
  if (combinator === 'not') {
    const inner = conditionOf(check, value.not, childPath, features, depth + 1);
    return inner === undefined || Object.keys(value).length > 1 ? undefined : { not: inner };
  }
  const items = check.array(value[combinator], childPath, 1, conditionChildrenMax, combinator);
  if (items === undefined) return undefined;
  const children: Condition[] = [];
  items.forEach((item, index) => {
    const child = conditionOf(check, item, pointer(childPath, index), features, depth + 1);
    if (child !== undefined) children.push(child);
  });
  if (children.length < items.length || Object.keys(value).length > 1) return undefined;
  return combinator === 'all' ? { all: children } : { any: children };
}

function leafOf(check: Checker, leaf: Json, path: string, features: Features): LeafCondition | undefined {
  const before = check.issues.length;
  check.object(leaf, path, ['feature', 'op'], ['value']);
  const featurePath = pointer(path, 'feature');
  const name = Object.hasOwn(leaf, 'feature')
    ? check.name(leaf.feature, featurePath, featureNamePattern, nameLengthMax, 'feature')
    : undefined;
  if (name !== undefined && !features.has(name))
    check.add('feature_unknown', featurePath, `no feature ${name} is declared in features`);
  const opPath = pointer(path, 'op');
  const op = conditionOps.find((candidate) => candidate === leaf.op);
  if (op === undefined && Object.hasOwn(leaf, 'op'))
    check.add('value_not_allowed', opPath, `op must be one of ${conditionOps.join(' ')}`);
  const spec = name === undefined ? undefined : features.get(name);
  let operand: Operand | undefined;
  if (op !== undefined) {
    if (spec !== undefined) operand = operandOf(check, leaf, path, name ?? '', spec, op);
    else operandShape(check, leaf, path, op);
  }
  if (check.issues.length > before || name === undefined || op === undefined || operand === undefined)
    return undefined;
  return operand.value === undefined ? { feature: name, op } : { feature: name, op, value: operand.value };
}

/** A leaf's value as read: absent (undefined) only for is_null. */
type Operand = { readonly value: PolicyScalar | PolicyScalar[] | undefined };

/** Shape-only checks of `value` when the feature's type is not known (so no issue depends on it). */
function operandShape(check: Checker, leaf: Json, path: string, op: ConditionOp): void {
  const valuePath = pointer(path, 'value');
  if (op === 'is_null') {
    if (leaf.value !== undefined && typeof leaf.value !== 'boolean')
      check.add('type_invalid', valuePath, 'is_null takes value true, false or no value');
    return;
  }
  if (!Object.hasOwn(leaf, 'value')) check.add('field_required', valuePath, `op ${op} needs a value`);
}

function operandOf(
  check: Checker,
  leaf: Json,
  path: string,
  name: string,
  spec: FeatureSpec,
  op: ConditionOp,
): Operand | undefined {
  const opPath = pointer(path, 'op');
  const valuePath = pointer(path, 'value');
  const type = spec.type;
  if (comparisonOps.has(op) && !orderedTypes.has(type)) {
    check.add('operator_not_allowed', opPath, `op ${op} needs an ordered feature; ${name} is a ${type}`);
    return undefined;
  }
  if ((op === 'in' || op === 'not_in') && type === 'boolean') {
    check.add('operator_not_allowed', opPath, `op ${op} does not apply to the boolean ${name}: use == or !=`);
    return undefined;
  }
  if (op === 'is_null') {
    if (spec.nullable !== true)
      check.add('operator_not_allowed', opPath, `${name} is not nullable, so is_null could never be true`);
    const flag = leaf.value;
    if (flag === undefined) return { value: undefined };
    if (typeof flag === 'boolean') return { value: flag };
    check.add('type_invalid', valuePath, 'is_null takes value true, false or no value');
    return undefined;
  }
  if (!Object.hasOwn(leaf, 'value')) {
    check.add('field_required', valuePath, `op ${op} needs a value`);
    return undefined;
  }
  const what = `a value for the ${type} ${name}`;
  if (op === 'in' || op === 'not_in') {
    const items = check.array(leaf.value, valuePath, 1, conditionValuesMax, `the value of ${op}`);
    const values = items === undefined ? undefined : distinctScalars(check, type, items, valuePath, what);
    return values === undefined ? undefined : { value: values };
  }
  if (op === 'between') {
    const bounds = check.array(leaf.value, valuePath, 2, 2, 'the value of between ([lo, hi])');
    if (bounds === undefined) return undefined;
    const lo = check.scalar(type, bounds[0], pointer(valuePath, 0), what);
    const hi = check.scalar(type, bounds[1], pointer(valuePath, 1), what);
    if (lo === undefined || hi === undefined) return undefined;
    if (compareScalars(type, lo, hi) > 0) {
      check.add(
        'range_invalid',
        valuePath,
        `between needs lo ≤ hi: ${JSON.stringify(lo)} is above ${JSON.stringify(hi)}`,
      );
      return undefined;
    }
    return { value: [lo, hi] };
  }
  const scalar = check.scalar(type, leaf.value, valuePath, what);
  return scalar === undefined ? undefined : { value: scalar };
}

function distinctScalars(
  check: Checker,
  type: FeatureType,
  items: readonly unknown[],
  path: string,
  what: string,
  seen: Set<PolicyScalar> = new Set(),
): PolicyScalar[] | undefined {
  const values: PolicyScalar[] = [];
  items.forEach((item, index) => {
    const scalar = check.scalar(type, item, pointer(path, index), what);
    if (scalar === undefined) return;
    if (seen.has(scalar))
      check.add('duplicate_value', pointer(path, index), `${JSON.stringify(scalar)} is listed twice`);
    seen.add(scalar);
    values.push(scalar);
  });
  return values.length === items.length ? values : undefined;
}

/** Orders two constants of one ordered type (money as exact integers, dates as text). */
function compareScalars(type: FeatureType, a: PolicyScalar, b: PolicyScalar): number {
  if (type === 'money') {
    const x = BigInt(String(a));
    const y = BigInt(String(b));
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function scorecardOf(check: Checker, value: unknown, features: Features): Scorecard | undefined {
  if (value === undefined) return undefined; // reported as field_required
  const card = check.object(value, '/scorecard', ['basePoints', 'characteristics'], []);
  if (card === undefined) return undefined;
  const basePoints = Object.hasOwn(card, 'basePoints')
    ? check.points(card.basePoints, '/scorecard/basePoints', 'basePoints')
    : undefined;
  const path = '/scorecard/characteristics';
  const items = Object.hasOwn(card, 'characteristics')
    ? check.array(card.characteristics, path, 0, scorecardCharacteristicsMax, 'characteristics')
    : undefined;
  if (items === undefined || basePoints === undefined) return undefined;
  const characteristics: Characteristic[] = [];
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const itemPath = pointer(path, index);
    const characteristic = characteristicOf(check, item, itemPath, features);
    if (characteristic === undefined) return;
    if (seen.has(characteristic.feature))
      check.add(
        'duplicate_value',
        pointer(itemPath, 'feature'),
        `${characteristic.feature} is scored by an earlier characteristic`,
      );
    seen.add(characteristic.feature);
    characteristics.push(characteristic);
  });
  return characteristics.length === items.length ? { basePoints, characteristics } : undefined;
}

function characteristicOf(
  check: Checker,
  value: unknown,
  path: string,
  features: Features,
): Characteristic | undefined {
  const before = check.issues.length;
  const item = check.object(value, path, ['feature', 'bins', 'missingPoints'], ['otherPoints']);
  if (item === undefined) return undefined;
  const featurePath = pointer(path, 'feature');
  const name = Object.hasOwn(item, 'feature')
    ? check.name(item.feature, featurePath, featureNamePattern, nameLengthMax, 'feature')
    : undefined;
  if (name !== undefined && !features.has(name))
    check.add('feature_unknown', featurePath, `no feature ${name} is declared in features`);
  const missingPoints = Object.hasOwn(item, 'missingPoints')
    ? check.points(item.missingPoints, pointer(path, 'missingPoints'), 'missingPoints')
    : undefined;
  const otherPoints =
    item.otherPoints === undefined
      ? undefined
      : check.points(item.otherPoints, pointer(path, 'otherPoints'), 'otherPoints');
  const binsPath = pointer(path, 'bins');
  const items = Object.hasOwn(item, 'bins')
    ? check.array(item.bins, binsPath, 1, characteristicBinsMax, 'bins')
    : undefined;
  const spec = name === undefined ? undefined : features.get(name);
  const bins = items === undefined ? undefined : binsOf(check, items, binsPath, spec?.type, name ?? '');
  if (spec !== undefined && bins !== undefined)
    coverageIssues(check, item, path, spec.type, name ?? '', bins);
  if (check.issues.length > before || name === undefined || missingPoints === undefined || bins === undefined)
    return undefined;
  return { feature: name, bins, missingPoints, ...(otherPoints === undefined ? {} : { otherPoints }) };
}

/** Each bin's own shape and constants; coverage is checked once all of them are read. */
function binsOf(
  check: Checker,
  items: readonly unknown[],
  path: string,
  type: FeatureType | undefined,
  name: string,
): ScorecardBin[] | undefined {
  const bins: ScorecardBin[] = [];
  const listed = new Set<PolicyScalar>();
  items.forEach((item, index) => {
    const binPath = pointer(path, index);
    const form = isObject(item) && Object.hasOwn(item, 'values') ? 'values' : 'range';
    const bin = check.object(item, binPath, [form, 'points'], []);
    if (bin === undefined) return;
    const points = Object.hasOwn(bin, 'points')
      ? check.points(bin.points, pointer(binPath, 'points'), 'points')
      : undefined;
    const formPath = pointer(binPath, form);
    if (type !== undefined && (form === 'range') !== orderedTypes.has(type)) {
      const wanted = orderedTypes.has(type) ? 'range: [lo, hi]' : 'values: [...]';
      check.add('bins_invalid', formPath, `the bins of the ${type} ${name} are written ${wanted}`);
      return;
    }
    const what = type === undefined ? 'a bin bound' : `a bin bound of the ${type} ${name}`;
    if (form === 'values') {
      const values = check.array(bin.values, formPath, 1, conditionValuesMax, 'values');
      const scalars =
        values === undefined || type === undefined
          ? undefined
          : distinctScalars(check, type, values, formPath, what, listed);
      if (scalars !== undefined && points !== undefined) bins.push({ values: scalars, points });
      return;
    }
    const range = check.array(bin.range, formPath, 2, 2, 'range ([lo, hi))');
    if (range === undefined || type === undefined) return;
    const [lo, hi] = range.map((bound, side) =>
      bound === null ? null : check.scalar(type, bound, pointer(formPath, side), what),
    );
    if (lo === undefined || hi === undefined || points === undefined) return;
    if (lo !== null && hi !== null && compareScalars(type, lo, hi) >= 0)
      check.add(
        'range_invalid',
        formPath,
        `a bin [lo, hi) needs lo < hi: ${JSON.stringify(lo)} is not below ${JSON.stringify(hi)}`,
      );
    bins.push({ range: [lo, hi], points });
  });
  return bins.length === items.length ? bins : undefined;
}

/** Numeric bins run from −∞ to +∞ in order without gap or overlap; categorical ones cover every value. */
function coverageIssues(
  check: Checker,
  item: Json,
  path: string,
  type: FeatureType,
  name: string,
  bins: readonly ScorecardBin[],
): void {
  const binsPath = pointer(path, 'bins');
  if (orderedTypes.has(type)) {
    if (item.otherPoints !== undefined)
      check.add(
        'bins_invalid',
        pointer(path, 'otherPoints'),
        `the range bins of ${name} cover every value: otherPoints is never used`,
      );
    bins.forEach((bin, index) => {
      if (!('range' in bin)) return;
      const [lo, hi] = bin.range;
      const rangePath = pointer(pointer(binsPath, index), 'range');
      const previous = bins[index - 1];
      const previousHi = previous !== undefined && 'range' in previous ? previous.range[1] : null;
      if (index === 0 && lo !== null)
        check.add(
          'bins_invalid',
          pointer(rangePath, 0),
          `the first bin must start at null (−∞), not ${JSON.stringify(lo)}`,
        );
      if (index > 0 && (lo === null || previousHi === null || compareScalars(type, lo, previousHi) !== 0)) {
        const gap = lo !== null && previousHi !== null && compareScalars(type, lo, previousHi) > 0;
        check.add(
          'bins_invalid',
          pointer(rangePath, 0),
          `bin ${index} must start where bin ${index - 1} ends (${JSON.stringify(previousHi)}): ${gap ? 'a gap' : 'an overlap'}`,
        );
      }
      if (index === bins.length - 1 && hi !== null)
        check.add(
          'bins_invalid',
          pointer(rangePath, 1),
          `the last bin must end at null (+∞), not ${JSON.stringify(hi)}`,
        );
    });
    return;
  }
  if (type === 'boolean') {
    if (item.otherPoints !== undefined)
      check.add(
        'bins_invalid',
        pointer(path, 'otherPoints'),
        `the bins of ${name} list both values: otherPoints is never used`,
      );
    const listed = new Set(bins.flatMap((bin) => ('values' in bin ? bin.values : [])));
    for (const value of [true, false])
      if (!listed.has(value)) check.add('bins_invalid', binsPath, `no bin of ${name} holds ${value}`);
    return;
  }
  if (item.otherPoints === undefined)
    check.add(
      'field_required',
      pointer(path, 'otherPoints'),
      `the string ${name} needs otherPoints for values no bin lists`,
    );
}

function gradesOf(
  check: Checker,
  root: Json,
): { grades: GradeCut[]; belowLowestGrade: string | undefined } | undefined {
  const items =
    root.grades === undefined ? undefined : check.array(root.grades, '/grades', 1, policyGradesMax, 'grades');
  const hasBelow = Object.hasOwn(root, 'belowLowestGrade');
  const belowLowestGrade = hasBelow
    ? check.name(root.belowLowestGrade, '/belowLowestGrade', reasonPattern, nameLengthMax, 'belowLowestGrade')
    : undefined;
  if (items === undefined) return undefined;
  const grades: GradeCut[] = [];
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const path = pointer('/grades', index);
    const cut = check.object(item, path, ['grade', 'minScore'], []);
    if (cut === undefined) return;
    const grade = Object.hasOwn(cut, 'grade')
      ? check.name(cut.grade, pointer(path, 'grade'), gradePattern, gradeLengthMax, 'grade')
      : undefined;
    if (grade !== undefined && seen.has(grade))
      check.add('duplicate_value', pointer(path, 'grade'), `grade ${grade} is listed twice`);
    if (grade !== undefined) seen.add(grade);
    const minScorePath = pointer(path, 'minScore');
    const minScore =
      cut.minScore === null
        ? null
        : Object.hasOwn(cut, 'minScore')
          ? check.points(cut.minScore, minScorePath, 'minScore')
          : undefined;
    if (grade === undefined || minScore === undefined) return;
    const previous = grades.at(-1);
    if (previous !== undefined && previous.minScore === null)
      check.add(
        'grades_invalid',
        pointer(pointer('/grades', index - 1), 'minScore'),
        'only the last grade may have minScore null',
      );
    else if (
      previous !== undefined &&
      minScore !== null &&
      previous.minScore !== null &&
      minScore >= previous.minScore
    )
      check.add(
        'grades_invalid',
        minScorePath,
        `minScore must be below the previous grade's ${previous.minScore}`,
      );
    grades.push({ grade, minScore });
  });
  if (grades.length < items.length) return undefined;
  const catchAll = grades.at(-1)?.minScore === null;
  if (catchAll && hasBelow)
    check.add(
      'grades_invalid',
      '/belowLowestGrade',
      'the last grade takes every score (minScore null): belowLowestGrade is never used',
    );
  if (!catchAll && !hasBelow)
    check.add(
      'field_required',
      '/belowLowestGrade',
      'belowLowestGrade (a reason code) is required unless the last grade has minScore null',
    );
  if (hasBelow && belowLowestGrade === undefined) return undefined;
  return { grades, belowLowestGrade };
}

function offersOf(
  check: Checker,
  value: unknown,
  grades: readonly GradeCut[] | undefined,
): Offer[] | undefined {
  if (value === undefined) return undefined; // reported as field_required
  const items = check.array(value, '/offers', 1, policyGradesMax, 'offers');
  if (items === undefined) return undefined;
  const offers: Offer[] = [];
  const offered = new Set<string>();
  const graded = new Set(grades?.map((cut) => cut.grade));
  items.forEach((item, index) => {
    const path = pointer('/offers', index);
    const offer = offerOf(check, item, path);
    if (offer === undefined) return;
    if (offered.has(offer.grade))
      check.add('duplicate_value', pointer(path, 'grade'), `grade ${offer.grade} has an earlier offer`);
    else if (grades !== undefined && !graded.has(offer.grade))
      check.add('offers_invalid', pointer(path, 'grade'), `no grade ${offer.grade} is defined in grades`);
    offered.add(offer.grade);
    offers.push(offer);
  });
  for (const cut of grades ?? [])
    if (!offered.has(cut.grade) && offers.length === items.length)
      check.add('offers_invalid', '/offers', `grade ${cut.grade} has no offer`);
  return offers.length === items.length ? offers : undefined;
}

function offerOf(check: Checker, value: unknown, path: string): Offer | undefined {
  const before = check.issues.length;
  const offer = check.object(value, path, ['grade', 'creditLimit', 'price', 'products'], []);
  if (offer === undefined) return undefined;
  const grade = Object.hasOwn(offer, 'grade')
    ? check.name(offer.grade, pointer(path, 'grade'), gradePattern, gradeLengthMax, 'grade')
    : undefined;
  const limitPath = pointer(path, 'creditLimit');
  const creditLimit = offer.creditLimit;
  if (Object.hasOwn(offer, 'creditLimit')) {
    if (typeof creditLimit !== 'string' || !isMinorUnits(creditLimit))
      check.add('minor_units_invalid', limitPath, `creditLimit must be ${typeName('money')}`);
    else if (creditLimit.length > 9 || BigInt(creditLimit) <= 0n || BigInt(creditLimit) > creditLimitMinorMax)
      check.add(
        'credit_limit_invalid',
        limitPath,
        `creditLimit must be above 0 and at most ${creditLimitMinorMax} fen (200,000.00 CNY)`,
      );
  }
  const price = Object.hasOwn(offer, 'price')
    ? priceOf(check, offer.price, pointer(path, 'price'))
    : undefined;
  const productsPath = pointer(path, 'products');
  const products = Object.hasOwn(offer, 'products')
    ? check.array(offer.products, productsPath, 1, offerProductsMax, 'products')
    : undefined;
  const codes: string[] = [];
  products?.forEach((product, index) => {
    const code = check.name(
      product,
      pointer(productsPath, index),
      idPattern,
      nameLengthMax,
      'a product code',
    );
    if (code === undefined) return;
    if (codes.includes(code))
      check.add('duplicate_value', pointer(productsPath, index), `product ${code} is listed twice`);
    codes.push(code);
  });
  if (
    check.issues.length > before ||
    grade === undefined ||
    typeof creditLimit !== 'string' ||
    price === undefined
  )
    return undefined;
  return { grade, creditLimit, price, products: codes };
}

const decimalPattern = /^-?\d+(\.\d+)?$/;

function priceOf(check: Checker, value: unknown, path: string): Price | undefined {
  const price = check.object(value, path, ['kind', 'rate'], []);
  if (price === undefined) return undefined;
  const kind = priceKinds.find((candidate) => candidate === price.kind);
  if (kind === undefined && Object.hasOwn(price, 'kind'))
    check.add('value_not_allowed', pointer(path, 'kind'), `kind must be one of ${priceKinds.join(', ')}`);
  if (!Object.hasOwn(price, 'rate')) return undefined;
  const ratePath = pointer(path, 'rate');
  const rate = price.rate;
  if (typeof rate !== 'string' || !decimalPattern.test(rate)) {
    check.add('decimal_invalid', ratePath, 'rate must be a decimal string such as "0.1800"');
    return undefined;
  }
  const parsed = new Decimal(rate);
  const max = kind === 'period_fee_rate' ? periodFeeRateMax : annualRateMax;
  if (rate.startsWith('-')) check.add('rate_negative', ratePath, 'rate must not be negative');
  else if (parsed.greaterThan(max))
    check.add(
      'rate_too_large',
      ratePath,
      `${kind === 'period_fee_rate' ? 'a period fee rate' : 'an annual rate'} must be at most ${max}`,
    );
  // Places as written: "0.1800" has four. Trailing zeros count, so the text an analyst wrote is the limit.
  else if ((rate.split('.')[1] ?? '').length > rateDecimalPlacesMax)
    check.add(
      'rate_precision_exceeded',
      ratePath,
      `rate must have at most ${rateDecimalPlacesMax} decimal places`,
    );
  else if (kind !== undefined) return { kind, rate };
  return undefined;
}
