import { assert } from '../assert.ts';
import type { PolicyScalar, Price, RuleAction } from './policy.ts';

// What a policy decides for one snapshot, with the trace an analyst reads: every rule with its
// verdict and the values it read, every characteristic with its bin and points, the score and the
// grade. A decision is plain JSON (money as fen strings, no bigint, no Date), so it is stored and
// compared as text; canonicalDecisionJson gives the one byte sequence for it.

export const decisionOutcomes = ['approve', 'reject', 'review'] as const;
export type DecisionOutcome = (typeof decisionOutcomes)[number];

export interface RuleTrace {
  readonly id: string;
  readonly verdict: 'hit' | 'pass';
  readonly action: RuleAction;
  readonly reason: string;
  /** Every feature the rule's condition names, in the order it names them; null when missing. */
  readonly read: Readonly<Record<string, PolicyScalar | null>>;
}

export interface CharacteristicTrace {
  readonly feature: string;
  readonly value: PolicyScalar | null;
  /** The index of the bin the value fell in; 'missing' for null or absent; 'other' for an unlisted string. */
  readonly bin: number | 'missing' | 'other';
  readonly points: number;
}

export interface DecisionTrace {
  readonly rules: readonly RuleTrace[];
  readonly scorecard: readonly CharacteristicTrace[];
  readonly score: number;
  readonly grade: string | null;
}

export interface Decision {
  readonly policyId: string;
  readonly policyVersion: number;
  readonly outcome: DecisionOutcome;
  readonly score: number;
  /** The grade of the score whatever the outcome; null below the lowest cut-off. */
  readonly grade: string | null;
  /** The grade's offer, on approve only. */
  readonly creditLimit: string | null;
  readonly price: Price | null;
  readonly products: readonly string[];
  /** The reason codes of the rules that hit, in rule order, each once; belowLowestGrade when it decided. */
  readonly reasons: readonly string[];
  readonly trace: DecisionTrace;
}

/**
 * The decision as RFC 8785 JSON Canonicalization Scheme text: object keys sorted by UTF-16 code
 * units, no whitespace, numbers as ECMAScript prints them (the shortest text that reads back as the
 * same double), strings as JSON.stringify escapes them. Equal decisions give equal bytes, in any
 * process and in any language that implements RFC 8785, so the text can be hashed and stored.
 */
export function canonicalDecisionJson(decision: Decision): string {
  return canonicalJson(decision);
}

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    assert(Number.isFinite(value), 'canonicalJson: a number that JSON cannot carry');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item: unknown) => canonicalJson(item)).join(',')}]`;
  assert(typeof value === 'object', `canonicalJson: a ${typeof value} is not JSON`);
  const entries = Object.entries(value).filter(([, item]) => item !== undefined);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(',')}}`;
}
