import type { IrrWork } from '../apr/irr.ts';
import { irrWork } from '../apr/irr.ts';
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

/** `work`, when given, receives the counts of the APR solver (tests bound them). */
export function quoteLoan(
  request: QuoteRequest,
  context: QuoteContext,
  work: IrrWork = irrWork(),
): QuoteResult {
  const terms = parseQuoteRequest(request, context);
  if (!terms.ok) return { ok: false, issues: terms.issues };
  const schedule = buildSchedule(terms.value);
  if (!schedule.ok) return { ok: false, issues: schedule.issues };
  const rates = scheduleApr(schedule.value, work);
  if (!rates.ok) {
    // A valid schedule has at most termCountMax installments after a positive payout, so its cash
    // flows are always accepted and always have an IRR; only the solver's work bound can stop it,
    // and that is reported rather than crashed on.
    assert(
      rates.issues.every((found) => found.code === 'irr_not_found'),
      'quoteLoan: a valid schedule with unacceptable cash flows',
    );
    return { ok: false, issues: rates.issues };
  }
  return { ok: true, quote: toQuoteResponse(schedule.value, rates.value) };
}
