import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { mustBuild, yuanRows } from './schedule-test-support.ts';

describe('flat fee (等本等息)', () => {
  const pboc = {
    method: 'flat_fee',
    principalMinor: 10_000_000n,
    periodFeeRate: new Decimal('0.005'),
    termCount: 12,
  } as const;

  it('charges 0.5 % of the original 100,000.00 every month: 8,833.33, the last 8,833.37', () => {
    const s = mustBuild(pboc);
    const rows = yuanRows(s);
    expect(rows[0]).toEqual(['8333.33', '0.00', '500.00', '8833.33']);
    expect(rows[11]).toEqual(['8333.37', '0.00', '500.00', '8833.37']);
    expect(s.totals.feeMinor).toBe(600_000n);
    expect(s.totals.interestMinor).toBe(0n);
    expect(s.paymentMinor).toBe(883_333n);
  });

  it('with last_interest pays 12 × 8,833.33 as in the PBOC example, the last fee taking the remainder', () => {
    const s = mustBuild({ ...pboc, remainder: 'last_interest' });
    expect(s.installments.every((i) => i.totalMinor === 883_333n)).toBe(true);
    expect(yuanRows(s)[11]).toEqual(['8333.37', '0.00', '499.96', '8833.33']);
    expect(s.totals.feeMinor).toBe(599_996n);
  });

  it('charges the fee in grace periods too', () => {
    const s = mustBuild({ ...pboc, termCount: 4, graceTerms: 1 });
    expect(yuanRows(s)).toEqual([
      ['0.00', '0.00', '500.00', '500.00'],
      ['33333.33', '0.00', '500.00', '33833.33'],
      ['33333.33', '0.00', '500.00', '33833.33'],
      ['33333.34', '0.00', '500.00', '33833.34'],
    ]);
  });
});
