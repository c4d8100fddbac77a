import { Decimal } from 'decimal.js';
import { isDayCount } from '../date/day-count.ts';
import { parseFrequency } from '../date/frequency.ts';
import type { LocalDate } from '../date/local-date.ts';
import { parseLocalDate } from '../date/local-date.ts';
import type { Issue, Result } from '../issue.ts';
import { failed, issue, ok } from '../issue.ts';
import { isDecimalString, parseAmount } from '../money/amount.ts';
import type { Currency } from '../money/currency.ts';
import { currencyByCode } from '../money/currency.ts';
import { isRoundingMode, roundingModes } from '../money/rounding.ts';
import type { InterestPeriod, LoanTerms, RepaymentMethod, UpfrontFeeMode } from '../schedule/terms.ts';
import {
  interestPeriods,
  loanTerms,
  remainderPolicies,
  repaymentMethods,
  upfrontFeeModes,
} from '../schedule/terms.ts';

// The quote request as the API and CLI receive it: camelCase, money and rates as decimal strings in
// major units. The server's schema has checked only the shape (strings where strings belong); every
// semantic rule — decimal syntax, minor-unit precision, allowed names, ranges — is checked here.

export interface QuoteRequest {
  readonly principal: string;
  readonly currency?: string | null;
  readonly method: string;
  readonly annualRate?: string | null;
  readonly periodFeeRate?: string | null;
  readonly termCount: number;
  readonly frequency?: string | null;
  /** Defaults to the business date the caller passes in the context. */
  readonly startDate?: string | null;
  readonly firstDueDate?: string | null;
  readonly dueDay?: number | null;
  readonly interestPeriod?: string | null;
  readonly dayCount?: string | null;
  readonly remainder?: string | null;
  readonly rounding?: string | null;
  readonly upfrontFee?: string | null;
  readonly upfrontFeeMode?: string | null;
  readonly graceTerms?: number | null;
  readonly penaltyRate?: string | null;
}

/** What the core cannot know by itself: there is no clock here, the business date comes from the caller. */
export interface QuoteContext {
  readonly businessDate: LocalDate;
}

type Present<T> = T extends null | undefined ? never : T;

function present<T>(value: T): value is Present<T> {
  return value !== null && value !== undefined;
}

function oneOf<T extends string>(
  value: string | null | undefined,
  allowed: readonly T[],
  fallback: T,
  path: string,
  issues: Issue[],
): T {
  if (!present(value)) return fallback;
  // A non-string never matches, so it is reported like any unknown name.
  const match = allowed.find((name) => name === value);
  if (match === undefined)
    issues.push(issue('value_not_allowed', path, `${path} must be one of: ${allowed.join(', ')}`));
  return match ?? fallback;
}

/**
 * Requests quote a handful of product rates, so each rate text becomes one shared Decimal (they are
 * immutable): everything derived from a rate — its exact fraction, its validation verdict, its
 * period rates and annuity factors — is cached per Decimal and then reused across requests.
 */
export const rateTextsCachedMax = 1024;
const decimalsByText = new Map<string, Decimal>();

function decimalOf(text: string): Decimal {
  const known = decimalsByText.get(text);
  if (known !== undefined) return known;
  if (decimalsByText.size >= rateTextsCachedMax) decimalsByText.clear();
  const parsed = new Decimal(text);
  decimalsByText.set(text, parsed);
  return parsed;
}

// The server's schema guarantees strings; a direct JavaScript caller gets the same issue codes
// instead of a crash when it passes a number.
function rate(value: string | null | undefined, path: string, issues: Issue[]): Decimal | undefined {
  if (!present(value)) return undefined;
  if (typeof value !== 'string' || !isDecimalString(value)) {
    issues.push(issue('decimal_invalid', path, `${path} must be a decimal string such as "0.053"`));
    return undefined;
  }
  return decimalOf(value);
}

function amount(
  value: string | null | undefined,
  currency: Currency,
  path: string,
  issues: Issue[],
): bigint | undefined {
  if (!present(value)) return undefined;
  if (typeof value !== 'string') {
    issues.push(issue('decimal_invalid', path, `${path} must be a decimal string such as "40000.00"`));
    return undefined;
  }
  const parsed = parseAmount(value, currency);
  if (parsed.ok) return parsed.minor;
  issues.push(
    parsed.reason === 'decimal_invalid'
      ? issue('decimal_invalid', path, `${path} must be a decimal string such as "40000.00"`)
      : issue(
          'amount_precision_exceeded',
          path,
          `${path} has more than ${currency.minorDigits} decimal places`,
        ),
  );
  return undefined;
}

