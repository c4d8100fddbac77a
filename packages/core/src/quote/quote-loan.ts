import { scheduleApr } from '../apr/schedule-apr.ts';
import { assert } from '../assert.ts';
import type { Issue } from '../issue.ts';
import { buildSchedule } from '../schedule/schedule.ts';
import type { QuoteContext, QuoteRequest } from './quote-request.ts';
import { parseQuoteRequest } from './quote-request.ts';
import type { QuoteResponse } from './quote-response.ts';
import { toQuoteResponse } from './quote-response.ts';

// The whole quote contract (POST /api/v1/quotes, `fenqi quote`) as one pure function, so the
// server layer only maps issues to problem+json.

export type QuoteResult =
  | { readonly ok: true; readonly quote: QuoteResponse }
  | { readonly ok: false; readonly issues: readonly Issue[] };

export function quoteLoan(request: QuoteRequest, context: QuoteContext): QuoteResult {
  const terms = parseQuoteRequest(request, context);
  if (!terms.ok) return { ok: false, issues: terms.issues };
  const schedule = buildSchedule(terms.value);
  if (!schedule.ok) return { ok: false, issues: schedule.issues };
  const rates = scheduleApr(schedule.value);
  // A valid schedule pays back at least what was received, so its IRR always exists.
  assert(rates.ok, 'quoteLoan: a valid schedule without an APR');
  return { ok: true, quote: toQuoteResponse(schedule.value, rates.value) };
}
