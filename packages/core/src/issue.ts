// Expected bad input is reported as issues with stable snake_case codes, never thrown. The
// catalogue below is the single list of codes; docs/loan-math.md documents each one and a test
// keeps the two in step (a code is an API: never reuse or rename one).

export const issueCatalogue = {
  field_required: 'a field this method or request needs is missing',
  value_not_allowed: 'the value is not one of the allowed names (method, frequency, day count, …)',
  decimal_invalid: 'not a plain decimal string such as "1204.23" (no exponent, sign only "-")',
  integer_invalid: 'not an integer where an integer is expected',
  date_invalid: 'not a real calendar date written YYYY-MM-DD (years 1900–9999)',
  amount_precision_exceeded: 'more decimal places than the currency minor unit allows',
  amount_negative: 'an amount that must not be negative is negative',
  amount_too_large: 'an amount above the arithmetic limit (10^15 minor units)',
  currency_unsupported: 'currency code not in the minor-unit table',
  principal_not_positive: 'the principal is zero or negative',
  principal_too_small_for_term_count:
    'the principal is too small to split over the installments: a balance would go negative',
  term_count_zero: 'termCount is 0',
  term_count_invalid: 'termCount is negative, fractional or above the limit (600)',
  rate_negative: 'a rate is negative',
  rate_too_large: 'an annual rate above 10 (1000 %) or a per-period fee rate above 1',
  rate_precision_exceeded: 'a rate with more than 12 decimal places',
  fee_rate_not_supported_by_method: 'a per-period fee rate with a method that has no regular periods',
  upfront_fee_too_large: 'an up-front fee deducted from the payout is not below the principal',
  first_due_date_before_start: 'the first due date is on or before the start date',
  due_day_invalid: 'dueDay is not an integer from 1 to 31',
  first_due_date_not_on_due_day: 'firstDueDate does not fall on dueDay (after the month-end rule)',
  grace_terms_invalid: 'graceTerms is negative, fractional or not below termCount',
  unsupported_combination: 'the fields are valid on their own but not together',
  cashflows_invalid:
    'cash flows without a positive amount received and a later positive payment, or more than 601 of them',
  irr_not_found: 'no internal rate of return found within the solver bound of 16 exact NPV evaluations',
  date_out_of_schedule: 'a date before the loan start or not on the schedule where one is needed',
  prepayment_not_supported_by_method: 'partial prepayment is not defined for this repayment method',
  prepayment_amount_invalid: 'a partial prepayment that is not positive or not below the balance',
  paid_exceeds_due: 'amounts paid toward an installment exceed what it asked for',
  allocation_order_invalid: 'the component order is not a permutation of penalty, fee, interest, principal',
  type_invalid:
    'a value of the wrong JSON type: an object, array, string, number or boolean where another is expected',
  field_unknown: 'a field the document format does not define',
  minor_units_invalid:
    'not integer minor units written as a string of digits, such as "123456" for 1234.56 CNY',
  name_invalid: 'an id, name or code outside its allowed characters and length',
  duplicate_value: 'an id, name or value given twice where each must be unique',
  limit_exceeded: 'more (or fewer) items, characters or nesting levels than the limits of the format allow',
  feature_unknown: 'a condition or characteristic names a feature the policy does not declare',
  operator_not_allowed:
    "the operator does not apply to the feature's type, or is_null to a feature that is never null",
  range_invalid: 'a between or a bin range whose lower bound is above (bins: not below) its upper bound',
  bins_invalid: 'scorecard bins that leave a gap, overlap, run out of order or do not cover every value',
  grades_invalid: 'grade cut-offs not strictly descending, or a catch-all grade that is not the last',
  offers_invalid: 'not exactly one offer for each grade',
  credit_limit_invalid: 'a credit limit not above zero or above 200,000.00 CNY',
  apr_above_cap: "a grade's price whose IRR at some term exceeds the publication cap (default 24 %)",
} as const;

export type IssueCode = keyof typeof issueCatalogue;

export interface Issue {
  readonly code: IssueCode;
  /** The request field the issue is about, e.g. `principal` or `payments[3]`. */
  readonly path: string;
  readonly message: string;
}

export function issue(code: IssueCode, path: string, message: string): Issue {
  return { code, path, message };
}

/** Either a value or the reasons it could not be produced; expected failures never throw. */
export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly Issue[] };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function failed<T>(issues: readonly Issue[]): Result<T> {
  return { ok: false, issues };
}
