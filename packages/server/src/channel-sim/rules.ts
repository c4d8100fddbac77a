import { z } from 'zod';

// Behaviour rules (docs/payments.md, "Behaviour rules"): the list an operator or a test posts to
// make the channel misbehave on purpose. The first rule whose every given field matches decides.

export const orderKinds = ['PAYOUT', 'COLLECT', 'REFUND'] as const;
export type OrderKind = (typeof orderKinds)[number];
export type RuleKind = 'BIND' | OrderKind;

const code = z.string().regex(/^[A-Z0-9_]{1,40}$/);
const digits = z.string().regex(/^\d{1,19}$/);

const ruleSchema = z.strictObject({
  match: z.strictObject({
    kind: z.enum(['BIND', ...orderKinds]).optional(),
    cardNoSuffix: digits.optional(),
    accountNoSuffix: digits.optional(),
    amountFen: z.number().int().positive().max(Number.MAX_SAFE_INTEGER).optional(),
  }),
  // biome-ignore lint/suspicious/noThenProperty: the protocol names it; the value is an object, never a function, so nothing mistakes a rule for a promise
  then: z.strictObject({
    fail: code.optional(),
    stayProcessing: z.boolean().optional(),
    unknown: z.boolean().optional(),
    timeout: z.boolean().optional(),
    duplicateCallbacks: z.number().int().min(0).max(10).optional(),
    reorderCallbacks: z.boolean().optional(),
    dropCallbacks: z.boolean().optional(),
    // A day at most, before time scaling: a longer delay is a mistake, not a scenario.
    bounceAfterMs: z.number().int().min(0).max(86_400_000).optional(),
    delayMs: z.number().int().min(0).max(86_400_000).optional(),
  }),
});

export const rulesSchema = z.array(ruleSchema).max(1000);
export type Rule = z.output<typeof ruleSchema>;
export type Behaviour = Rule['then'];

export type RuleSubject = {
  kind: RuleKind;
  /** Card and account numbers are matched by their suffix; the store keeps only the last digits. */
  cardNo?: string | null;
  accountNo?: string | null;
  amountFen?: bigint | null;
};

export function behaviourFor(rules: readonly Rule[], subject: RuleSubject): Behaviour {
  const rule = rules.find(({ match }) => {
    if (match.kind !== undefined && match.kind !== subject.kind) return false;
    if (match.cardNoSuffix !== undefined && !(subject.cardNo ?? '').endsWith(match.cardNoSuffix))
      return false;
    if (match.accountNoSuffix !== undefined && !(subject.accountNo ?? '').endsWith(match.accountNoSuffix))
      return false;
    if (match.amountFen !== undefined && subject.amountFen !== BigInt(match.amountFen)) return false;
    return true;
  });
  return rule?.then ?? {};
}

/**
 * The bank records every binding is checked against: a card number ending in 0343–0346 fails with
 * that code, so a test of Fenqi can reach each element's failure without posting rules.
 */
export function builtInBindFailure(cardNo: string): string | null {
  const tail = cardNo.slice(-4);
  return ['0343', '0344', '0345', '0346'].includes(tail) ? `BF0${tail}` : null;
}

/** Fees are fixed when an order finishes: a flat fee per payout, 0.25 % (at least 1 元) per collection. */
export function feeFor(kind: OrderKind, status: string, amountFen: bigint, payoutFeeFen: bigint): bigint {
  if (status !== 'SUCCEEDED') return 0n;
  if (kind === 'PAYOUT') return payoutFeeFen;
  if (kind === 'REFUND') return 0n;
  const quarterPercent = (amountFen * 25n + 5_000n) / 10_000n; // half-up: amounts are positive
  return quarterPercent < 100n ? 100n : quarterPercent;
}

/** 元 with exactly two places, read without floating point; null when it is not a positive amount. */
export function parseYuan(value: unknown): bigint | null {
  if (typeof value !== 'string' || !/^\d{1,13}\.\d{2}$/.test(value)) return null;
  const fen = BigInt(value.replace('.', ''));
  return fen > 0n ? fen : null;
}

export function parseFen(value: unknown): bigint | null {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) return null;
  return BigInt(value);
}
