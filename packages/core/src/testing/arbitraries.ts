import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import type { DayCount } from '../date/day-count.ts';
import type { Frequency } from '../date/frequency.ts';
import type { LocalDate } from '../date/local-date.ts';
import { addDays, localDate } from '../date/local-date.ts';
import type { RoundingMode } from '../money/rounding.ts';
import type { LoanTerms, RepaymentMethod } from '../schedule/terms.ts';
import { loanTerms } from '../schedule/terms.ts';

// fast-check generators of realistic consumer loans, shared by the property tests.

export const roundingArb: fc.Arbitrary<RoundingMode> = fc.constantFrom('half_up', 'half_even', 'down', 'up');
export const dayCountArb: fc.Arbitrary<DayCount> = fc.constantFrom('ACT_360', 'ACT_365', '30_360');
export const frequencyArb: fc.Arbitrary<Frequency> = fc.oneof(
  fc.constant<Frequency>({ kind: 'monthly' }),
  fc.constant<Frequency>({ kind: 'biweekly' }),
  fc.constant<Frequency>({ kind: 'weekly' }),
  fc.integer({ min: 1, max: 120 }).map((days): Frequency => ({ kind: 'days', days })),
);

/** 100.00 to 1,000,000.00 CNY in fen. */
export const principalArb = fc.bigInt({ min: 10_000n, max: 100_000_000n });

/** Annual rates 0 to 36 % with up to four decimals, like published product rates. */
export const annualRateArb = fc.integer({ min: 0, max: 3600 }).map((bp) => new Decimal(bp).div(10_000));

export const startDateArb: fc.Arbitrary<LocalDate> = fc
  .integer({ min: 0, max: 3650 })
  .map((offset) => addDays(localDate('2020-01-01'), offset));

export interface LoanArbOptions {
  readonly methods?: readonly RepaymentMethod[];
  readonly termCountMax?: number;
}

/** Valid loan terms of the given methods with every optional feature drawn at random. */
export function loanTermsArb(options: LoanArbOptions = {}): fc.Arbitrary<LoanTerms> {
  const methods = options.methods ?? [
    'equal_installment',
    'equal_principal',
    'interest_first',
    'flat_fee',
    'bullet',
    'daily',
  ];
  return fc
    .record({
      method: fc.constantFrom(...methods),
      principalMinor: principalArb,
      annualRate: annualRateArb,
      termCount: fc.integer({ min: 1, max: options.termCountMax ?? 48 }),
      frequency: frequencyArb,
      startDate: startDateArb,
      dayCount: dayCountArb,
      rounding: roundingArb,
      lastInterest: fc.boolean(),
      dailyInterest: fc.boolean(),
      graceTerms: fc.integer({ min: 0, max: 3 }),
      feeRateBp: fc.integer({ min: 0, max: 150 }),
      upfrontFeeBp: fc.integer({ min: 0, max: 500 }),
      financed: fc.boolean(),
      firstDueOffset: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined }),
    })
    .map((draw) => {
      const method = draw.method;
      const levelPayments = method === 'equal_installment' || method === 'flat_fee';
      const graceAllowed = levelPayments || method === 'equal_principal';
      const actualDays = method === 'bullet' || method === 'daily';
      return loanTerms({
        method,
        principalMinor: draw.principalMinor,
        annualRate: method === 'flat_fee' ? new Decimal(0) : draw.annualRate,
        periodFeeRate: actualDays ? new Decimal(0) : new Decimal(draw.feeRateBp).div(10_000),
        termCount: draw.termCount,
        frequency: draw.frequency,
        startDate: draw.startDate,
        firstDueDate:
          draw.firstDueOffset === undefined ? undefined : addDays(draw.startDate, draw.firstDueOffset),
        interestPeriod: actualDays || draw.dailyInterest ? 'daily' : 'per_period',
        dayCount: draw.dayCount,
        remainder: levelPayments && draw.lastInterest ? 'last_interest' : 'last_principal',
        rounding: draw.rounding,
        upfrontFeeMinor: (draw.principalMinor * BigInt(draw.upfrontFeeBp)) / 10_000n,
        upfrontFeeMode: draw.financed ? 'financed' : 'deducted',
        graceTerms: graceAllowed ? Math.min(draw.graceTerms, draw.termCount - 1) : 0,
      });
    });
}
