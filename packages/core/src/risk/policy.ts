// A credit policy version (授信策略) as a JSON document: the features a decision reads, ordered hard
// rules, a points scorecard, grade cut-offs and an offer per grade. The types below are the
// document itself — what validatePolicy accepts — and docs/risk.md describes each field for the
// analysts who write them. Values that must be exact never travel as JSON floats: money is integer
// fen written as a string of digits ("123456" is 1,234.56 CNY), rates are decimal strings.

export const featureTypes = ['integer', 'number', 'string', 'boolean', 'date', 'money'] as const;
export type FeatureType = (typeof featureTypes)[number];

/** Feature types with an order: comparisons, between and range bins apply to these. */
export const orderedFeatureTypes = [
  'integer',
  'number',
  'date',
  'money',
] as const satisfies readonly FeatureType[];

export interface FeatureSpec {
  readonly type: FeatureType;
  /** May the snapshot leave the value out or send null? Default false: then it must be there. */
  readonly nullable?: boolean;
  readonly description?: string;
}

/** A constant in a condition or a bin, written as the snapshot writes the feature's values. */
export type PolicyScalar = number | string | boolean;

export const conditionOps = ['==', '!=', '<', '<=', '>', '>=', 'in', 'not_in', 'between', 'is_null'] as const;
export type ConditionOp = (typeof conditionOps)[number];

export interface LeafCondition {
  readonly feature: string;
  readonly op: ConditionOp;
  /** A scalar; a list for in / not_in; [lo, hi] for between; true (default) or false for is_null. */
  readonly value?: PolicyScalar | readonly PolicyScalar[];
}

export type Condition =
  | LeafCondition
  | { readonly all: readonly Condition[] }
  | { readonly any: readonly Condition[] }
  | { readonly not: Condition };

export const ruleActions = ['reject', 'review'] as const;
export type RuleAction = (typeof ruleActions)[number];

export interface PolicyRule {
  readonly id: string;
  readonly description?: string;
  readonly when: Condition;
  readonly action: RuleAction;
  /** The reason code a hit reports, e.g. R001_UNDER_AGE. */
  readonly reason: string;
}

/** [lo, hi): lo included, hi excluded; null is −∞ as lo and +∞ as hi. */
export interface RangeBin {
  readonly range: readonly [PolicyScalar | null, PolicyScalar | null];
  readonly points: number;
}

export interface ValuesBin {
  readonly values: readonly PolicyScalar[];
  readonly points: number;
}

export type ScorecardBin = RangeBin | ValuesBin;

export interface Characteristic {
  readonly feature: string;
  readonly bins: readonly ScorecardBin[];
  /** Points for a null or absent value. */
  readonly missingPoints: number;
  /** String features only, and required there: points for a value no bin lists. */
  readonly otherPoints?: number;
}

export interface Scorecard {
  readonly basePoints: number;
  readonly characteristics: readonly Characteristic[];
}

export interface GradeCut {
  readonly grade: string;
  /** The lowest score of the grade; null on the last grade makes it take every lower score. */
  readonly minScore: number | null;
}

export const priceKinds = ['annual_rate', 'period_fee_rate'] as const;
export type PriceKind = (typeof priceKinds)[number];

/**
 * annual_rate: a nominal annual rate repaid in equal monthly installments (等额本息);
 * period_fee_rate: a monthly fee on the original principal with equal principal parts (等本等息).
 */
export interface Price {
  readonly kind: PriceKind;
  /** A decimal string such as "0.1800". */
  readonly rate: string;
}

export interface Offer {
  readonly grade: string;
  /** Integer fen as a string of digits. */
  readonly creditLimit: string;
  readonly price: Price;
  readonly products: readonly string[];
}

export interface PolicyDocument {
  readonly id: string;
  readonly version: number;
  readonly currency: 'CNY';
  readonly description?: string;
  readonly features: Readonly<Record<string, FeatureSpec>>;
  readonly rules: readonly PolicyRule[];
  readonly scorecard: Scorecard;
  readonly grades: readonly GradeCut[];
  /** The reason code of a score below every cut-off; required unless the last grade's minScore is null. */
  readonly belowLowestGrade?: string;
  readonly offers: readonly Offer[];
  /**
   * Who may apply at all: an applicant outside the age window is refused before evaluation (the
   * application is not made), rather than decided against.
   */
  readonly eligibility?: Eligibility;
}

export interface Eligibility {
  /** Whole years on the business date of the application, both ends included. */
  readonly ageMin: number;
  readonly ageMax: number;
}

/** The widest age window a policy may set: adults (民法典: 18, or 16 living on their own labour) to 100. */
export const eligibilityAgeFloor = 16;
export const eligibilityAgeCeiling = 100;

/** A document validatePolicy accepted: only such a document compiles. */
export type Policy = PolicyDocument & { readonly __brand: 'Policy' };

// Limits, unit last. They bound the work of validating, compiling and evaluating any accepted policy.
export const policyFeaturesMax = 500;
export const policyRulesMax = 1000;
export const scorecardCharacteristicsMax = 100;
export const characteristicBinsMax = 100;
/** A leaf directly under `when` is at depth 1. */
export const conditionDepthMax = 16;
export const conditionChildrenMax = 100;
/** Values of one in / not_in list or one values bin. */
export const conditionValuesMax = 1000;
export const policyGradesMax = 26;
export const offerProductsMax = 50;
export const nameLengthMax = 64;
export const gradeLengthMax = 16;
export const textLengthMax = 1000;
/** Points, basePoints and minScore lie within ±this; a score stays a safe integer whatever the card. */
export const pointsAbsMax = 1_000_000;
/** 200,000.00 CNY: online consumer credit to one person (商业银行互联网贷款管理暂行办法, 2020). */
export const creditLimitMinorMax = 20_000_000n;
