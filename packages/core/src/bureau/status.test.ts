import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localDate } from '../date/local-date.ts';
import { closingCode, recordCodesFor } from './report-date.ts';
import {
  addMonthsTo,
  fiveLevelClass,
  gridMonths,
  isNegativeStatus,
  monthsBetween,
  overdueBand,
  repaymentGrid,
  repaymentStatus,
  withMonthStatus,
} from './status.ts';

describe('overdueBand', () => {
  it.each([
    [0, undefined],
    [1, '1'],
    [30, '1'],
    [31, '2'],
    [60, '2'],
    [61, '3'],
    [90, '3'],
    [91, '4'],
    [120, '4'],
    [121, '5'],
    [150, '5'],
    [151, '6'],
    [180, '6'],
    [181, '7'],
    [5000, '7'],
  ])('puts %i days past due in band %s', (dpd, band) => {
    expect(overdueBand(dpd)).toBe(band);
  });

  it('is monotone in the days past due and never above 7', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000 }), fc.integer({ min: 0, max: 100 }), (dpd, more) => {
        const a = Number(overdueBand(dpd));
        const b = Number(overdueBand(dpd + more));
        return a >= 1 && b <= 7 && a <= b;
      }),
    );
  });
});

describe('fiveLevelClass', () => {
  it.each([
    [0, '1'],
    [1, '2'],
    [90, '2'],
    [91, '3'],
    [180, '3'],
    [181, '4'],
    [360, '4'],
    [361, '5'],
  ])('classifies %i days past due as %s', (dpd, cls) => {
    expect(fiveLevelClass(dpd)).toBe(cls);
  });

  it('classifies a written-off loan as loss whatever its days', () => {
    expect(fiveLevelClass(0, true)).toBe('5');
  });

  it('is never lighter than the regulatory minimum (any overdue 2, past 90 days 3, past 270 days 4, past 360 days 5)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2000 }), (dpd) => {
        const cls = Number(fiveLevelClass(dpd));
        const minimum = dpd > 360 ? 5 : dpd > 270 ? 4 : dpd > 90 ? 3 : dpd > 0 ? 2 : 1;
        return cls >= minimum;
      }),
    );
  });
});

describe('repaymentStatus', () => {
  const open = { dpd: 0, state: 'open' as const, dueInMonth: true, openingMonth: false };
  it('reports N for a month with a due amount paid on time', () => {
    expect(repaymentStatus(open)).toBe('N');
  });
  it('reports * for a month with nothing due and nothing overdue', () => {
    expect(repaymentStatus({ ...open, dueInMonth: false })).toBe('*');
  });
  it('reports N for the opening month, as the new-account record does', () => {
    expect(repaymentStatus({ ...open, dueInMonth: false, openingMonth: true })).toBe('N');
  });
  it('reports the 30-day band when overdue', () => {
    expect(repaymentStatus({ ...open, dpd: 13 })).toBe('1');
    expect(repaymentStatus({ ...open, dpd: 200 })).toBe('7');
  });
  it('reports C when paid off, B when written off, G when ended otherwise', () => {
    expect(repaymentStatus({ ...open, dpd: 40, state: 'paid_off' })).toBe('C');
    expect(repaymentStatus({ ...open, dpd: 200, state: 'written_off' })).toBe('B');
    expect(repaymentStatus({ ...open, state: 'ended' })).toBe('G');
  });
  it('is negative exactly for the overdue bands', () => {
    for (const status of ['1', '2', '3', '4', '5', '6', '7']) expect(isNegativeStatus(status)).toBe(true);
    for (const status of ['N', '*', 'C', 'G', 'D', 'Z', 'B', '#', '/', '', '12'])
      expect(isNegativeStatus(status)).toBe(false);
  });
});

describe('months', () => {
  it('counts and adds months across years', () => {
    expect(monthsBetween('2025-11', '2026-02')).toBe(3);
    expect(addMonthsTo('2025-11', 3)).toBe('2026-02');
    expect(addMonthsTo('2026-01', -1)).toBe('2025-12');
  });
  it('adding then counting gives the same number of months', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1950, max: 2100 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: -300, max: 300 }),
        (y, m, n) => {
          const month = `${y}-${String(m).padStart(2, '0')}`;
          return monthsBetween(month, addMonthsTo(month, n)) === n;
        },
      ),
    );
  });
});

describe('repaymentGrid', () => {
  it('reads / before the opening month, the statuses, then # for months with none reported', () => {
    const grid = repaymentGrid('2026-01', 'N1NC', '2026-05');
    expect(grid).toHaveLength(gridMonths);
    expect(grid.slice(-5)).toBe('N1NC#');
    expect(grid.slice(0, 55)).toBe('/'.repeat(55));
  });
  it('keeps only the last 60 months of a long account', () => {
    const statuses = `${'1'.repeat(10)}${'N'.repeat(60)}`;
    expect(repaymentGrid('2020-01', statuses, addMonthsTo('2020-01', 69))).toBe('N'.repeat(60));
  });
  it('writes a month in place, padding skipped months with #', () => {
    expect(withMonthStatus('2026-01', 'N', '2026-03', '1')).toBe('N#1');
    expect(withMonthStatus('2026-01', 'N#1', '2026-02', '*')).toBe('N*1');
    expect(withMonthStatus('2026-03', 'N', '2026-01', '1')).toBe('N');
  });
  it('a status written for a month is what the grid shows for that month', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 59 }), fc.constantFrom('N', '*', '1', '7', 'C'), (n, status) => {
        const month = addMonthsTo('2021-06', n);
        const statuses = withMonthStatus('2021-06', '', month, status);
        return repaymentGrid('2021-06', statuses, addMonthsTo('2021-06', 59))[n] === status;
      }),
    );
  });
});

describe('recordCodesFor', () => {
  const none = { disbursed: false, paidOff: false, overdueRepaid: false, monthEnd: false };
  it('reports a disbursement as 10, also on a month end', () => {
    expect(recordCodesFor(localDate('2026-01-15'), { ...none, disbursed: true })).toEqual(['10']);
    expect(recordCodesFor(localDate('2026-01-31'), { ...none, disbursed: true, monthEnd: true })).toEqual([
      '10',
    ]);
  });
  it('reports a payoff as 20, or 32 on a month end (and no 30 beside it)', () => {
    expect(recordCodesFor(localDate('2026-04-05'), { ...none, paidOff: true })).toEqual(['20']);
    expect(recordCodesFor(localDate('2026-04-30'), { ...none, paidOff: true, monthEnd: true })).toEqual([
      '32',
    ]);
    expect(closingCode(localDate('2024-02-29'))).toBe('32');
    expect(closingCode(localDate('2024-02-28'))).toBe('20');
  });
  it('reports an overdue amount repaid as 40, beside the 30 on a month end', () => {
    expect(recordCodesFor(localDate('2026-03-02'), { ...none, overdueRepaid: true })).toEqual(['40']);
    expect(recordCodesFor(localDate('2026-03-31'), { ...none, overdueRepaid: true, monthEnd: true })).toEqual(
      ['40', '30'],
    );
  });
  it('reports a month end alone as 30, and nothing on another day', () => {
    expect(recordCodesFor(localDate('2026-02-28'), { ...none, monthEnd: true })).toEqual(['30']);
    expect(recordCodesFor(localDate('2026-02-27'), { ...none, monthEnd: true })).toEqual([]);
    expect(recordCodesFor(localDate('2026-02-27'), none)).toEqual([]);
  });
});
