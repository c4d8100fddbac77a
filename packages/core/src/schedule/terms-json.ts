import { Decimal } from 'decimal.js';
import type { DayCount } from '../date/day-count.ts';
import { formatFrequency, parseFrequency } from '../date/frequency.ts';
import { type LocalDate, localDate } from '../date/local-date.ts';
import { currencyByCode } from '../money/currency.ts';
import type { RoundingMode } from '../money/rounding.ts';
import type { InterestPeriod, LoanTerms, RemainderPolicy, RepaymentMethod, UpfrontFeeMode } from './terms.ts';

// A loan's terms as stored with the loan (JSON: amounts as strings of minor units, rates as
// decimal strings, dates as YYYY-MM-DD), so that its schedule can be rebuilt exactly years later.

export interface LoanTermsJson {
  readonly principalMinor: string;
  readonly currency: string;
  readonly method: RepaymentMethod;
  readonly annualRate: string;
  readonly periodFeeRate: string;
  readonly periodFeeMinor: string;
  readonly termCount: number;
  readonly frequency: string;
  readonly startDate: string;
  readonly firstDueDate: string | null;
  readonly dueDay: number | null;
  readonly interestPeriod: InterestPeriod;
  readonly dayCount: DayCount;
  readonly remainder: RemainderPolicy;
  readonly rounding: RoundingMode;
  readonly upfrontFeeMinor: string;
  readonly upfrontFeeMode: UpfrontFeeMode;
  readonly graceTerms: number;
  readonly penaltyRate: string | null;
  readonly merchantDiscountMinor: string;
}

export function loanTermsToJson(terms: LoanTerms): LoanTermsJson {
  return {
    principalMinor: String(terms.principalMinor),
    currency: terms.currency.code,
    method: terms.method,
    annualRate: terms.annualRate.toString(),
    periodFeeRate: terms.periodFeeRate.toString(),
    periodFeeMinor: String(terms.periodFeeMinor),
    termCount: terms.termCount,
    frequency: formatFrequency(terms.frequency),
    startDate: terms.startDate,
    firstDueDate: terms.firstDueDate ?? null,
    dueDay: terms.dueDay ?? null,
    interestPeriod: terms.interestPeriod,
    dayCount: terms.dayCount,
    remainder: terms.remainder,
    rounding: terms.rounding,
    upfrontFeeMinor: String(terms.upfrontFeeMinor),
    upfrontFeeMode: terms.upfrontFeeMode,
    graceTerms: terms.graceTerms,
    penaltyRate: terms.penaltyRate?.toString() ?? null,
    merchantDiscountMinor: String(terms.merchantDiscountMinor),
  };
}

/** The terms a stored document describes; throws on a document loanTermsToJson did not write. */
export function loanTermsFromJson(json: LoanTermsJson): LoanTerms {
  const currency = currencyByCode(json.currency);
  const frequency = parseFrequency(json.frequency);
  if (currency === undefined || frequency === undefined) {
    throw new Error(
      `stored loan terms are not valid: currency ${json.currency}, frequency ${json.frequency}`,
    );
  }
  const date = (text: string): LocalDate => localDate(text);
  return {
    principalMinor: BigInt(json.principalMinor),
    currency,
    method: json.method,
    annualRate: new Decimal(json.annualRate),
    periodFeeRate: new Decimal(json.periodFeeRate),
    periodFeeMinor: BigInt(json.periodFeeMinor),
    termCount: json.termCount,
    frequency,
    startDate: date(json.startDate),
    firstDueDate: json.firstDueDate === null ? undefined : date(json.firstDueDate),
    dueDay: json.dueDay ?? undefined,
    interestPeriod: json.interestPeriod,
    dayCount: json.dayCount,
    remainder: json.remainder,
    rounding: json.rounding,
    upfrontFeeMinor: BigInt(json.upfrontFeeMinor),
    upfrontFeeMode: json.upfrontFeeMode,
    graceTerms: json.graceTerms,
    penaltyRate: json.penaltyRate === null ? undefined : new Decimal(json.penaltyRate),
    merchantDiscountMinor: BigInt(json.merchantDiscountMinor),
  };
}
