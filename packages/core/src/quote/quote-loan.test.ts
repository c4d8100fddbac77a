import { describe, expect, it } from 'vitest';
import { localDate } from '../date/local-date.ts';
import { quoteLoan } from './quote-loan.ts';
import type { QuoteRequest } from './quote-request.ts';

const context = { businessDate: localDate('2025-03-31') };
const base: QuoteRequest = {
  principal: '1200.00',
  method: 'equal_installment',
  annualRate: '0.12',
  termCount: 3,
};

function quoted(request: Partial<QuoteRequest>) {
  const result = quoteLoan({ ...base, ...request }, context);
  if (!result.ok) throw new Error(JSON.stringify(result.issues));
  return result.quote;
}

function issues(request: Record<string, unknown>): string[] {
  const result = quoteLoan({ ...base, ...request } as QuoteRequest, context);
  return result.ok ? [] : result.issues.map((i) => `${i.code}@${i.path}`);
}

describe('quoteLoan', () => {
  it('maps a request to the documented response, amounts as decimal strings', () => {
    expect(quoted({ startDate: '2025-01-31' })).toEqual({
      payment: '408.03',
      installments: [
        {
          number: 1,
          dueDate: '2025-02-28',
          principal: '396.03',
          interest: '12.00',
          fee: '0.00',
          total: '408.03',
          balance: '803.97',
        },
        {
          number: 2,
          dueDate: '2025-03-31',
          principal: '399.99',
          interest: '8.04',
          fee: '0.00',
          total: '408.03',
          balance: '403.98',
        },
        {
          number: 3,
          dueDate: '2025-04-30',
          principal: '403.98',
          interest: '4.04',
          fee: '0.00',
          total: '408.02',
          balance: '0.00',
        },
      ],
      totals: { principal: '1200.00', interest: '24.08', fee: '0.00', total: '1224.08' },
      apr: { periodic: '0.0100002061', simple: '0.1200024737', irr: '0.1268277899' },
      disbursed: '1200.00',
    });
  });

  it('starts on the business date the caller passes when the request has no start date', () => {
    expect(quoted({}).installments.map((i) => i.dueDate)).toEqual(['2025-04-30', '2025-05-31', '2025-06-30']);
  });

  it('reports the payout after a deducted fee and counts the fee in the APR', () => {
    const quote = quoted({ upfrontFee: '12.00' });
    expect(quote.disbursed).toBe('1188.00');
    expect(quote.totals.principal).toBe('1200.00');
    expect(Number(quote.apr.simple)).toBeGreaterThan(0.18);
  });

  it('lends a financed fee along with the principal', () => {
    const quote = quoted({ upfrontFee: '12.00', upfrontFeeMode: 'financed' });
    expect(quote.disbursed).toBe('1200.00');
    expect(quote.totals.principal).toBe('1212.00');
  });

  it('has a null payment for methods without a regular installment', () => {
    expect(quoted({ method: 'equal_principal' }).payment).toBeNull();
    expect(quoted({ method: 'bullet', termCount: 1 }).payment).toBeNull();
  });

  it('writes amounts with the currency places: JPY has none', () => {
    const quote = quoted({ currency: 'JPY', principal: '120000' });
    expect(quote.installments[0]?.total).toMatch(/^\d+$/);
    expect(quote.totals.principal).toBe('120000');
  });

  it('treats null optional fields as absent', () => {
    expect(quoted({ firstDueDate: null, dueDay: null, currency: null }).payment).toBe('408.03');
  });

  it('names every syntax problem with its field', () => {
    expect(issues({ principal: '1e3' })).toEqual(['decimal_invalid@principal']);
    expect(issues({ principal: '100.001' })).toEqual(['amount_precision_exceeded@principal']);
    expect(issues({ annualRate: '12%' })).toEqual(['decimal_invalid@annualRate']);
    expect(issues({ method: 'balloon' })).toEqual(['value_not_allowed@method']);
    expect(issues({ frequency: 'days:0' })).toEqual(['value_not_allowed@frequency']);
    expect(issues({ dayCount: 'ACT_ACT' })).toEqual(['value_not_allowed@dayCount']);
    expect(issues({ rounding: 'ceiling' })).toEqual(['value_not_allowed@rounding']);
    expect(issues({ remainder: 'first' })).toEqual(['value_not_allowed@remainder']);
    expect(issues({ startDate: '2025-02-30' })).toEqual(['date_invalid@startDate']);
    expect(issues({ currency: 'XBT' })).toEqual(['currency_unsupported@currency']);
    expect(issues({ termCount: 2.5 })).toEqual(['integer_invalid@termCount']);
    expect(issues({ annualRate: undefined })).toEqual(['field_required@annualRate']);
  });

  it('reports values of the wrong type as issues rather than crashing', () => {
    expect(issues({ principal: 40000 })).toEqual(['decimal_invalid@principal']);
    expect(issues({ annualRate: 0.12 })).toEqual(['decimal_invalid@annualRate']);
    expect(issues({ startDate: 20250101 })).toEqual(['date_invalid@startDate']);
    expect(issues({ method: 7 })).toEqual(['value_not_allowed@method']);
    expect(issues({ termCount: '36' })).toEqual(['integer_invalid@termCount']);
  });

  it('names every semantic problem with its field', () => {
    expect(issues({ principal: '0' })).toEqual(['principal_not_positive@principal']);
    expect(issues({ termCount: 0 })).toEqual(['term_count_zero@termCount']);
    expect(issues({ annualRate: '-0.01' })).toEqual(['rate_negative@annualRate']);
    expect(issues({ method: 'bullet', periodFeeRate: '0.01', termCount: 1 })).toEqual([
      'fee_rate_not_supported_by_method@periodFeeRate',
    ]);
    expect(issues({ startDate: '2025-01-31', firstDueDate: '2025-01-31' })).toEqual([
      'first_due_date_before_start@firstDueDate',
    ]);
    expect(issues({ method: 'daily', interestPeriod: 'per_period' })).toEqual([
      'unsupported_combination@interestPeriod',
    ]);
    expect(issues({ upfrontFee: '1200.00' })).toEqual(['upfront_fee_too_large@upfrontFee']);
  });

  it('accepts a flat-fee request without an annual rate', () => {
    const quote = quoted({ method: 'flat_fee', annualRate: undefined, periodFeeRate: '0.005' });
    expect(quote.installments[0]).toMatchObject({
      principal: '400.00',
      interest: '0.00',
      fee: '6.00',
      total: '406.00',
    });
  });
});
