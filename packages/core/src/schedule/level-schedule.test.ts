import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localDate } from '../date/local-date.ts';
import { loanTermsArb, roundingArb } from '../testing/arbitraries.ts';
import { levelSchedule } from './level-schedule.ts';
import { dueDatePlan, loanPeriods } from './periods.ts';
import {
  buildSchedule,
  installmentsFromSplit,
  periodFee,
  scheduleTotals,
  splitAmortizing,
} from './schedule.ts';
import type { LoanTerms } from './terms.ts';
import { financedPrincipal, loanTerms } from './terms.ts';

// The one-pass builder buildSchedule runs for level loans must give exactly what the general bigint
// engine gives for the same terms: every installment (dates included), the payment and the totals.

function reference(terms: LoanTerms) {
  const financed = financedPrincipal(terms);
  const periods = loanPeriods(terms);
  const split = splitAmortizing(terms, periods, financed, periodFee(terms, financed));
  if (split === null) return null;
  const installments = installmentsFromSplit(periods, financed, split);
  return { paymentMinor: split.paymentMinor, installments, totals: scheduleTotals(installments) };
}

function level(terms: LoanTerms) {
  const financed = financedPrincipal(terms);
  return levelSchedule(terms, dueDatePlan(terms), financed, periodFee(terms, financed));
}

const levelTermsArb = loanTermsArb({
  methods: ['equal_installment', 'equal_principal'],
  termCountMax: 60,
}).map((terms): LoanTerms => ({ ...terms, interestPeriod: 'per_period', graceTerms: 0 }));

const terms0 = loanTerms({
  method: 'equal_installment',
  principalMinor: 1_200_000n,
  annualRate: new Decimal('0.12'),
  termCount: 12,
  startDate: localDate('2025-01-15'),
});

describe('levelSchedule', () => {
  it('equals the bigint engine on random level loans: every installment, the payment and the totals', () => {
    fc.assert(
      fc.property(levelTermsArb, (terms) => {
        const fast = level(terms);
        expect(fast).not.toBeUndefined();
        expect(fast).toEqual(reference(terms));
      }),
      { numRuns: 300 },
    );
  });

  it('equals the bigint engine on tie-prone rates and tiny principals (exact halves, loans too small to split)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 2_000n }),
        fc.integer({ min: 0, max: 24 }).map((twelfths) => new Decimal(twelfths).div(100)),
        fc.integer({ min: 1, max: 36 }),
        roundingArb,
        fc.constantFrom('equal_installment', 'equal_principal') as fc.Arbitrary<
          'equal_installment' | 'equal_principal'
        >,
        fc.boolean(),
        (principalMinor, annualRate, termCount, rounding, method, lastInterest) => {
          const terms = loanTerms({
            method,
            principalMinor,
            annualRate,
            termCount,
            rounding,
            remainder: lastInterest && method === 'equal_installment' ? 'last_interest' : 'last_principal',
            startDate: terms0.startDate,
          });
          expect(level(terms)).toEqual(reference(terms));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('is what buildSchedule returns, and leaves other loans to the general engine', () => {
    fc.assert(
      fc.property(loanTermsArb({ termCountMax: 24 }), (terms) => {
        const built = buildSchedule(terms);
        const fast = level(terms);
        if (fast === undefined || fast === null || !built.ok) return;
        expect(built.value.installments).toEqual(fast.installments);
        expect(built.value.totals).toEqual(fast.totals);
        expect(built.value.paymentMinor).toBe(fast.paymentMinor);
      }),
      { numRuns: 200 },
    );
    const graced = loanTerms({ ...terms0, graceTerms: 2 });
    expect(level(graced)).toBeUndefined();
    expect(level(loanTerms({ ...terms0, interestPeriod: 'daily' }))).toBeUndefined();
    expect(level(loanTerms({ ...terms0, principalMinor: 2n ** 53n }))).toBeUndefined();
  });
});
