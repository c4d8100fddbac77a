import type { RowPage } from '../../components/ServerTable';

// What the risk pages share: the keyset paging of the API's array lists, and the shapes of a
// decision (the API answers it as JSON; docs/risk.md "The decision and its trace").

/**
 * One page of a list the API answers as an array and pages with a cursor naming the last row:
 * asks for one row more than shown, so `next` is given only when there is a next page.
 */
export async function pageOf<T>(
  fetch: (limit: number) => Promise<T[]>,
  limit: number,
  cursorOf: (row: T) => string,
): Promise<RowPage<T>> {
  const rows = await fetch(limit + 1);
  const last = rows.length > limit ? rows[limit - 1] : undefined;
  return { rows: rows.slice(0, limit), next: last === undefined ? null : cursorOf(last) };
}

export type PolicyScalar = string | number | boolean | null;

export type RuleTrace = {
  id: string;
  verdict: 'hit' | 'pass';
  action: 'reject' | 'review';
  reason: string;
  read: Record<string, PolicyScalar>;
};

export type CharacteristicTrace = {
  feature: string;
  value: PolicyScalar;
  bin: number | 'missing' | 'other';
  points: number;
};

export type Decision = {
  policyId: string;
  policyVersion: number;
  outcome: 'approve' | 'reject' | 'review';
  score: number;
  grade: string | null;
  creditLimit: string | null;
  price: { kind: 'annual_rate' | 'period_fee_rate'; rate: string } | null;
  products: string[];
  reasons: string[];
  trace: { rules: RuleTrace[]; scorecard: CharacteristicTrace[]; score: number; grade: string | null };
};

export const reviewReasonCodes = [
  'V001_DOCUMENTS_VERIFIED',
  'V002_INCOME_VERIFIED',
  'V003_CONTACT_CONFIRMED',
  'V101_IDENTITY_DOUBT',
  'V102_FRAUD_SUSPECTED',
  'V103_AFFORDABILITY',
  'V104_APPLICANT_UNREACHABLE',
] as const;

/** A uuid shortened for a table cell (the full id is in the title). */
export function shortId(id: string | null | undefined): string {
  return id ? id.slice(0, 8) : '—';
}

/** The Idempotency-Key of one command (the client adds one too; the API's types ask for it). */
export { commandKey } from '../../api/client';

/** Outcomes coloured as the states they lead to (approve → approved, …). */
export const outcomeColour: Record<string, string> = { approve: 'green', review: 'gold', reject: 'red' };
