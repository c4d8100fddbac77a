import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays, localDate } from '../date/local-date.ts';
import { buildSchedule } from '../schedule/schedule.ts';
import { mustBuild } from '../schedule/schedule-test-support.ts';
import { loanTermsArb } from '../testing/arbitraries.ts';
import type { InstallmentPaid, PayoffQuote } from './payoff-quote.ts';
import { payoffQuote } from './payoff-quote.ts';

// 12,000.00 at 12 % over 3 months from 2025-01-15: 4,080.27 twice, then 4,080.26.
// Installment 1: principal 3,960.27, interest 120.00; installment 2: 3,999.87 and 80.40.
const loan = mustBuild({
  method: 'equal_installment',
  principalMinor: 1_200_000n,
  annualRate: new Decimal('0.12'),
  termCount: 3,
});

function quote(
  asOf: string,
  paid: InstallmentPaid[] = [],
  options: Parameters<typeof payoffQuote>[3] = {},
): PayoffQuote {
  const result = payoffQuote(loan, localDate(asOf), paid, options);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.value;
}

const firstPaid: InstallmentPaid = {
  number: 1,
  principalMinor: 396_027n,
  interestMinor: 12_000n,
  feeMinor: 0n,
  penaltyMinor: 0n,
};

describe('payoffQuote', () => {
  it('on the start date is exactly the principal', () => {
    expect(quote('2025-01-15')).toEqual({
      asOf: '2025-01-15',
      principalMinor: 1_200_000n,
      interestMinor: 0n,
      feeMinor: 0n,
      penaltyMinor: 0n,
      prepaymentFeeMinor: 0n,
      prepaidPrincipalMinor: 1_200_000n,
      totalMinor: 1_200_000n,
    });
  });

  it('accrues the current period pro rata: 15 of 31 days of 120.00 is 58.06', () => {
    expect(quote('2025-01-30').totalMinor).toBe(1_205_806n);
  });

  it('charges the whole current period when the product says so, and a prepayment fee on prepaid principal', () => {
    const q = quote('2025-01-30', [], {
      interestRule: 'full_period',
      prepaymentFeeRate: new Decimal('0.02'),
    });
    expect(q.interestMinor).toBe(12_000n);
    expect(q.prepaymentFeeMinor).toBe(24_000n);
    expect(q.totalMinor).toBe(1_236_000n);
  });

  it('on a due date owes that installment in full and nothing yet of the next period', () => {
    const q = quote('2025-02-15');
    expect(q.interestMinor).toBe(12_000n);
    expect(q.penaltyMinor).toBe(0n);
    expect(q.prepaidPrincipalMinor).toBe(803_973n);
    expect(q.totalMinor).toBe(1_212_000n);
  });

  it('adds penalty at contract rate + 50 % on overdue principal: 3,960.27 × 18 % × 10 / 360 = 19.80', () => {
    const q = quote('2025-02-25');
    expect(q.penaltyMinor).toBe(1_980n);
    // 10 of 28 days of the second period's 80.40 is 28.71.
    expect(q.interestMinor).toBe(12_000n + 2_871n);
    expect(q.totalMinor).toBe(1_200_000n + 12_000n + 2_871n + 1_980n);
  });

  it('leaves out what has been paid', () => {
    const q = quote('2025-02-25', [firstPaid]);
    expect(q).toMatchObject({
      principalMinor: 803_973n,
      interestMinor: 2_871n,
      penaltyMinor: 0n,
      totalMinor: 806_844n,
    });
  });

  it('is nothing once everything is paid after maturity', () => {
    const paid = loan.installments.map((i) => ({
      number: i.number,
      principalMinor: i.principalMinor,
      interestMinor: i.interestMinor,
      feeMinor: i.feeMinor,
      penaltyMinor: 0n,
    }));
    expect(quote('2025-06-01', paid).totalMinor).toBe(0n);
  });

  it('refuses a date before the start and payments beyond what was due', () => {
    const early = payoffQuote(loan, localDate('2025-01-14'));
    expect(early.ok ? [] : early.issues.map((i) => i.code)).toEqual(['date_out_of_schedule']);
    const over = payoffQuote(loan, localDate('2025-02-25'), [{ ...firstPaid, interestMinor: 12_001n }]);
    expect(over.ok ? [] : over.issues.map((i) => i.code)).toEqual(['paid_exceeds_due']);
  });

  it('accrues actual-day interest on the opening balance for daily products (随借随还)', () => {
    // 12,000.00 at 18.25 % ACT/365 is 6.00 a day on the whole principal.
    const daily = mustBuild({
      method: 'daily',
      principalMinor: 1_200_000n,
      annualRate: new Decimal('0.1825'),
      termCount: 3,
      dayCount: 'ACT_365',
    });
    const result = payoffQuote(daily, localDate('2025-01-25'), [], { interestRule: 'full_period' });
    expect(result.ok && result.value.interestMinor).toBe(6_000n);
  });
});

describe('payoffQuote properties', () => {
  it('a payoff on the start date equals the principal, for every method', () => {
    fc.assert(
      fc.property(loanTermsArb(), (terms) => {
        const built = buildSchedule(terms);
        fc.pre(built.ok);
        const q = payoffQuote(built.value, terms.startDate);
        expect(q.ok && q.value.totalMinor).toBe(built.value.financedPrincipalMinor);
      }),
      { numRuns: 600 },
    );
  });

  it('never falls below the principal outstanding and never exceeds what the schedule still asks plus penalty', () => {
    fc.assert(
      fc.property(loanTermsArb(), fc.integer({ min: 0, max: 2000 }), (terms, offset) => {
        const built = buildSchedule(terms);
        fc.pre(built.ok);
        const q = payoffQuote(built.value, addDays(terms.startDate, offset));
        if (!q.ok) throw new Error('payoff refused');
        expect(q.value.principalMinor).toBe(built.value.financedPrincipalMinor);
        expect(q.value.totalMinor - q.value.penaltyMinor).toBeLessThanOrEqual(built.value.totals.totalMinor);
      }),
      { numRuns: 600 },
    );
  });
});
