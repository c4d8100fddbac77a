import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localDate } from '../date/local-date.ts';
import type { LoanTermsInput } from './terms.ts';
import { loanTerms } from './terms.ts';
import { loanTermsValid, validateLoanTerms } from './validate.ts';

const valid: LoanTermsInput = {
  method: 'equal_installment',
  principalMinor: 1_000_000n,
  annualRate: new Decimal('0.12'),
  termCount: 12,
  startDate: localDate('2025-01-15'),
};

const issuesOf = (overrides: Partial<LoanTermsInput>) =>
  validateLoanTerms(loanTerms({ ...valid, ...overrides })).map((i) => `${i.code}@${i.path}`);

describe('validateLoanTerms', () => {
  it('accepts a plain loan', () => {
    expect(issuesOf({})).toEqual([]);
  });

  it('names a non-positive principal and a zero or invalid term count', () => {
    expect(issuesOf({ principalMinor: 0n })).toEqual(['principal_not_positive@principal']);
    expect(issuesOf({ principalMinor: -5n })).toEqual(['principal_not_positive@principal']);
    expect(issuesOf({ principalMinor: 10n ** 16n })).toEqual(['amount_too_large@principal']);
    expect(issuesOf({ termCount: 0 })).toEqual(['term_count_zero@termCount']);
    expect(issuesOf({ termCount: 1.5 })).toEqual(['term_count_invalid@termCount']);
    expect(issuesOf({ termCount: 601 })).toEqual(['term_count_invalid@termCount']);
  });

  it('names negative, oversized and over-precise rates', () => {
    expect(issuesOf({ annualRate: new Decimal('-0.01') })).toEqual(['rate_negative@annualRate']);
    expect(issuesOf({ annualRate: new Decimal('10.5') })).toEqual(['rate_too_large@annualRate']);
    expect(issuesOf({ annualRate: new Decimal('0.1234567890123') })).toEqual([
      'rate_precision_exceeded@annualRate',
    ]);
    expect(issuesOf({ periodFeeRate: new Decimal('-0.001') })).toEqual(['rate_negative@periodFeeRate']);
    expect(issuesOf({ penaltyRate: new Decimal('-0.1') })).toEqual(['rate_negative@penaltyRate']);
  });

  it('refuses a per-period fee on methods without regular periods', () => {
    expect(issuesOf({ method: 'bullet', periodFeeRate: new Decimal('0.01') })).toEqual([
      'fee_rate_not_supported_by_method@periodFeeRate',
    ]);
    expect(issuesOf({ method: 'daily', periodFeeMinor: 100n })).toEqual([
      'fee_rate_not_supported_by_method@periodFee',
    ]);
  });

  it('refuses a first due date on or before the start', () => {
    expect(issuesOf({ firstDueDate: localDate('2025-01-15') })).toEqual([
      'first_due_date_before_start@firstDueDate',
    ]);
    expect(issuesOf({ firstDueDate: localDate('2025-01-01') })).toEqual([
      'first_due_date_before_start@firstDueDate',
    ]);
  });

  it('checks the due day and its agreement with the first due date', () => {
    expect(issuesOf({ dueDay: 0 })).toEqual(['due_day_invalid@dueDay']);
    expect(issuesOf({ dueDay: 32 })).toEqual(['due_day_invalid@dueDay']);
    expect(issuesOf({ dueDay: 31, firstDueDate: localDate('2025-02-28') })).toEqual([]);
    expect(issuesOf({ dueDay: 10, firstDueDate: localDate('2025-02-28') })).toEqual([
      'first_due_date_not_on_due_day@firstDueDate',
    ]);
    expect(issuesOf({ dueDay: 10, frequency: { kind: 'weekly' } })).toEqual([
      'unsupported_combination@dueDay',
    ]);
  });

  it('bounds grace terms and refuses grace where there is no principal to defer', () => {
    expect(issuesOf({ graceTerms: 12 })).toEqual(['grace_terms_invalid@graceTerms']);
    expect(issuesOf({ graceTerms: -1 })).toEqual(['grace_terms_invalid@graceTerms']);
    expect(issuesOf({ method: 'interest_first', graceTerms: 2 })).toEqual([
      'unsupported_combination@graceTerms',
    ]);
  });

  it('refuses combinations that have no meaning', () => {
    expect(issuesOf({ method: 'daily', interestPeriod: 'per_period' })).toEqual([
      'unsupported_combination@interestPeriod',
    ]);
    expect(issuesOf({ method: 'bullet', interestPeriod: 'per_period' })).toEqual([
      'unsupported_combination@interestPeriod',
    ]);
    expect(issuesOf({ method: 'equal_principal', remainder: 'last_interest' })).toEqual([
      'unsupported_combination@remainder',
    ]);
    expect(issuesOf({ method: 'flat_fee', annualRate: new Decimal('0.1') })).toEqual([
      'unsupported_combination@annualRate',
    ]);
  });

  it('checks fees against the principal', () => {
    expect(issuesOf({ upfrontFeeMinor: 1_000_000n })).toEqual(['upfront_fee_too_large@upfrontFee']);
    expect(issuesOf({ upfrontFeeMinor: 1_000_000n, upfrontFeeMode: 'financed' })).toEqual([]);
    expect(issuesOf({ upfrontFeeMinor: -1n })).toEqual(['amount_negative@upfrontFee']);
    expect(issuesOf({ merchantDiscountMinor: 1_000_001n })).toEqual(['amount_too_large@merchantDiscount']);
  });

  it('reports every problem at once', () => {
    expect(issuesOf({ principalMinor: 0n, termCount: 0, annualRate: new Decimal(-1) })).toEqual([
      'principal_not_positive@principal',
      'term_count_zero@termCount',
      'rate_negative@annualRate',
    ]);
  });
});

