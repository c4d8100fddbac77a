import { describe, expect, it } from 'vitest';
import { aprFromCashflows } from './apr-request.ts';

describe('aprFromCashflows', () => {
  it('annualizes regular payments with 10 decimal places', () => {
    const result = aprFromCashflows({
      frequency: 'monthly',
      received: '99000.00',
      payments: Array(12).fill('8833.33'),
    });
    expect(result).toEqual({
      ok: true,
      apr: { periodic: '0.0106703734', simple: '0.1280444811', irr: '0.1358328392' },
    });
  });

  it('takes amounts with any number of places without rounding them', () => {
    const result = aprFromCashflows({
      frequency: 'monthly',
      received: '99000',
      payments: Array(12).fill('8833.333'),
    });
    expect(result.ok && result.apr.periodic).toBe('0.0106704273');
  });

  it('solves dated flows by XIRR (borrower view: received positive, paid negative)', () => {
    const result = aprFromCashflows({
      cashflows: [
        { date: '2025-01-01', amount: '99000.00' },
        { date: '2026-01-01', amount: '-110000.00' },
      ],
    });
    expect(result.ok && result.apr.irr).toBe('0.1111111111');
  });

  it('names bad input with its path', () => {
    const codes = (request: Parameters<typeof aprFromCashflows>[0]) => {
      const result = aprFromCashflows(request);
      return result.ok ? [] : result.issues.map((i) => `${i.code}@${i.path}`);
    };
    expect(codes({ frequency: 'monthly', received: 'abc', payments: ['1'] })).toEqual([
      'decimal_invalid@received',
    ]);
    expect(codes({ frequency: 'yearly', received: '100', payments: ['110'] })).toEqual([
      'value_not_allowed@frequency',
    ]);
    expect(codes({ frequency: 'monthly', received: '100', payments: [] })).toEqual([
      'cashflows_invalid@payments',
    ]);
    expect(codes({ cashflows: [{ date: '2025-13-01', amount: '1' }] })).toEqual([
      'date_invalid@cashflows[0].date',
    ]);
    expect(
      codes({
        cashflows: [
          { date: '2025-01-01', amount: '-10' },
          { date: '2025-02-01', amount: '10' },
        ],
      }),
    ).toEqual(['cashflows_invalid@cashflows']);
  });

  it('refuses an amount above 10^15 in the unit written, and accepts 10^15 itself', () => {
    const codes = (amount: string) => {
      const result = aprFromCashflows({ received: '1.00', payments: ['1.00', amount] });
      return result.ok ? [] : result.issues.map((i) => `${i.code}@${i.path}`);
    };
    expect(codes('1000000000000000')).toEqual([]);
    expect(codes('0001000000000000000.000')).toEqual([]);
    expect(codes('1000000000000000.01')).toEqual(['amount_too_large@payments[1]']);
    expect(codes('10000000000000000')).toEqual(['amount_too_large@payments[1]']);
    const dated = aprFromCashflows({
      cashflows: [
        { date: '2025-01-01', amount: '-9999999999999999.99' },
        { date: '2025-02-01', amount: '1.00' },
      ],
    });
    expect(dated.ok ? [] : dated.issues.map((i) => `${i.code}@${i.path}`)).toEqual([
      'amount_too_large@cashflows[0].amount',
    ]);
  });

  it('takes the cash flows of the longest quotable loan and no more: 600 payments or 601 dated flows', () => {
    const payments = (count: number) =>
      aprFromCashflows({ received: '100.00', payments: Array(count).fill('1.00') });
    expect(payments(600).ok).toBe(true);
    expect(payments(601)).toEqual({
      ok: false,
      issues: [{ code: 'cashflows_invalid', path: 'payments', message: 'at most 600 payments' }],
    });
    const flows = (count: number) =>
      aprFromCashflows({
        cashflows: Array.from({ length: count }, (_, day) => ({
          date: `2025-${String(1 + Math.floor(day / 28)).padStart(2, '0')}-${String(1 + (day % 28)).padStart(2, '0')}`,
          amount: day === 0 ? '100.00' : '-1.00',
        })),
      });
    expect(flows(300).ok).toBe(true);
    expect(flows(602)).toEqual({
      ok: false,
      issues: [{ code: 'cashflows_invalid', path: 'cashflows', message: 'at most 601 cash flows' }],
    });
  });
});
