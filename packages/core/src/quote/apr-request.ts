import type { AnnualizedRates } from '../apr/annualized.ts';
import { annualizedRates, annualizedRatesDated, cashflowsMax, paymentsMax } from '../apr/annualized.ts';
import type { IrrWork } from '../apr/irr.ts';
import { irrWork } from '../apr/irr.ts';
import type { Frequency } from '../date/frequency.ts';
import { parseFrequency } from '../date/frequency.ts';
import type { LocalDate } from '../date/local-date.ts';
import { parseLocalDate } from '../date/local-date.ts';
import type { Issue, Result } from '../issue.ts';
import { failed, issue } from '../issue.ts';
import { amountMinorMax, isDecimalString, parseAmount } from '../money/amount.ts';
import type { QuoteApr } from './quote-response.ts';
import { toAprResponse } from './quote-response.ts';

// The APR tool contract (`fenqi apr`): a borrower's cash flows in, the PBOC 2021 No. 3 figures out.
// Either regular periods — `{frequency, received, payments[]}` — or dated flows for irregular
// dates, `{frequency?, cashflows: [{date, amount}]}` with amounts from the borrower's side
// (positive received, negative paid). Amounts are decimal strings in any unit; they are scaled to
// integers exactly, so the result does not depend on the currency.
//
// Bounds, so that the worst accepted request is cheap (the solver's work is at most
// npvEvaluationsMax evaluations, each linear in the flows):
//   - at most cashflowsMax flows (paymentsMax payments plus the amount received): the cash flows
//     of the longest loan the platform quotes; a longer list is refused before any entry is read;
//   - amounts at most 10^15 in absolute value, the platform's bound on one amount in minor units,
//     so any amount the platform can hold fits whatever unit it is written in;
//   - at most 12 decimal places.

export interface PeriodicAprRequest {
  readonly frequency?: string | null;
  readonly received: string;
  readonly payments: readonly string[];
}

export interface DatedAprRequest {
  /** The period the periodic and simple figures are stated for; default monthly. */
  readonly frequency?: string | null;
  readonly cashflows: readonly { readonly date: string; readonly amount: string }[];
}

export type AprRequest = PeriodicAprRequest | DatedAprRequest;

export type AprResponse = QuoteApr;

export type AprResult =
  | { readonly ok: true; readonly apr: AprResponse }
  | { readonly ok: false; readonly issues: readonly Issue[] };

export const amountDecimalPlacesMax = 12;
/** The largest absolute amount, in whatever unit the request is written: amountMinorMax (10^15). */
export const aprAmountMax = amountMinorMax;
const amountMaxDigits = aprAmountMax.toString();

/** `work`, when given, receives the solver's counts (tests bound them). */
export function aprFromCashflows(request: AprRequest, work: IrrWork = irrWork()): AprResult {
  const rates = 'cashflows' in request ? datedRates(request, work) : periodicRates(request, work);
  return rates.ok ? { ok: true, apr: toAprResponse(rates.value) } : { ok: false, issues: rates.issues };
}

/** |text| > aprAmountMax, read from the digits (the text is a valid decimal string). */
function exceedsAmountMax(text: string): boolean {
  const [whole = '', fraction = ''] = text.replace('-', '').split('.');
  const digits = whole.replace(/^0+(?=\d)/, '');
  if (digits.length !== amountMaxDigits.length) return digits.length > amountMaxDigits.length;
  return digits > amountMaxDigits || (digits === amountMaxDigits && /[1-9]/.test(fraction));
}

function frequencyOf(text: string | null | undefined, issues: Issue[]): Frequency | undefined {
  const frequency = typeof (text ?? 'monthly') === 'string' ? parseFrequency(text ?? 'monthly') : undefined;
  if (frequency === undefined) {
    issues.push(
      issue('value_not_allowed', 'frequency', 'frequency must be monthly, biweekly, weekly or days:N'),
    );
  }
  return frequency;
}

/** Scales decimal strings to integers with one common number of places, so no value is rounded. */
function scaleAmounts(
  entries: readonly { path: string; text: string }[],
  issues: Issue[],
): bigint[] | undefined {
  let places = 0;
  for (const { path, text } of entries) {
    if (typeof text !== 'string' || !isDecimalString(text)) {
      issues.push(issue('decimal_invalid', path, `${path} must be a decimal string such as "8833.33"`));
      continue;
    }
    if (exceedsAmountMax(text)) {
      issues.push(
        issue('amount_too_large', path, `${path} must be at most ${aprAmountMax} in absolute value`),
      );
      continue;
    }
    const fraction = text.split('.')[1] ?? '';
    places = Math.max(places, fraction.length);
  }
  if (places > amountDecimalPlacesMax) {
    issues.push(
      issue(
        'amount_precision_exceeded',
        'cashflows',
        `amounts may have at most ${amountDecimalPlacesMax} places`,
      ),
    );
  }
  if (issues.length > 0) return undefined;
  const unit = { code: 'XXX', minorDigits: places };
  return entries.map(({ text }) => {
    const parsed = parseAmount(text, unit);
    return parsed.ok ? parsed.minor : 0n;
  });
}

function periodicRates(request: PeriodicAprRequest, work: IrrWork): Result<AnnualizedRates> {
  const issues: Issue[] = [];
  if (!Array.isArray(request.payments)) {
    return failed([issue('cashflows_invalid', 'payments', 'payments must be a list of decimal strings')]);
  }
  if (request.payments.length > paymentsMax) {
    return failed([issue('cashflows_invalid', 'payments', `at most ${paymentsMax} payments`)]);
  }
  const frequency = frequencyOf(request.frequency, issues);
  const entries = [
    { path: 'received', text: request.received },
    ...request.payments.map((text, index) => ({ path: `payments[${index}]`, text })),
  ];
  const scaled = scaleAmounts(entries, issues);
  if (scaled === undefined || frequency === undefined) return failed(issues);
  const [received = 0n, ...payments] = scaled;
  return annualizedRates({ frequency, receivedMinor: received, paymentsMinor: payments }, work);
}

function datedRates(request: DatedAprRequest, work: IrrWork): Result<AnnualizedRates> {
  const issues: Issue[] = [];
  if (!Array.isArray(request.cashflows)) {
    return failed([issue('cashflows_invalid', 'cashflows', 'cashflows must be a list of {date, amount}')]);
  }
  if (request.cashflows.length > cashflowsMax) {
    return failed([issue('cashflows_invalid', 'cashflows', `at most ${cashflowsMax} cash flows`)]);
  }
  const frequency = frequencyOf(request.frequency, issues);
  const dates: LocalDate[] = [];
  for (const [index, flow] of request.cashflows.entries()) {
    const parsed = typeof flow.date === 'string' ? parseLocalDate(flow.date) : undefined;
    if (parsed === undefined)
      issues.push(issue('date_invalid', `cashflows[${index}].date`, 'must be a date YYYY-MM-DD'));
    else dates.push(parsed);
  }
  const scaled = scaleAmounts(
    request.cashflows.map((flow, index) => ({ path: `cashflows[${index}].amount`, text: flow.amount })),
    issues,
  );
  if (scaled === undefined || frequency === undefined || issues.length > 0) return failed(issues);
  const flows = dates.map((date, index) => ({ date, amountMinor: scaled[index] ?? 0n }));
  return annualizedRatesDated(flows, frequency, work);
}