function date(value: string | null | undefined, path: string, issues: Issue[]): LocalDate | undefined {
  if (!present(value)) return undefined;
  const parsed = typeof value === 'string' ? parseLocalDate(value) : undefined;
  if (parsed === undefined)
    issues.push(issue('date_invalid', path, `${path} must be a calendar date YYYY-MM-DD`));
  return parsed;
}

function integer(value: number | null | undefined, path: string, issues: Issue[]): number | undefined {
  if (!present(value)) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
    issues.push(issue('integer_invalid', path, `${path} must be an integer`));
    return undefined;
  }
  return value;
}

/** Parses and checks the syntax of every field, then builds the domain terms (validated later). */
export function parseQuoteRequest(request: QuoteRequest, context: QuoteContext): Result<LoanTerms> {
  const issues: Issue[] = [];
  const currencyCode = present(request.currency) ? request.currency : 'CNY';
  const currency = typeof currencyCode === 'string' ? currencyByCode(currencyCode) : undefined;
  if (currency === undefined)
    issues.push(issue('currency_unsupported', 'currency', `unsupported currency ${currencyCode}`));
  const method = oneOf<RepaymentMethod>(
    request.method,
    repaymentMethods,
    'equal_installment',
    'method',
    issues,
  );
  const principal =
    currency === undefined ? undefined : amount(request.principal, currency, 'principal', issues);
  if (!present(request.principal)) issues.push(issue('field_required', 'principal', 'principal is required'));
  const annualRate = rate(request.annualRate, 'annualRate', issues);
  if (!present(request.annualRate) && method !== 'flat_fee') {
    issues.push(issue('field_required', 'annualRate', `annualRate is required for ${method}`));
  }
  const termCount = integer(request.termCount, 'termCount', issues);
  if (!present(request.termCount)) issues.push(issue('field_required', 'termCount', 'termCount is required'));
  const frequencyText = present(request.frequency) ? request.frequency : 'monthly';
  const frequency = typeof frequencyText === 'string' ? parseFrequency(frequencyText) : undefined;
  if (frequency === undefined) {
    issues.push(
      issue(
        'value_not_allowed',
        'frequency',
        'frequency must be monthly, biweekly, weekly or days:N (N 1–366)',
      ),
    );
  }
  const startDate = date(request.startDate, 'startDate', issues) ?? context.businessDate;
  const firstDueDate = date(request.firstDueDate, 'firstDueDate', issues);
  const dueDay = integer(request.dueDay, 'dueDay', issues);
  const interestPeriod = oneOf<InterestPeriod>(
    request.interestPeriod,
    interestPeriods,
    'per_period',
    'interestPeriod',
    issues,
  );
  const dayCountText = present(request.dayCount) ? request.dayCount : 'ACT_360';
  if (!isDayCount(dayCountText))
    issues.push(issue('value_not_allowed', 'dayCount', 'dayCount must be ACT_360, ACT_365 or 30_360'));
  const remainder = oneOf(request.remainder, remainderPolicies, 'last_principal', 'remainder', issues);
  const roundingText = present(request.rounding) ? request.rounding : 'half_up';
  if (typeof roundingText !== 'string' || !isRoundingMode(roundingText)) {
    issues.push(
      issue('value_not_allowed', 'rounding', `rounding must be one of: ${roundingModes.join(', ')}`),
    );
  }
  const upfrontFee =
    currency === undefined ? undefined : amount(request.upfrontFee, currency, 'upfrontFee', issues);
  const upfrontFeeMode = oneOf<UpfrontFeeMode>(
    request.upfrontFeeMode,
    upfrontFeeModes,
    'deducted',
    'upfrontFeeMode',
    issues,
  );
  const graceTerms = integer(request.graceTerms, 'graceTerms', issues);
  const periodFeeRate = rate(request.periodFeeRate, 'periodFeeRate', issues);
  const penaltyRate = rate(request.penaltyRate, 'penaltyRate', issues);
  if (
    issues.length > 0 ||
    currency === undefined ||
    principal === undefined ||
    termCount === undefined ||
    frequency === undefined ||
    !isDayCount(dayCountText) ||
    !isRoundingMode(roundingText)
  ) {
    return failed(issues);
  }
  return ok(
    loanTerms({
      principalMinor: principal,
      currency,
      method,
      annualRate,
      periodFeeRate,
      termCount,
      frequency,
      startDate,
      firstDueDate,
      dueDay,
      interestPeriod: present(request.interestPeriod) ? interestPeriod : undefined,
      dayCount: dayCountText,
      remainder,
      rounding: roundingText,
      upfrontFeeMinor: upfrontFee ?? 0n,
      upfrontFeeMode,
      graceTerms: graceTerms ?? 0,
      penaltyRate,
    }),
  );
}
