import { describe, expect, it } from 'vitest';
import type { AccountRow } from '../../src/modules/servicing/allocation.ts';
import { accrualPairs, type Pair, repaymentPairs } from '../../src/modules/servicing/postings.ts';

// The accounting of a repayment by posting basis (docs/servicing.md, "Accounting"), as pairs of
// accounts before the split between funders: what the contract of issue 17 says each basis books.

const money = {
  principal: 10_000n,
  interest: 2_000n,
  fee: 300n,
  penalty: 40n,
  prepaymentFee: 5n,
  overpayment: 6n,
};

function account(basis: 'accrual' | 'cash', nonAccrual: boolean): AccountRow {
  return { posting_basis: basis, non_accrual_since: nonAccrual ? '2026-05-16' : null } as AccountRow;
}

const booked = (pairs: Pair[]) =>
  pairs.filter((p) => p.amount > 0n).map((p) => [p.debit, p.credit, p.amount]);

describe('repayment postings', () => {
  it('on an accrual loan credit the receivables, the prepayment fee to fee income, the rest to 2241', () => {
    expect(booked(repaymentPairs(account('accrual', false), '2242', money))).toEqual([
      ['2242', '1301', 10_000n],
      ['2242', '1132', 2_000n],
      ['2242', '1133', 300n],
      ['2242', '1134', 40n],
      ['2242', '6021', 5n],
      ['2242', '2241', 6n],
    ]);
  });

  it('on a cash-basis loan credit income directly (nothing was accrued)', () => {
    expect(booked(repaymentPairs(account('cash', false), '1002.01', money))).toEqual([
      ['1002.01', '1301', 10_000n],
      ['1002.01', '6011', 2_000n],
      ['1002.01', '6021', 300n],
      ['1002.01', '6031', 40n],
      ['1002.01', '6021', 5n],
      ['1002.01', '2241', 6n],
    ]);
    expect(booked(accrualPairs(account('cash', false), { interest: 1n, penalty: 1n, fee: 1n }))).toEqual([]);
  });

  it('on a non-accrual loan recognise interest and penalty as income and take them off the memorandum', () => {
    expect(booked(repaymentPairs(account('accrual', true), '2242', money))).toEqual([
      ['2242', '1301', 10_000n],
      ['2242', '6011', 2_000n],
      ['2242', '1133', 300n],
      ['2242', '6031', 40n],
      ['2242', '6021', 5n],
      ['2242', '2241', 6n],
      ['7099', '7001', 2_000n],
      ['7099', '7002', 40n],
    ]);
    expect(booked(accrualPairs(account('accrual', true), { interest: 7n, penalty: 8n, fee: 9n }))).toEqual([
      ['7001', '7099', 7n],
      ['7002', '7099', 8n],
      ['1133', '6021', 9n],
    ]);
  });
});
