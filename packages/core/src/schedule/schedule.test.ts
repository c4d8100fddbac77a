import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localDate } from '../date/local-date.ts';
import { loanTermsArb } from '../testing/arbitraries.ts';
import { buildSchedule } from './schedule.ts';
import { mustBuild, testStart, yuanRows } from './schedule-test-support.ts';
import { loanTerms, repaymentMethods } from './terms.ts';

describe('buildSchedule', () => {
  it('deducts an up-front fee from the payout and amortizes the full principal', () => {
    const s = mustBuild({
      method: 'equal_principal',
      principalMinor: 1_200_000n,
      annualRate: new Decimal('0.12'),
      termCount: 3,
      upfrontFeeMinor: 12_000n,
    });
    expect(s.disbursedMinor).toBe(1_188_000n);
    expect(s.financedPrincipalMinor).toBe(1_200_000n);
    expect(s.totals.principalMinor).toBe(1_200_000n);
  });

  it('finances an up-front fee by lending it along with the principal', () => {
    const s = mustBuild({
      method: 'equal_principal',
      principalMinor: 1_188_000n,
      annualRate: new Decimal('0.12'),
      termCount: 3,
      upfrontFeeMinor: 12_000n,
      upfrontFeeMode: 'financed',
    });
    expect(s.disbursedMinor).toBe(1_188_000n);
    expect(s.financedPrincipalMinor).toBe(1_200_000n);
    expect(yuanRows(s)[0]).toEqual(['4000.00', '120.00', '0.00', '4120.00']);
  });

  it('adds a per-period fee on the financed principal to every installment of an interest-bearing loan', () => {
    const s = mustBuild({
      method: 'equal_installment',
      principalMinor: 1_200_000n,
      annualRate: new Decimal('0.12'),
      periodFeeRate: new Decimal('0.002'),
      periodFeeMinor: 100n,
      termCount: 3,
    });
    expect(s.installments.map((i) => i.feeMinor)).toEqual([2_500n, 2_500n, 2_500n]);
    expect(s.paymentMinor).toBe((s.installments[0]?.principalMinor ?? 0n) + 12_000n + 2_500n);
  });

  it('pays a 0 % promotional loan in equal parts and charges the 贴息 to the merchant only', () => {
    const s = mustBuild({
      method: 'equal_installment',
      principalMinor: 600_000n,
      annualRate: new Decimal(0),
      termCount: 6,
      merchantDiscountMinor: 18_000n,
    });
    expect(s.installments.every((i) => i.totalMinor === 100_000n)).toBe(true);
    expect(s.disbursedMinor).toBe(600_000n);
    expect(s.merchantPayoutMinor).toBe(582_000n);
  });

  it('refuses invalid terms with issues instead of building a schedule', () => {
    const built = buildSchedule(
      loanTerms({ method: 'equal_installment', principalMinor: 0n, termCount: 0, startDate: testStart }),
    );
    expect(built.ok ? [] : built.issues.map((i) => i.code)).toEqual([
      'principal_not_positive',
      'term_count_zero',
    ]);
  });
});

describe('schedule invariants on random loans of every method', () => {
  for (const method of repaymentMethods) {
    it(`${method}: principal parts sum to the principal, balances never go negative and end at zero`, () => {
      fc.assert(
        fc.property(loanTermsArb({ methods: [method] }), (terms) => {
          const built = buildSchedule(terms);
          if (!built.ok) {
            // The only acceptable refusal of generated terms: rounding would drive a balance negative.
            expect(built.issues.map((i) => i.code)).toEqual(['principal_too_small_for_term_count']);
            return;
          }
          const s = built.value;
          const financed = s.financedPrincipalMinor;
          expect(s.installments).toHaveLength(method === 'bullet' ? 1 : terms.termCount);
          let balance = financed;
          let previousDue = terms.startDate;
          for (const [index, installment] of s.installments.entries()) {
            balance -= installment.principalMinor;
            expect(installment.balanceMinor).toBe(balance);
            expect(installment.balanceMinor).toBeGreaterThanOrEqual(0n);
            expect(installment.principalMinor).toBeGreaterThanOrEqual(0n);
            expect(installment.interestMinor).toBeGreaterThanOrEqual(0n);
            expect(installment.feeMinor).toBeGreaterThanOrEqual(0n);
            expect(installment.totalMinor).toBe(
              installment.principalMinor + installment.interestMinor + installment.feeMinor,
            );
            expect(installment.periodStart).toBe(previousDue);
            expect(installment.dueDate > installment.periodStart).toBe(true);
            if (index < terms.graceTerms) expect(installment.principalMinor).toBe(0n);
            previousDue = installment.dueDate;
          }
          expect(balance).toBe(0n);
          expect(s.totals.principalMinor).toBe(financed);
          expect(s.totals.totalMinor).toBe(s.installments.reduce((sum, i) => sum + i.totalMinor, 0n));
          const fee = terms.upfrontFeeMinor;
          expect(terms.upfrontFeeMode === 'financed' ? financed - fee : s.disbursedMinor + fee).toBe(
            terms.principalMinor,
          );
        }),
        { numRuns: 300 },
      );
    });
  }

  it('rarely refuses realistic loans', () => {
    let refused = 0;
    fc.assert(
      fc.property(loanTermsArb(), (terms) => {
        if (!buildSchedule(terms).ok) refused += 1;
      }),
      { numRuns: 2000, seed: 42 },
    );
    expect(refused).toBeLessThan(40);
  });

  it('keeps a due day of 31 on month ends across a year', () => {
    const s = mustBuild({
      method: 'equal_installment',
      principalMinor: 1_200_000n,
      annualRate: new Decimal('0.12'),
      termCount: 12,
      startDate: localDate('2024-01-05'),
      dueDay: 31,
    });
    expect(s.installments.map((i) => i.dueDate.slice(5))).toEqual([
      '02-29',
      '03-31',
      '04-30',
      '05-31',
      '06-30',
      '07-31',
      '08-31',
      '09-30',
      '10-31',
      '11-30',
      '12-31',
      '01-31',
    ]);
    expect(s.regularDates).toBe(false);
  });
});
