import {
  characteristicBinsMax,
  conditionChildrenMax,
  conditionValuesMax,
  eligibilityAgeCeiling,
  eligibilityAgeFloor,
  featureTypes,
  gradeLengthMax,
  nameLengthMax,
  offerProductsMax,
  pointsAbsMax,
  policyFeaturesMax,
  policyGradesMax,
  policyRulesMax,
  ruleActions,
  scorecardCharacteristicsMax,
  textLengthMax,
} from './policy.ts';

// The published JSON Schema (draft 2020-12) of a policy document, for editors and for integrators
// who check documents before sending them. docs/risk.md prints it verbatim (a test holds the two
// equal). It says everything about the shape of a document; what depends on more than one place in
// it — a rule naming a declared feature, a constant of that feature's type, bins covering every
// value, grades descending, one offer per grade, nesting depth — only validatePolicy checks.

const name = (first: string, rest: string, lengthMax: number) => ({
  type: 'string',
  pattern: `^${first}${rest}{0,${lengthMax - 1}}$`,
});

/** A leaf condition for a group of operators, with the value they take. */
const leaf = (ops: readonly string[], value: object, valueRequired: boolean) => ({
  type: 'object',
  required: valueRequired ? ['feature', 'op', 'value'] : ['feature', 'op'],
  additionalProperties: false,
  properties: { feature: { $ref: '#/$defs/featureName' }, op: { enum: ops }, value },
});

const price = (kind: string, description: string, rate: string) => ({
  type: 'object',
  required: ['kind', 'rate'],
  additionalProperties: false,
  properties: { kind: { const: kind }, rate: { description, type: 'string', pattern: `^${rate}$` } },
});

const comparisonOps = ['==', '!=', '<', '<=', '>', '>='] as const;
const listOps = ['in', 'not_in'] as const;

