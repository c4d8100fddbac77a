import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localDate } from '../date/local-date.ts';
import { aprFromCashflows } from './apr-request.ts';
import { quoteLoan } from './quote-loan.ts';
import type { QuoteRequest } from './quote-request.ts';

// Hostile and extreme input must come back as issues or as a correct quote — never as an exception
// (docs/architecture.md invariant 5: bad input never corrupts). Asserts inside the engine would surface
// here as thrown AssertionErrors.

const decimalText = fc.oneof(
  fc.constantFrom('0', '-1', '0.5', '1e5', '', ' 1', '100.001', '10', '0.000000000001', '999999999999999.99'),
  fc
    .tuple(fc.integer({ min: -5, max: 10 ** 9 }), fc.integer({ min: 0, max: 999 }))
    .map(([a, b]) => `${a}.${b}`),
  fc.string({ maxLength: 8 }),
);

const requestArb: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    principal: decimalText,
    currency: fc.constantFrom('CNY', 'JPY', 'KWD', 'XXX', null),
    method: fc.constantFrom(
      'equal_installment',
      'equal_principal',
      'interest_first',
      'flat_fee',
      'bullet',
      'daily',
      'x',
    ),
    annualRate: fc.oneof(decimalText, fc.constantFrom('0.12', '9.999', '0')),
    periodFeeRate: fc.oneof(decimalText, fc.constant(null)),
    termCount: fc.oneof(fc.integer({ min: -2, max: 700 }), fc.constant(1.5)),
    frequency: fc.constantFrom('monthly', 'weekly', 'biweekly', 'days:1', 'days:366', 'days:0', 'yearly'),
    startDate: fc.constantFrom('2025-01-31', '2024-02-29', '9000-12-31', '2025-02-30', '1900-01-01'),
    firstDueDate: fc.constantFrom('2025-02-28', '2025-01-01', '2026-01-31', null),
    dueDay: fc.oneof(fc.integer({ min: -1, max: 33 }), fc.constant(null)),
    interestPeriod: fc.constantFrom('per_period', 'daily', 'hourly'),
    dayCount: fc.constantFrom('ACT_360', 'ACT_365', '30_360', 'ACT_ACT'),
    remainder: fc.constantFrom('last_principal', 'last_interest', 'first'),
    rounding: fc.constantFrom('half_up', 'half_even', 'down', 'up', 'ceil'),
    upfrontFee: fc.oneof(decimalText, fc.constant(null)),
    upfrontFeeMode: fc.constantFrom('deducted', 'financed', 'later'),
    graceTerms: fc.oneof(fc.integer({ min: -1, max: 12 }), fc.constant(null)),
    penaltyRate: fc.oneof(decimalText, fc.constant(null)),
  },
  { requiredKeys: ['principal', 'method', 'termCount'] },
);

// Valid-shaped requests at the edges of every range, so most of them do produce a quote.
const edgeRequestArb: fc.Arbitrary<Record<string, unknown>> = fc.record({
  principal: fc.constantFrom('0.01', '1.00', '100.00', '199999.99', '9999999999999.99'),
  currency: fc.constantFrom('CNY', 'JPY', 'KWD'),
  method: fc.constantFrom(
    'equal_installment',
    'equal_principal',
    'interest_first',
    'flat_fee',
    'bullet',
    'daily',
  ),
  annualRate: fc.constantFrom('0', '0.000000000001', '0.0435', '0.36', '10'),
  termCount: fc.constantFrom(1, 2, 12, 36, 120, 600),
  frequency: fc.constantFrom('monthly', 'weekly', 'biweekly', 'days:1', 'days:30', 'days:366'),
  startDate: fc.constantFrom('2025-01-31', '2024-02-29', '2025-12-31', '8999-06-30'),
  interestPeriod: fc.constantFrom('per_period', 'daily'),
  dayCount: fc.constantFrom('ACT_360', 'ACT_365', '30_360'),
  rounding: fc.constantFrom('half_up', 'half_even', 'down', 'up'),
});

describe('quoteLoan on hostile input', () => {
  it('quotes valid-shaped extremes exactly or names the problem, never throws', () => {
    let quoted = 0;
    fc.assert(
      fc.property(edgeRequestArb, (request) => {
        const result = quoteLoan(request as unknown as QuoteRequest, {
          businessDate: localDate('2025-01-15'),
        });
        if (!result.ok) {
          expect(result.issues.length).toBeGreaterThan(0);
          return;
        }
        quoted += 1;
        const digits = request.currency === 'JPY' ? 0 : request.currency === 'KWD' ? 3 : 2;
        const minor = (text: string) => BigInt(text.replace('.', ''));
        const principal = result.quote.installments.reduce((sum, i) => sum + minor(i.principal), 0n);
        expect(principal).toBe(minor(result.quote.totals.principal));
        expect(result.quote.totals.principal.split('.')[1]?.length ?? 0).toBe(digits);
      }),
      { numRuns: 400 },
    );
    expect(quoted).toBeGreaterThan(100);
  });

  it('answers every request with a quote or issues and never throws', () => {
    fc.assert(
      fc.property(requestArb, (request) => {
        const result = quoteLoan(request as unknown as QuoteRequest, {
          businessDate: localDate('2025-01-15'),
        });
        if (result.ok) {
          const principal = result.quote.installments.reduce((sum, i) => sum + Number(i.principal), 0);
          expect(Math.abs(principal - Number(result.quote.totals.principal))).toBeLessThan(1e-3);
          expect(result.quote.installments.at(-1)?.balance).toMatch(/^0(\.0+)?$/);
        } else {
          expect(result.issues.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('answers every APR request with figures or issues and never throws', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.record({
            frequency: fc.constantFrom('monthly', 'days:7', 'x'),
            received: decimalText,
            payments: fc.array(decimalText, { maxLength: 40 }),
          }),
          fc.record({
            cashflows: fc.array(
              fc.record({
                date: fc.constantFrom('2025-01-01', '2025-03-01', '2026-01-01', '2025-13-01'),
                amount: decimalText,
              }),
              { maxLength: 6 },
            ),
          }),
        ),
        (request) => {
          const result = aprFromCashflows(request);
          expect(result.ok || result.issues.length > 0).toBe(true);
        },
      ),
      { numRuns: 1500 },
    );
  });
});
