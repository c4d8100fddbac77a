import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localDate } from '../date/local-date.ts';
import { annuityFactor } from '../rate/annuity.ts';
import { rational, rationalFromDecimal } from '../rate/rational.ts';
import { mustBuild } from '../schedule/schedule-test-support.ts';
import { annualizedRates, annualizedRatesDated, xirr } from './annualized.ts';
import { checkAprCap } from './cap.ts';
import { scheduleApr } from './schedule-apr.ts';

const monthly = { kind: 'monthly' } as const;
const to4 = (value: Decimal) => value.toFixed(4, Decimal.ROUND_HALF_UP);

function rates(result: ReturnType<typeof annualizedRates>) {
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.value;
}

describe('annualizedRates (PBOC 2021 No. 3)', () => {
  it('reproduces the announcement: 99,000 received, 12 × 8,833.33 paid is 12.80 % simple and 13.58 % IRR', () => {
    const r = rates(
      annualizedRates({
        frequency: monthly,
        receivedMinor: 9_900_000n,
        paymentsMinor: Array(12).fill(883_333n),
      }),
    );
    expect(to4(r.simple)).toBe('0.1280');
    expect(to4(r.irr)).toBe('0.1358');
    expect(r.periodic.toFixed(10)).toBe('0.0106703734');
    expect(r.simple.minus(r.periodic.times(12)).abs().lessThan('1e-30')).toBe(true);
  });

  it('is exactly zero when the borrower pays back exactly what was received', () => {
    const r = rates(
      annualizedRates({
        frequency: monthly,
        receivedMinor: 600_000n,
        paymentsMinor: Array(6).fill(100_000n),
      }),
    );
    expect(r.periodic.isZero() && r.simple.isZero() && r.irr.isZero()).toBe(true);
  });

  it('is negative when the borrower pays back less than received', () => {
    const r = rates(
      annualizedRates({ frequency: monthly, receivedMinor: 100_000n, paymentsMinor: [50_000n, 40_000n] }),
    );
    expect(r.periodic.isNegative()).toBe(true);
  });

  it('annualises N-day periods over 365 days: a 90-day bullet at 3 % is 12.1667 % simple, 12.7359 % IRR', () => {
    const r = rates(
      annualizedRates({
        frequency: { kind: 'days', days: 90 },
        receivedMinor: 10_000_000n,
        paymentsMinor: [10_300_000n],
      }),
    );
    expect(r.periodic.toFixed(12)).toBe('0.030000000000');
    expect(r.simple.toFixed(10)).toBe('0.1216666667');
    expect(r.irr.toFixed(10)).toBe('0.1273585891');
  });

  it('names cash flows that have no meaningful rate', () => {
    const codes = (received: bigint, payments: bigint[]) => {
      const result = annualizedRates({
        frequency: monthly,
        receivedMinor: received,
        paymentsMinor: payments,
      });
      return result.ok ? [] : result.issues.map((i) => `${i.code}@${i.path}`);
    };
    expect(codes(0n, [100n])).toEqual(['cashflows_invalid@received']);
    expect(codes(100n, [])).toEqual(['cashflows_invalid@payments']);
    expect(codes(100n, [-1n, 200n])).toEqual(['cashflows_invalid@payments[0]']);
    expect(codes(100n, [0n, 0n])).toEqual(['cashflows_invalid@payments']);
  });

  it('returns the nominal rate within 1e-9 for the exact cash flows of any equal-installment loan', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 10_000n, max: 100_000_000n }),
        fc.integer({ min: 0, max: 3600 }),
        fc.integer({ min: 1, max: 120 }),
        (principal, bp, periods) => {
          // M = P·F exactly: scaling every flow by F's denominator keeps them integers.
          const factor = annuityFactor(rational(BigInt(bp), 120_000n), periods);
          const r = rates(
            annualizedRates({
              frequency: monthly,
              receivedMinor: principal * factor.den,
              paymentsMinor: Array(periods).fill(principal * factor.num),
            }),
          );
          expect(r.simple.minus(new Decimal(bp).div(10_000)).abs().toNumber()).toBeLessThan(1e-9);
        },
      ),
      { numRuns: 120 },
    );
  });

  it('for a zero-fee equal-installment quote differs from the nominal rate only by the fen rounding of its flows', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 100_000n, max: 100_000_000n }),
        fc.integer({ min: 1, max: 3600 }),
        fc.integer({ min: 1, max: 60 }),
        (principal, bp, periods) => {
          const annual = new Decimal(bp).div(10_000);
          const s = mustBuild({
            method: 'equal_installment',
            principalMinor: principal,
            annualRate: annual,
            termCount: periods,
          });
          const r = scheduleApr(s);
          if (!r.ok) throw new Error('no APR');
          // First-order bound: |Δx| ≤ Σ|pay_k − M*| / Σ k·pay_k·v^(k+1), doubled for curvature, × 12.
          const rate = rationalFromDecimal(annual);
          const v = new Decimal(1).div(
            new Decimal(1).plus(new Decimal(rate.num.toString()).div((rate.den * 12n).toString())),
          );
          const factor = annuityFactor(rational(rate.num, rate.den * 12n), periods);
          const exact = new Decimal((principal * factor.num).toString()).div(factor.den.toString());
          let error = new Decimal(0);
          let duration = new Decimal(0);
          for (const [index, installment] of s.installments.entries()) {
            const pay = new Decimal(installment.totalMinor.toString());
            error = error.plus(pay.minus(exact).abs());
            duration = duration.plus(pay.times(index + 1).times(v.pow(index + 2)));
          }
          const bound = error.div(duration).times(24).plus('1e-15');
          expect(r.value.simple.minus(annual).abs().lessThanOrEqualTo(bound)).toBe(true);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('XIRR on dated cash flows', () => {
  it('matches the spreadsheet XIRR reference example (37.34 %)', () => {
    const result = xirr([
      { date: localDate('2008-01-01'), amountMinor: 1_000_000n },
      { date: localDate('2008-03-01'), amountMinor: -275_000n },
      { date: localDate('2008-10-30'), amountMinor: -425_000n },
      { date: localDate('2009-02-15'), amountMinor: -325_000n },
      { date: localDate('2009-04-01'), amountMinor: -275_000n },
    ]);
    if (!result.ok) throw new Error('no XIRR');
    expect(result.value.toFixed(12)).toBe('0.373362533519');
  });

  it('nets flows on the same date and states periodic and simple figures per frequency', () => {
    const result = annualizedRatesDated(
      [
        { date: localDate('2025-01-01'), amountMinor: 100_000n },
        { date: localDate('2025-01-01'), amountMinor: -1_000n },
        { date: localDate('2026-01-01'), amountMinor: -110_000n },
      ],
      monthly,
    );
    if (!result.ok) throw new Error('no XIRR');
    // 99,000 grows to 110,000 in 365 days: 11.1111 % a year.
    expect(result.value.irr.toFixed(10)).toBe('0.1111111111');
    expect(result.value.periodic.plus(1).pow(12).minus(1).toFixed(10)).toBe('0.1111111111');
  });

  it('refuses amounts received after amounts paid', () => {
    const result = xirr([
      { date: localDate('2025-01-01'), amountMinor: 100n },
      { date: localDate('2025-02-01'), amountMinor: -50n },
      { date: localDate('2025-03-01'), amountMinor: 10n },
      { date: localDate('2025-04-01'), amountMinor: -70n },
    ]);
    expect(result.ok ? [] : result.issues.map((i) => i.code)).toEqual(['cashflows_invalid']);
  });
});

describe('scheduleApr', () => {
  it('gives the borrower of a 0 % promotional loan an APR of exactly 0 whatever the merchant pays', () => {
    const s = mustBuild({
      method: 'equal_installment',
      principalMinor: 600_000n,
      annualRate: new Decimal(0),
      termCount: 6,
      merchantDiscountMinor: 30_000n,
    });
    const r = scheduleApr(s);
    expect(r.ok && r.value.irr.isZero() && r.value.simple.isZero()).toBe(true);
  });

  it('counts a deducted up-front fee as a cost: the PBOC loan as a flat-fee product', () => {
    const s = mustBuild({
      method: 'flat_fee',
      principalMinor: 10_000_000n,
      periodFeeRate: new Decimal('0.005'),
      termCount: 12,
      remainder: 'last_interest',
      upfrontFeeMinor: 100_000n,
    });
    const r = scheduleApr(s);
    if (!r.ok) throw new Error('no APR');
    expect(to4(r.value.simple)).toBe('0.1280');
    expect(to4(r.value.irr)).toBe('0.1358');
  });

  it('uses XIRR on actual days when the first period is broken', () => {
    const s = mustBuild({
      method: 'equal_installment',
      principalMinor: 1_200_000n,
      annualRate: new Decimal('0.12'),
      termCount: 12,
      firstDueDate: localDate('2025-03-01'),
    });
    expect(s.regularDates).toBe(false);
    const r = scheduleApr(s);
    if (!r.ok) throw new Error('no APR');
    // The long first period is charged one month of interest only, so the cost is below 12 %.
    expect(r.value.simple.lessThan('0.12')).toBe(true);
    expect(r.value.simple.greaterThan('0.11')).toBe(true);
  });
});

describe('checkAprCap', () => {
  it('passes the PBOC example under the default 24 % cap', () => {
    const r = rates(
      annualizedRates({
        frequency: monthly,
        receivedMinor: 9_900_000n,
        paymentsMinor: Array(12).fill(883_333n),
      }),
    );
    expect(checkAprCap(r)).toEqual({ withinCap: true, cap: new Decimal('0.24'), excess: new Decimal(0) });
  });

  it('says by how much a 1.5 % a month flat-fee product exceeds it (36.76 % IRR)', () => {
    const r = rates(
      annualizedRates({
        frequency: monthly,
        receivedMinor: 10_000_000n,
        paymentsMinor: [...Array(11).fill(983_333n), 983_337n],
      }),
    );
    const check = checkAprCap(r);
    expect(check.withinCap).toBe(false);
    expect(check.excess.toFixed(4)).toBe('0.1276');
    expect(checkAprCap(r, new Decimal('0.36')).excess.toFixed(4)).toBe('0.0076');
  });
});