export const policySchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://fenqi.dev/schemas/risk-policy-v1.json',
  title: 'Fenqi credit policy version',
  description:
    'Features, ordered hard rules, a points scorecard, grade cut-offs and one offer per grade. Money is integer fen as a string of digits; rates are decimal strings.',
  type: 'object',
  required: ['id', 'version', 'currency', 'features', 'rules', 'scorecard', 'grades', 'offers'],
  additionalProperties: false,
  properties: {
    id: { $ref: '#/$defs/id' },
    version: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
    currency: { const: 'CNY' },
    description: { $ref: '#/$defs/text' },
    features: {
      type: 'object',
      maxProperties: policyFeaturesMax,
      propertyNames: { $ref: '#/$defs/featureName' },
      additionalProperties: { $ref: '#/$defs/feature' },
    },
    rules: { type: 'array', maxItems: policyRulesMax, items: { $ref: '#/$defs/rule' } },
    scorecard: { $ref: '#/$defs/scorecard' },
    grades: { type: 'array', minItems: 1, maxItems: policyGradesMax, items: { $ref: '#/$defs/gradeCut' } },
    belowLowestGrade: { $ref: '#/$defs/reason' },
    offers: { type: 'array', minItems: 1, maxItems: policyGradesMax, items: { $ref: '#/$defs/offer' } },
    eligibility: {
      type: 'object',
      required: ['ageMin', 'ageMax'],
      additionalProperties: false,
      properties: {
        ageMin: { type: 'integer', minimum: eligibilityAgeFloor, maximum: eligibilityAgeCeiling },
        ageMax: { type: 'integer', minimum: eligibilityAgeFloor, maximum: eligibilityAgeCeiling },
      },
    },
  },
  $defs: {
    id: name('[A-Za-z0-9]', '[A-Za-z0-9_.-]', nameLengthMax),
    featureName: name('[a-z]', '[A-Za-z0-9_]', nameLengthMax),
    reason: name('[A-Z]', '[A-Z0-9_]', nameLengthMax),
    grade: name('[A-Z]', '[A-Za-z0-9_+-]', gradeLengthMax),
    text: { type: 'string', maxLength: textLengthMax },
    points: { type: 'integer', minimum: -pointsAbsMax, maximum: pointsAbsMax },
    scalar: {
      description:
        "A constant written as the snapshot writes the feature's values; its type must be the feature's.",
      anyOf: [{ type: 'number' }, { type: 'string', maxLength: textLengthMax }, { type: 'boolean' }],
    },
    feature: {
      type: 'object',
      required: ['type'],
      additionalProperties: false,
      properties: {
        type: { enum: [...featureTypes] },
        nullable: { type: 'boolean' },
        description: { $ref: '#/$defs/text' },
      },
    },
    condition: {
      oneOf: [
        { $ref: '#/$defs/compare' },
        { $ref: '#/$defs/list' },
        { $ref: '#/$defs/between' },
        { $ref: '#/$defs/isNull' },
        { $ref: '#/$defs/all' },
        { $ref: '#/$defs/any' },
        { $ref: '#/$defs/not' },
      ],
    },
    compare: leaf([...comparisonOps], { $ref: '#/$defs/scalar' }, true),
    list: leaf(
      [...listOps],
      {
        type: 'array',
        minItems: 1,
        maxItems: conditionValuesMax,
        uniqueItems: true,
        items: { $ref: '#/$defs/scalar' },
      },
      true,
    ),
    between: leaf(
      ['between'],
      {
        description: '[lo, hi], both included.',
        type: 'array',
        minItems: 2,
        maxItems: 2,
        items: { $ref: '#/$defs/scalar' },
      },
      true,
    ),
    isNull: leaf(['is_null'], { type: 'boolean' }, false),
    all: {
      type: 'object',
      required: ['all'],
      additionalProperties: false,
      properties: {
        all: {
          type: 'array',
          minItems: 1,
          maxItems: conditionChildrenMax,
          items: { $ref: '#/$defs/condition' },
        },
      },
    },
    any: {
      type: 'object',
      required: ['any'],
      additionalProperties: false,
      properties: {
        any: {
          type: 'array',
          minItems: 1,
          maxItems: conditionChildrenMax,
          items: { $ref: '#/$defs/condition' },
        },
      },
    },
    not: {
      type: 'object',
      required: ['not'],
      additionalProperties: false,
      properties: { not: { $ref: '#/$defs/condition' } },
    },
    rule: {
      type: 'object',
      required: ['id', 'when', 'action', 'reason'],
      additionalProperties: false,
      properties: {
        id: { $ref: '#/$defs/id' },
        description: { $ref: '#/$defs/text' },
        when: { $ref: '#/$defs/condition' },
        action: { enum: [...ruleActions] },
        reason: { $ref: '#/$defs/reason' },
      },
    },
    bin: {
      oneOf: [
        {
          type: 'object',
          required: ['range', 'points'],
          additionalProperties: false,
          properties: {
            range: {
              description: '[lo, hi): lo included, hi excluded; null is −∞ as lo and +∞ as hi.',
              type: 'array',
              minItems: 2,
              maxItems: 2,
              items: { anyOf: [{ type: 'null' }, { $ref: '#/$defs/scalar' }] },
            },
            points: { $ref: '#/$defs/points' },
          },
        },
        {
          type: 'object',
          required: ['values', 'points'],
          additionalProperties: false,
          properties: {
            values: {
              type: 'array',
              minItems: 1,
              maxItems: conditionValuesMax,
              uniqueItems: true,
              items: { $ref: '#/$defs/scalar' },
            },
            points: { $ref: '#/$defs/points' },
          },
        },
      ],
    },
    characteristic: {
      type: 'object',
      required: ['feature', 'bins', 'missingPoints'],
      additionalProperties: false,
      properties: {
        feature: { $ref: '#/$defs/featureName' },
        bins: { type: 'array', minItems: 1, maxItems: characteristicBinsMax, items: { $ref: '#/$defs/bin' } },
        missingPoints: { $ref: '#/$defs/points' },
        otherPoints: { $ref: '#/$defs/points' },
      },
    },
    scorecard: {
      type: 'object',
      required: ['basePoints', 'characteristics'],
      additionalProperties: false,
      properties: {
        basePoints: { $ref: '#/$defs/points' },
        characteristics: {
          type: 'array',
          maxItems: scorecardCharacteristicsMax,
          items: { $ref: '#/$defs/characteristic' },
        },
      },
    },
    gradeCut: {
      type: 'object',
      required: ['grade', 'minScore'],
      additionalProperties: false,
      properties: {
        grade: { $ref: '#/$defs/grade' },
        minScore: { anyOf: [{ $ref: '#/$defs/points' }, { type: 'null' }] },
      },
    },
    price: {
      oneOf: [
        price(
          'annual_rate',
          'An annual rate from 0 to 10 with at most 12 decimal places.',
          '0*([0-9](\\.[0-9]{1,12})?|10(\\.0{1,12})?)',
        ),
        price(
          'period_fee_rate',
          'A monthly fee rate from 0 to 1 with at most 12 decimal places.',
          '0*(0(\\.[0-9]{1,12})?|1(\\.0{1,12})?)',
        ),
      ],
    },
    offer: {
      type: 'object',
      required: ['grade', 'creditLimit', 'price', 'products'],
      additionalProperties: false,
      properties: {
        grade: { $ref: '#/$defs/grade' },
        creditLimit: {
          description: 'Integer fen above 0 and at most 20000000 (200,000.00 CNY).',
          type: 'string',
          pattern: '^([1-9][0-9]{0,6}|1[0-9]{7}|20000000)$',
        },
        price: { $ref: '#/$defs/price' },
        products: {
          type: 'array',
          minItems: 1,
          maxItems: offerProductsMax,
          uniqueItems: true,
          items: { $ref: '#/$defs/id' },
        },
      },
    },
  },
} as const;
