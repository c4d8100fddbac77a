import { api, unwrap } from '../../api/client';

// Where a signed-in borrower goes next: the first onboarding step still missing (real name,
// agreements, card, credit line), else where they were going (`next`), else home. Each step page
// passes `next` on, so a borrower who came from a checkout link ends up back at the order.

export type Step = '/onboarding/real-name' | '/onboarding/agreements' | '/onboarding/card' | '/credit/apply';

/** The borrower's own customer profile, or undefined before real-name registration. */
export async function ownCustomer() {
  const customers = await unwrap(api.GET('/api/v1/borrower/customers'));
  return customers[0];
}

export async function missingStep(): Promise<Step | undefined> {
  if ((await ownCustomer()) === undefined) return '/onboarding/real-name';
  const agreements = await unwrap(api.GET('/api/v1/borrower/agreements'));
  if (agreements.some((agreement) => agreement.status !== 'current')) return '/onboarding/agreements';
  const cards = await unwrap(api.GET('/api/v1/borrower/card-agreements'));
  if (!cards.some((agreement) => agreement.status === 'active')) return '/onboarding/card';
  const lines = await unwrap(api.GET('/api/v1/borrower/credit-lines'));
  if (!lines.some((line) => line.status === 'active')) return '/credit/apply';
  return undefined;
}

/** A `next` that stays inside the H5 (no other origin, no protocol-relative URL). */
export function safeNext(next: string | null | undefined): string | undefined {
  if (next === null || next === undefined || next === '') return undefined;
  if (!next.startsWith('/') || next.startsWith('//')) return undefined;
  return next;
}

/** The path with `next` kept on it. */
export function withNext(path: string, next: string | undefined): string {
  return next === undefined ? path : `${path}?next=${encodeURIComponent(next)}`;
}

/** Where to go now: the missing step (carrying `next`), else `next`, else home. */
export async function nextDestination(next: string | undefined): Promise<string> {
  const step = await missingStep();
  if (step !== undefined) return withNext(step, next);
  return next ?? '/';
}