describe('loanTermsValid', () => {
  const rate = fc
    .constantFrom('0', '-0.01', '0.12', '10.5', '1.5', '0.1234567890123')
    .map((t) => new Decimal(t));
  const wildTermsArb = fc
    .record({
      method: fc.constantFrom(
        'equal_installment',
        'equal_principal',
        'interest_first',
        'flat_fee',
        'bullet',
        'daily',
      ) as fc.Arbitrary<LoanTermsInput['method']>,
      principalMinor: fc.constantFrom(-5n, 0n, 100n, 10n ** 15n + 1n),
      annualRate: rate,
      periodFeeRate: rate,
      penaltyRate: fc.option(rate, { nil: undefined }),
      periodFeeMinor: fc.constantFrom(-1n, 0n, 5n),
      termCount: fc.constantFrom(-1, 0, 1.5, 12, 601),
      firstDueDate: fc.constantFrom(undefined, localDate('2025-01-15'), localDate('2025-03-05')),
      dueDay: fc.constantFrom(undefined, 0, 5, 31, 2.5),
      interestPeriod: fc.constantFrom('per_period', 'daily') as fc.Arbitrary<'per_period' | 'daily'>,
      remainder: fc.constantFrom('last_principal', 'last_interest') as fc.Arbitrary<
        'last_principal' | 'last_interest'
      >,
      upfrontFeeMinor: fc.constantFrom(-1n, 0n, 100n, 200n),
      upfrontFeeMode: fc.constantFrom('deducted', 'financed') as fc.Arbitrary<'deducted' | 'financed'>,
      graceTerms: fc.constantFrom(-1, 0, 1, 12),
      merchantDiscountMinor: fc.constantFrom(-1n, 0n, 1000n),
    })
    .map((draw) => loanTerms({ ...valid, ...draw }));

  it('holds exactly when validateLoanTerms finds no issue, for valid and invalid terms alike', () => {
    fc.assert(
      fc.property(wildTermsArb, (terms) => {
        expect(loanTermsValid(terms)).toBe(validateLoanTerms(terms).length === 0);
      }),
      { numRuns: 1000 },
    );
  });
});
