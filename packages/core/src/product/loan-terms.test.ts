import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localDate } from '../date/local-date.ts';
import { formatMinor } from '../money/amount.ts';
import { buildSchedule } from '../schedule/schedule.ts';
import { loanTerms } from '../schedule/terms.ts';
import { productLoanTerms, quoteProduct } from './loan-terms.ts';
import { installmentDefinition, mustParse, pbocDefinition } from './product-test-support.ts';

const start = localDate('2026-03-01');
const to4 = (value: Decimal) => value.toFixed(4, Decimal.ROUND_HALF_UP);

function mustQuote(product: ReturnType<typeof mustParse>, request: Parameters<typeof quoteProduct>[1]) {
  const quoted = quoteProduct(product, request);
  if (!quoted.ok) throw new Error(JSON.stringify(quoted.issues));
  return quoted.value;
}

describe('productLoanTerms', () => {
  const installments = mustParse(installmentDefinition);

  it('prices grade B at 18 %: 12,000.00 over 12 months is 11 × 1,100.16 and 1,100.19, 13,201.95 in all', () => {
    const quote = mustQuote(installments, {
      grade: 'B',
      termCount: 12,
      principalMinor: 1_200_000n,
      startDate: start,
    });
    expect(quote.terms.annualRate).toEqual(new Decimal('0.18'));
    expect(formatMinor(quote.schedule.paymentMinor ?? 0n, 2)).toBe('1100.16');
    expect(quote.schedule.installments.map((i) => i.dueDate).slice(0, 2)).toEqual([
      '2026-04-01',
      '2026-05-01',
    ]);
    // Interest on the balance, half up, each month; the last installment takes the remainder.
    expect(formatMinor(quote.schedule.installments.at(-1)?.totalMinor ?? 0n, 2)).toBe('1100.19');
    expect(formatMinor(quote.schedule.totals.totalMinor, 2)).toBe('13201.95');
    expect(formatMinor(quote.schedule.totals.interestMinor, 2)).toBe('1201.95');
    // No fee: the IRR is the nominal rate compounded, 19.56 %.
    expect(to4(quote.rates.simple)).toBe('0.1800');
    expect(to4(quote.rates.irr)).toBe('0.1956');
  });

  it('reproduces the PBOC 2021 No. 3 example: 100,000 borrowed, 1,000 up front, 12 × 8,833.33 → 12.80 % and 13.58 %', () => {
    const quote = mustQuote(mustParse(pbocDefinition), {
      grade: 'A',
      termCount: 12,
      principalMinor: 10_000_000n,
      startDate: start,
    });
    expect(quote.terms.upfrontFeeMinor).toBe(100_000n);
    expect(quote.schedule.disbursedMinor).toBe(9_900_000n);
    expect(quote.schedule.installments.map((i) => i.totalMinor)).toEqual(Array(12).fill(883_333n));
    expect(quote.schedule.installments.at(-1)).toMatchObject({ principalMinor: 833_337n, feeMinor: 49_996n });
    expect(to4(quote.rates.simple)).toBe('0.1280');
    expect(to4(quote.rates.irr)).toBe('0.1358');
    // 0.5 % a month is a 6 % nominal annual fee rate; the penalty is that + 50 %.
    expect(quote.terms.penaltyRate).toEqual(new Decimal('0.09'));
  });

  it('sets the penalty rate at the contract rate plus the markup', () => {
    const terms = (definition: object, grade = 'B') => {
      const result = productLoanTerms(mustParse(definition), {
        grade,
        termCount: 12,
        principalMinor: 1_200_000n,
        startDate: start,
      });
      if (!result.ok) throw new Error(JSON.stringify(result.issues));
      return result.value.penaltyRate?.toString();
    };
    expect(terms(installmentDefinition)).toBe('0.27');
    expect(terms({ ...installmentDefinition, penaltyMarkup: '0.30' })).toBe('0.234');
    // A 0 % promotion charges no penalty interest: there is no contract rate to mark up.
    expect(
      terms({ ...installmentDefinition, prices: [{ grade: 'B', kind: 'annual_rate', rate: '0' }] }),
    ).toBe('0');
    // An N-day period annualises over 365 / N periods, cut to 12 places (never rounded up).
    expect(
      terms({
        ...installmentDefinition,
        method: 'flat_fee',
        frequency: 'days:7',
        prices: [{ grade: 'B', kind: 'period_fee_rate', rate: '0.001' }],
      }),
    ).toBe('0.078214285714');
  });

  it('charges a rate up-front fee by the product rounding, and 贴息 half up', () => {
    const product = mustParse({
      ...installmentDefinition,
      rounding: 'down',
      upfrontFee: { kind: 'rate', rate: '0.015' },
      merchantDiscount: { '3': '0.03' },
    });
    const result = productLoanTerms(product, {
      grade: 'A',
      termCount: 3,
      principalMinor: 123_457n,
      startDate: start,
      merchantDiscountRate: new Decimal('0.005'),
    });
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    // 123,457 × 1.5 % = 1,851.855 → 1,851 (down); × 3.5 % = 4,320.995 → 4,321 (half up).
    expect(result.value.upfrontFeeMinor).toBe(1_851n);
    expect(result.value.merchantDiscountMinor).toBe(4_321n);
    const schedule = buildSchedule(result.value);
    if (!schedule.ok) throw new Error('no schedule');
    expect(schedule.value.merchantPayoutMinor).toBe(123_457n - 1_851n - 4_321n);
  });

  it('gives a 0 % promotion with 贴息 an APR of exactly zero, the merchant paying the discount', () => {
    const promotion = mustParse({
      ...installmentDefinition,
      prices: [{ grade: 'A', kind: 'annual_rate', rate: '0' }],
      merchantDiscount: { '6': '0.045' },
    });
    const quote = mustQuote(promotion, {
      grade: 'A',
      termCount: 6,
      principalMinor: 600_000n,
      startDate: start,
    });
    expect(quote.schedule.installments.map((i) => i.totalMinor)).toEqual(Array(6).fill(100_000n));
    expect(quote.terms.merchantDiscountMinor).toBe(27_000n);
    expect(quote.schedule.merchantPayoutMinor).toBe(573_000n);
    expect(quote.rates.irr.isZero() && quote.rates.simple.isZero()).toBe(true);
  });

  it('names what does not fit the product: the grade, the term and the amount', () => {
    const result = productLoanTerms(installments, {
      grade: 'D',
      termCount: 9,
      principalMinor: 99_999n,
      startDate: start,
      merchantDiscountRate: new Decimal('1.5'),
    });
    expect(
      result.ok ? [] : result.issues.map((found) => `${found.code}@${found.path}: ${found.message}`),
    ).toEqual([
      'value_not_allowed@grade: grade D has no price in product pos-installment (priced: A, B, C)',
      'value_not_allowed@termCount: product pos-installment offers 3, 6, 12 installments, not 9',
      'value_not_allowed@principal: product pos-installment lends from 1000.00 to 50000.00 CNY, not 999.99',
      'rate_too_large@merchantDiscountRate: merchantDiscountRate must be from 0 to 1',
    ]);
  });

  it('is the loan terms the product spells out, for any grade, term and amount it allows (model)', () => {
    const product = mustParse({
      ...installmentDefinition,
      upfrontFee: { kind: 'rate', rate: '0.012' },
      upfrontFeeMode: 'financed',
      periodFeeMinor: '150',
      penaltyMarkup: '0.40',
      merchantDiscount: { '6': '0.02' },
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...product.prices),
        fc.constantFrom(...product.termsOffered),
        fc.bigInt({ min: product.amountMinMinor, max: product.amountMaxMinor }),
        (price, termCount, principalMinor) => {
          const result = productLoanTerms(product, {
            grade: price.grade,
            termCount,
            principalMinor,
            startDate: start,
          });
          if (!result.ok) throw new Error(JSON.stringify(result.issues));
          // The model: the same terms written out by hand, with exact fractions for the fees.
          const fee = (principalMinor * 12n + 500n) / 1000n;
          const discount = termCount === 6 ? (principalMinor * 2n + 50n) / 100n : 0n;
          expect(result.value).toEqual(
            loanTerms({
              principalMinor,
              method: 'equal_installment',
              termCount,
              startDate: start,
              annualRate: price.rate,
              periodFeeMinor: 150n,
              upfrontFeeMinor: fee,
              upfrontFeeMode: 'financed',
              penaltyRate: price.rate.times('1.4'),
              merchantDiscountMinor: discount,
            }),
          );
          const schedule = buildSchedule(result.value);
          if (!schedule.ok) throw new Error(JSON.stringify(schedule.issues));
          // Conservation: the financed fee is lent and repaid with the principal, to the fen.
          expect(schedule.value.totals.principalMinor).toBe(principalMinor + fee);
          expect(schedule.value.merchantPayoutMinor).toBe(principalMinor - discount);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('never lets a grade cost less in the IRR than its price says, fees only adding to it', () => {
    const withFee = mustParse({
      ...installmentDefinition,
      upfrontFee: { kind: 'fixed', amountMinor: '2000' },
    });
    fc.assert(
      fc.property(
        fc.constantFrom(...withFee.prices),
        fc.constantFrom(...withFee.termsOffered),
        fc.bigInt({ min: withFee.amountMinMinor, max: withFee.amountMaxMinor }),
        (price, termCount, principalMinor) => {
          const request = { grade: price.grade, termCount, principalMinor, startDate: start };
          const plain = mustQuote(installments, request);
          const fee = mustQuote(withFee, request);
          expect(fee.rates.irr.greaterThan(plain.rates.irr)).toBe(true);
          // Without a fee the simple rate is the nominal one, up to the fen rounding of the payment.
          expect(plain.rates.simple.minus(price.rate).abs().lessThan('0.0005')).toBe(true);
        },
      ),
      { numRuns: 80 },
    );
  });
});
