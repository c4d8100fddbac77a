import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { periodicRate } from '../rate/periodic-rate.ts';
import { rational, rationalFromDecimal } from '../rate/rational.ts';
import { annualRateArb, roundingArb } from '../testing/arbitraries.ts';
import { equalPrincipal, equalPrincipalSafe } from './equal-principal.ts';
import { mustBuild, yuanRows } from './schedule-test-support.ts';

describe('equal principal (等额本金)', () => {
  it('repays 100,000.00 at 12 % over 12 months: 8333.33 a month, 8333.37 last, 6,500.00 interest', () => {
    const s = mustBuild({
      method: 'equal_principal',
      principalMinor: 10_000_000n,
      annualRate: new Decimal('0.12'),
      termCount: 12,
    });
    const rows = yuanRows(s);
    expect(rows[0]).toEqual(['8333.33', '1000.00', '0.00', '9333.33']);
    expect(rows[1]).toEqual(['8333.33', '916.67', '0.00', '9250.00']);
    expect(rows[11]).toEqual(['8333.37', '83.33', '0.00', '8416.70']);
    expect(s.totals.interestMinor).toBe(650_000n);
    expect(s.paymentMinor).toBeNull();
  });

  it('rounds the principal part by the product mode: 20,000.00 / 3 is 6666.67 twice and 6666.66 last', () => {
    const s = mustBuild({
      method: 'equal_principal',
      principalMinor: 2_000_000n,
      annualRate: new Decimal('0.12'),
      termCount: 3,
    });
    expect(yuanRows(s)).toEqual([
      ['6666.67', '200.00', '0.00', '6866.67'],
      ['6666.67', '133.33', '0.00', '6800.00'],
      ['6666.66', '66.67', '0.00', '6733.33'],
    ]);
  });
});

describe('equal principal properties', () => {
  const loan = fc.record({
    principal: fc.bigInt({ min: 10_000n, max: 100_000_000n }),
    annual: annualRateArb,
    periods: fc.integer({ min: 1, max: 120 }),
    mode: roundingArb,
  });

  it('the safe-integer kernel equals the bigint engine to the fen', () => {
    fc.assert(
      fc.property(loan, ({ principal, annual, periods, mode }) => {
        const exact = rationalFromDecimal(annual);
        const rate = rational(exact.num, exact.den * 12n);
        const fast = equalPrincipalSafe(Number(principal), periodicRate(rate), periods, mode);
        const reference = equalPrincipal(
          principal,
          Array.from({ length: periods }, () => rate),
          mode,
        );
        if (fast === undefined || fast === null || reference === null) {
          expect(fast).toBe(reference);
          return;
        }
        expect(fast.principalMinor.map(BigInt)).toEqual(reference.principalMinor);
        expect(fast.interestMinor.map(BigInt)).toEqual(reference.interestMinor);
      }),
      { numRuns: 1000 },
    );
  });

  it('the kernel equals the bigint engine on tie-prone rates (exact halves under every mode)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 10_000_000n }),
        fc.constantFrom(rational(1n, 2n), rational(1n, 4n), rational(3n, 8n), rational(1n, 200n)),
        fc.integer({ min: 1, max: 24 }),
        roundingArb,
        (principal, rate, periods, mode) => {
          const fast = equalPrincipalSafe(Number(principal), periodicRate(rate), periods, mode);
          const reference = equalPrincipal(
            principal,
            Array.from({ length: periods }, () => rate),
            mode,
          );
          if (fast === undefined || fast === null || reference === null) {
            expect(fast).toBe(reference);
            return;
          }
          expect(fast.interestMinor.map(BigInt)).toEqual(reference.interestMinor);
          expect(fast.principalMinor.map(BigInt)).toEqual(reference.principalMinor);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('payments never increase, except that the last carries the principal rounding remainder', () => {
    fc.assert(
      fc.property(loan, ({ principal, annual, periods, mode }) => {
        fc.pre(principal >= BigInt(periods * periods));
        const s = mustBuild({
          method: 'equal_principal',
          principalMinor: principal,
          annualRate: annual,
          termCount: periods,
          rounding: mode,
        });
        const totals = s.installments.map((i) => i.totalMinor);
        const regular = s.installments[0]?.principalMinor ?? 0n;
        const remainder = (s.installments.at(-1)?.principalMinor ?? 0n) - regular;
        for (let k = 1; k < totals.length; k += 1) {
          const allowance = k === totals.length - 1 && remainder > 0n ? remainder : 0n;
          expect(totals[k] ?? 0n).toBeLessThanOrEqual((totals[k - 1] ?? 0n) + allowance);
        }
      }),
      { numRuns: 800 },
    );
  });

  it('payments are non-increasing outright once the interest drop of a period exceeds the rounding remainder', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1_000_000n, max: 100_000_000n }),
        fc.integer({ min: 100, max: 3600 }),
        fc.integer({ min: 1, max: 120 }),
        (principal, bp, periods) => {
          // The last total exceeds the one before by at most rem − drop: half_up leaves rem ≤ n/2 fen
          // and the interest drops by at least part × r − 1, so ask for part × r ≥ n/2 + 1.
          const part = new Decimal(principal.toString()).div(periods).minus(1);
          fc.pre(
            part
              .times(bp)
              .div(120_000)
              .greaterThanOrEqualTo((periods + 2) / 2),
          );
          const s = mustBuild({
            method: 'equal_principal',
            principalMinor: principal,
            annualRate: new Decimal(bp).div(10_000),
            termCount: periods,
          });
          const totals = s.installments.map((i) => i.totalMinor);
          for (let k = 1; k < totals.length; k += 1)
            expect(totals[k] ?? 0n).toBeLessThanOrEqual(totals[k - 1] ?? 0n);
        },
      ),
      { numRuns: 600 },
    );
  });
});
