import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { quoteProduct } from './loan-terms.ts';
import type { ProductDefinition } from './product.ts';
import { installmentDefinition, mustParse, pbocDefinition } from './product-test-support.ts';
import { productPublishIssues, publishCheckStartDate } from './publish-check.ts';

const keys = (definition: ProductDefinition, cap?: string) =>
  productPublishIssues(mustParse(definition), cap === undefined ? {} : { cap: new Decimal(cap) }).map(
    (found) => `${found.code}@${found.path}: ${found.message}`,
  );

describe('productPublishIssues', () => {
  it('passes a product whose every term and grade is within the 24 % cap', () => {
    expect(keys(installmentDefinition)).toEqual([]);
    expect(keys(pbocDefinition)).toEqual([]);
  });

  it('names the grade and the term above the cap, with the IRR and the amount', () => {
    const dear = {
      ...pbocDefinition,
      termsOffered: [6, 12],
      prices: [
        { grade: 'A', kind: 'period_fee_rate' as const, rate: '0.005' },
        { grade: 'C', kind: 'period_fee_rate' as const, rate: '0.015' },
      ],
    };
    expect(keys(dear)).toEqual([
      'apr_above_cap@/prices/1/rate: grade C at 6 installments (period_fee_rate 0.015) has an IRR of 39.63 % at 10000.00 CNY, above the cap of 24.00 %',
      'apr_above_cap@/prices/1/rate: grade C at 12 installments (period_fee_rate 0.015) has an IRR of 39.45 % at 100000.00 CNY, above the cap of 24.00 %',
    ]);
  });

  it('checks a configured cap: the PBOC example (13.58 %) passes 24 % and 13.59 %, not 13 %', () => {
    expect(keys(pbocDefinition, '0.1359')).toEqual([]);
    expect(keys(pbocDefinition, '0.13')).toEqual([
      'apr_above_cap@/prices/0/rate: grade A at 12 installments (period_fee_rate 0.005) has an IRR of 13.58 % at 100000.00 CNY, above the cap of 13.00 %',
    ]);
  });

  it('weighs a fixed fee at the smallest amount, and names each term it makes too dear', () => {
    // 50.00 deducted from 1,000.00 at 12 %: 3 × 340.02 on 950.00 received is 53.66 %; spread over 12
    // months the same fee still costs 24.19 %; on 50,000.00 it is lost in the 12.68 % of the rate.
    const fixedFee: ProductDefinition = {
      ...installmentDefinition,
      prices: [{ grade: 'A', kind: 'annual_rate', rate: '0.12' }],
      upfrontFee: { kind: 'fixed', amountMinor: '5000' },
    };
    expect(keys(fixedFee)).toEqual([
      'apr_above_cap@/prices/0/rate: grade A at 3 installments (annual_rate 0.12) has an IRR of 53.66 % at 1000.00 CNY, above the cap of 24.00 %',
      'apr_above_cap@/prices/0/rate: grade A at 6 installments (annual_rate 0.12) has an IRR of 34.69 % at 1000.00 CNY, above the cap of 24.00 %',
      'apr_above_cap@/prices/0/rate: grade A at 12 installments (annual_rate 0.12) has an IRR of 24.19 % at 1000.00 CNY, above the cap of 24.00 %',
    ]);
  });

  it('passes a 0 % promotion under any cap: 贴息 is the merchant’s cost, not the borrower’s', () => {
    const promotion = {
      ...installmentDefinition,
      prices: [{ grade: 'A', kind: 'annual_rate' as const, rate: '0' }],
      merchantDiscount: { '3': '0.02', '6': '0.04', '12': '0.08' },
    };
    expect(keys(promotion, '0.0001')).toEqual([]);
  });

  it('refuses principal repaid in one sum over more than a year (bullet and interest-first)', () => {
    const bullet = {
      ...installmentDefinition,
      method: 'bullet' as const,
      termsOffered: [12, 13],
      prices: [{ grade: 'A', kind: 'annual_rate' as const, rate: '0.10' }],
    };
    expect(keys(bullet)).toEqual([
      'unsupported_combination@/termsOffered/1: 13 installments of a bullet product run past one year: principal repaid in one sum at maturity may be lent for at most one year (商业银行互联网贷款管理暂行办法, 2020)',
    ]);
    expect(
      keys({ ...bullet, method: 'interest_first', termsOffered: [6, 24] }).map((key) => key.split(':')[0]),
    ).toEqual(['unsupported_combination@/termsOffered/1']);
    // Counted in days when periods are: 52 weeks (364 days) fit in a year, 53 do not.
    expect(
      keys({ ...bullet, frequency: 'weekly', termsOffered: [52, 53] }).map((key) => key.split(':')[0]),
    ).toEqual(['unsupported_combination@/termsOffered/1']);
    // Equal installments repay principal as they go: 36 months is fine.
    expect(keys({ ...installmentDefinition, termsOffered: [36] })).toEqual([]);
  });

  it('finds an issue exactly when some term and grade, at the smallest or largest amount, is above the cap (oracle)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 3 }),
        fc.uniqueArray(fc.integer({ min: 1, max: 24 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 20_000 }),
        fc.integer({ min: 1000, max: 3000 }),
        (bps, terms, feeFen, capBp) => {
          const definition: ProductDefinition = {
            ...installmentDefinition,
            termsOffered: terms,
            prices: bps.map((bp, index) => ({
              grade: String.fromCharCode(65 + index),
              kind: 'annual_rate',
              rate: new Decimal(bp).div(10_000).toFixed(4),
            })),
            upfrontFee: { kind: 'fixed', amountMinor: String(feeFen) },
          };
          const product = mustParse(definition);
          const cap = new Decimal(capBp).div(10_000);
          const above = new Set<string>();
          product.prices.forEach((price, index) => {
            for (const termCount of product.termsOffered)
              for (const principalMinor of [product.amountMinMinor, product.amountMaxMinor]) {
                const quote = quoteProduct(product, {
                  grade: price.grade,
                  termCount,
                  principalMinor,
                  startDate: publishCheckStartDate,
                });
                if (!quote.ok) throw new Error(JSON.stringify(quote.issues));
                if (quote.value.rates.irr.greaterThan(cap)) above.add(`/prices/${index}/rate ${termCount}`);
              }
          });
          const found = productPublishIssues(product, { cap }).map(
            (issue) => `${issue.path} ${/ at (\d+) installments/.exec(issue.message)?.[1]}`,
          );
          expect(new Set(found)).toEqual(above);
          expect(found.length).toBe(above.size);
        },
      ),
      { numRuns: 60 },
    );
  });
});
