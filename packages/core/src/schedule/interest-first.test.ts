import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { localDate } from '../date/local-date.ts';
import { mustBuild, yuanRows } from './schedule-test-support.ts';

describe('interest first (先息后本)', () => {
  it('pays 1,000.00 interest a month on 100,000.00 at 12 % and the principal with the 12th', () => {
    const s = mustBuild({
      method: 'interest_first',
      principalMinor: 10_000_000n,
      annualRate: new Decimal('0.12'),
      termCount: 12,
    });
    const rows = yuanRows(s);
    expect(rows[0]).toEqual(['0.00', '1000.00', '0.00', '1000.00']);
    expect(rows[10]).toEqual(['0.00', '1000.00', '0.00', '1000.00']);
    expect(rows[11]).toEqual(['100000.00', '1000.00', '0.00', '101000.00']);
    expect(s.totals.interestMinor).toBe(1_200_000n);
    expect(s.paymentMinor).toBe(100_000n);
    expect(s.installments.map((i) => i.balanceMinor).slice(-2)).toEqual([10_000_000n, 0n]);
  });

  it('charges actual days per period with daily interest (ACT/365, 36,500.00 at 10 %: 10.00 a day)', () => {
    const s = mustBuild({
      method: 'interest_first',
      principalMinor: 3_650_000n,
      annualRate: new Decimal('0.1'),
      termCount: 3,
      dayCount: 'ACT_365',
      interestPeriod: 'daily',
    });
    // Jan 15 → Feb 15 → Mar 15 → Apr 15: 31, 28 and 31 days.
    expect(s.installments.map((i) => i.interestMinor)).toEqual([31_000n, 28_000n, 31_000n]);
    expect(s.paymentMinor).toBeNull();
  });
});

describe('bullet (一次性还本付息)', () => {
  it('charges P × annual × days / basis at maturity: 100,000.00 at 12 % for 90 days', () => {
    const act360 = mustBuild({
      method: 'bullet',
      principalMinor: 10_000_000n,
      annualRate: new Decimal('0.12'),
      termCount: 1,
      frequency: { kind: 'days', days: 90 },
    });
    expect(yuanRows(act360)).toEqual([['100000.00', '3000.00', '0.00', '103000.00']]);
    expect(act360.installments[0]?.dueDate).toBe('2025-04-15');
    const act365 = mustBuild({
      method: 'bullet',
      principalMinor: 10_000_000n,
      annualRate: new Decimal('0.12'),
      termCount: 1,
      frequency: { kind: 'days', days: 90 },
      dayCount: 'ACT_365',
    });
    expect(yuanRows(act365)).toEqual([['100000.00', '2958.90', '0.00', '102958.90']]);
  });

  it('reads termCount as the tenor in periods: 3 months from Jan 15 is one payment on Apr 15', () => {
    const s = mustBuild({
      method: 'bullet',
      principalMinor: 10_000_000n,
      annualRate: new Decimal('0.12'),
      termCount: 3,
    });
    expect(s.installments).toHaveLength(1);
    expect(s.installments[0]?.dueDate).toBe('2025-04-15');
    expect(s.installments[0]?.periodStart).toBe('2025-01-15');
    expect(s.installments[0]?.interestMinor).toBe(300_000n);
  });

  it('uses a given maturity date', () => {
    const s = mustBuild({
      method: 'bullet',
      principalMinor: 3_600_000n,
      annualRate: new Decimal('0.1'),
      termCount: 1,
      firstDueDate: localDate('2025-02-14'),
    });
    expect(s.installments[0]?.interestMinor).toBe(30_000n);
  });
});

describe('daily (随借随还)', () => {
  it('accrues outstanding × annual / basis per day and repays principal in equal parts', () => {
    // 12,000.00 at 18.25 % ACT/365 is 0.05 % a day; periods of 31, 28 and 31 days.
    const s = mustBuild({
      method: 'daily',
      principalMinor: 1_200_000n,
      annualRate: new Decimal('0.1825'),
      termCount: 3,
      dayCount: 'ACT_365',
    });
    expect(yuanRows(s)).toEqual([
      ['4000.00', '186.00', '0.00', '4186.00'],
      ['4000.00', '112.00', '0.00', '4112.00'],
      ['4000.00', '62.00', '0.00', '4062.00'],
    ]);
    expect(s.paymentMinor).toBeNull();
  });
});
