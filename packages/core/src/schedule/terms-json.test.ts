import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localDate } from '../date/local-date.ts';
import { buildSchedule } from './schedule.ts';
import { loanTerms, repaymentMethods } from './terms.ts';
import { loanTermsFromJson, loanTermsToJson } from './terms-json.ts';

describe('loan terms as JSON', () => {
  it('rebuild the same schedule after a round trip through JSON text', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...repaymentMethods),
        fc.bigInt({ min: 100_000n, max: 50_000_000n }),
        fc.integer({ min: 1, max: 36 }),
        fc.integer({ min: 0, max: 2400 }),
        fc.bigInt({ min: 0n, max: 5_000n }),
        (method, principalMinor, termCount, rateBp, upfrontFeeMinor) => {
          const terms = loanTerms({
            principalMinor,
            method,
            termCount: method === 'bullet' || method === 'daily' ? Math.min(termCount, 12) : termCount,
            startDate: localDate('2026-03-31'),
            annualRate: new Decimal(rateBp).div(10_000),
            upfrontFeeMinor,
            penaltyRate: rateBp % 2 === 0 ? undefined : new Decimal('0.36'),
            merchantDiscountMinor: 0n,
          });
          const again = loanTermsFromJson(JSON.parse(JSON.stringify(loanTermsToJson(terms))));
          expect(again).toEqual(terms);
          const built = buildSchedule(terms);
          if (built.ok) expect(buildSchedule(again)).toEqual(built);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses a document with an unknown currency or frequency', () => {
    const json = loanTermsToJson(
      loanTerms({
        principalMinor: 100_00n,
        method: 'equal_installment',
        termCount: 3,
        startDate: localDate('2026-01-01'),
      }),
    );
    expect(() => loanTermsFromJson({ ...json, currency: 'XXX' })).toThrow(/currency XXX/);
    expect(() => loanTermsFromJson({ ...json, frequency: 'yearly' })).toThrow(/frequency yearly/);
  });
});
