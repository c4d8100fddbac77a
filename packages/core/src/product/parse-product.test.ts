import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allocationOrderDefault } from '../allocation/allocate-payment.ts';
import { parseProduct } from './parse-product.ts';
import { installmentDefinition, issueKeys, mustParse, pbocDefinition } from './product-test-support.ts';

describe('parseProduct', () => {
  it('fills every default of a minimal definition and sorts the terms', () => {
    const product = mustParse(installmentDefinition);
    expect(product).toEqual({
      code: 'pos-installment',
      name: { zh: '分期购', en: 'Installments' },
      method: 'equal_installment',
      termsOffered: [3, 6, 12],
      frequency: { kind: 'monthly' },
      prices: [
        { grade: 'A', kind: 'annual_rate', rate: new Decimal('0.12') },
        { grade: 'B', kind: 'annual_rate', rate: new Decimal('0.18') },
        { grade: 'C', kind: 'annual_rate', rate: new Decimal('0.21') },
      ],
      dayCount: 'ACT_360',
      interestPeriod: 'per_period',
      remainder: 'last_principal',
      rounding: 'half_up',
      upfrontFee: { kind: 'none' },
      upfrontFeeMode: 'deducted',
      periodFeeMinor: 0n,
      graceDays: 0,
      penaltyMarkup: new Decimal('0.5'),
      prepayment: { allowed: true, feeRate: new Decimal(0), minTermsPaid: 0 },
      allocationOrder: allocationOrderDefault,
      amountMinMinor: 100_000n,
      amountMaxMinor: 5_000_000n,
      revolving: false,
      coolingOffDays: 0,
      merchantDiscount: new Map(),
      postingBasis: 'accrual',
    });
  });

  it('reads every optional field as written', () => {
    const product = mustParse({
      ...installmentDefinition,
      frequency: 'days:30',
      dayCount: 'ACT_365',
      interestPeriod: 'daily',
      rounding: 'half_even',
      upfrontFee: { kind: 'fixed', amountMinor: '5000' },
      upfrontFeeMode: 'financed',
      periodFeeMinor: '200',
      graceDays: 3,
      penaltyMarkup: '0.30',
      prepayment: { allowed: true, feeRate: '0.02', minTermsPaid: 1 },
      allocationOrder: {
        components: ['principal', 'interest', 'fee', 'penalty'],
        sequence: 'component_across_installments',
      },
      revolving: true,
      coolingOffDays: 7,
      merchantDiscount: { '3': '0.02', '12': '0.035' },
      postingBasis: 'cash',
    });
    expect(product).toMatchObject({
      frequency: { kind: 'days', days: 30 },
      dayCount: 'ACT_365',
      interestPeriod: 'daily',
      rounding: 'half_even',
      upfrontFee: { kind: 'fixed', amountMinor: 5000n },
      upfrontFeeMode: 'financed',
      periodFeeMinor: 200n,
      graceDays: 3,
      penaltyMarkup: new Decimal('0.3'),
      prepayment: { allowed: true, feeRate: new Decimal('0.02'), minTermsPaid: 1 },
      allocationOrder: {
        components: ['principal', 'interest', 'fee', 'penalty'],
        sequence: 'component_across_installments',
      },
      revolving: true,
      coolingOffDays: 7,
      postingBasis: 'cash',
    });
    expect([...product.merchantDiscount]).toEqual([
      [3, new Decimal('0.02')],
      [12, new Decimal('0.035')],
    ]);
  });

  it('takes daily interest as the default of bullet and daily products', () => {
    const daily = mustParse({
      ...installmentDefinition,
      method: 'daily',
      prices: [{ grade: 'A', kind: 'annual_rate', rate: '0.1825' }],
    });
    expect(daily.interestPeriod).toBe('daily');
  });

  it('names every mistake at its JSON Pointer, and builds nothing', () => {
    expect(
      issueKeys({
        code: 'pos installment',
        name: { zh: '', fr: 'x' },
        method: 'balloon',
        termsOffered: [3, 3, 0, 6.5],
        prices: [
          { grade: 'a', kind: 'annual_rate', rate: '0.12' },
          { grade: 'B', kind: 'monthly', rate: '1e-2' },
          { grade: 'C', kind: 'annual_rate', rate: '-0.1' },
        ],
        frequency: 'fortnightly',
        dayCount: 'ACT_366',
        upfrontFee: { kind: 'rate', rate: '1.5' },
        graceDays: 31,
        penaltyMarkup: '0.60',
        prepayment: { allowed: 'yes' },
        allocationOrder: {
          components: ['penalty', 'fee', 'interest'],
          sequence: 'installment_by_installment',
        },
        amountMinMinor: '10.00',
        amountMaxMinor: '30000000',
        coolingOffDays: -1,
        merchantDiscount: { x: '0.01' },
        postingBasis: 'modified_cash',
        colour: 'red',
      }),
    ).toEqual([
      'field_unknown@/colour',
      'name_invalid@/code',
      'field_required@/name/en',
      'field_unknown@/name/fr',
      'limit_exceeded@/name/zh',
      'value_not_allowed@/method',
      'duplicate_value@/termsOffered/1',
      'integer_invalid@/termsOffered/2',
      'integer_invalid@/termsOffered/3',
      'value_not_allowed@/frequency',
      'name_invalid@/prices/0/grade',
      'value_not_allowed@/prices/1/kind',
      'decimal_invalid@/prices/1/rate',
      'rate_negative@/prices/2/rate',
      'value_not_allowed@/dayCount',
      'rate_too_large@/upfrontFee/rate',
      'integer_invalid@/graceDays',
      'rate_too_large@/penaltyMarkup',
      'type_invalid@/prepayment/allowed',
      'allocation_order_invalid@/allocationOrder/components',
      'minor_units_invalid@/amountMinMinor',
      'amount_too_large@/amountMaxMinor',
      'integer_invalid@/coolingOffDays',
      'integer_invalid@/merchantDiscount/x',
      'value_not_allowed@/postingBasis',
    ]);
  });

  it('refuses what is not an object, and names missing fields', () => {
    expect(issueKeys(null)).toEqual(['type_invalid@']);
    expect(issueKeys([installmentDefinition])).toEqual(['type_invalid@']);
    expect(issueKeys({})).toEqual([
      'field_required@/code',
      'field_required@/name',
      'field_required@/method',
      'field_required@/termsOffered',
      'field_required@/prices',
      'field_required@/amountMinMinor',
      'field_required@/amountMaxMinor',
    ]);
  });

  it('keeps grades unique and the price kind the method can charge', () => {
    expect(
      issueKeys({
        ...installmentDefinition,
        prices: [
          { grade: 'A', kind: 'annual_rate', rate: '0.12' },
          { grade: 'A', kind: 'annual_rate', rate: '0.13' },
        ],
      }),
    ).toEqual(['duplicate_value@/prices/1/grade']);
    expect(
      issueKeys({ ...pbocDefinition, prices: [{ grade: 'A', kind: 'annual_rate', rate: '0.06' }] }),
    ).toEqual(['unsupported_combination@/prices/0/kind']);
    expect(
      issueKeys({
        ...installmentDefinition,
        method: 'bullet',
        prices: [{ grade: 'A', kind: 'period_fee_rate', rate: '0.01' }],
      }),
    ).toEqual(['unsupported_combination@/prices/0/kind']);
  });

  it('holds the penalty markup to 30–50 % with at most two places (PBOC practice)', () => {
    expect(issueKeys({ ...installmentDefinition, penaltyMarkup: '0.20' })).toEqual([
      'value_not_allowed@/penaltyMarkup',
    ]);
    expect(issueKeys({ ...installmentDefinition, penaltyMarkup: '0.333' })).toEqual([
      'value_not_allowed@/penaltyMarkup',
    ]);
    expect(issueKeys({ ...installmentDefinition, penaltyMarkup: '0.51' })).toEqual([
      'rate_too_large@/penaltyMarkup',
    ]);
    expect(mustParse({ ...installmentDefinition, penaltyMarkup: '0.45' }).penaltyMarkup).toEqual(
      new Decimal('0.45'),
    );
  });

  it('keeps amounts within 200,000.00 CNY and the smallest not above the largest', () => {
    expect(issueKeys({ ...installmentDefinition, amountMaxMinor: '20000001' })).toEqual([
      'amount_too_large@/amountMaxMinor',
    ]);
    expect(issueKeys({ ...installmentDefinition, amountMinMinor: '0' })).toEqual([
      'principal_not_positive@/amountMinMinor',
    ]);
    expect(issueKeys({ ...installmentDefinition, amountMinMinor: '5000001' })).toEqual([
      'range_invalid@/amountMinMinor',
    ]);
    expect(mustParse({ ...installmentDefinition, amountMaxMinor: '20000000' }).amountMaxMinor).toBe(
      20_000_000n,
    );
  });

  it('gives 贴息 only for offered terms', () => {
    expect(issueKeys({ ...installmentDefinition, merchantDiscount: { '9': '0.02' } })).toEqual([
      'value_not_allowed@/merchantDiscount/9',
    ]);
    expect(issueKeys({ ...installmentDefinition, merchantDiscount: { '3': '1.2' } })).toEqual([
      'rate_too_large@/merchantDiscount/3',
    ]);
  });

  it('refuses prepayment terms on a product that forbids prepayment', () => {
    expect(issueKeys({ ...installmentDefinition, prepayment: { allowed: false, feeRate: '0.01' } })).toEqual([
      'unsupported_combination@/prepayment',
    ]);
    expect(mustParse({ ...installmentDefinition, prepayment: { allowed: false } }).prepayment.allowed).toBe(
      false,
    );
  });

  it('refuses, at the field it comes from, what the schedule engine cannot build', () => {
    // A fixed deducted fee of 1,000.00 on the smallest loan of 1,000.00 leaves nothing to pay out.
    expect(
      issueKeys({ ...installmentDefinition, upfrontFee: { kind: 'fixed', amountMinor: '100000' } }),
    ).toEqual(['upfront_fee_too_large@/upfrontFee']);
    // Equal principal has no level payment to put the remainder on.
    expect(
      issueKeys({ ...installmentDefinition, method: 'equal_principal', remainder: 'last_interest' }),
    ).toEqual(['unsupported_combination@/remainder']);
    // Interest per period means nothing without regular periods.
    expect(
      issueKeys({
        ...installmentDefinition,
        method: 'bullet',
        termsOffered: [3],
        interestPeriod: 'per_period',
      }),
    ).toEqual(['unsupported_combination@/interestPeriod']);
    // A bullet loan has no installments to carry a fee.
    expect(
      issueKeys({ ...installmentDefinition, method: 'bullet', termsOffered: [3], periodFeeMinor: '100' }),
    ).toEqual(['fee_rate_not_supported_by_method@/periodFeeMinor']);
    // 贴息 of the whole principal is more than the merchant is paid once the fee is deducted.
    expect(
      issueKeys({
        ...installmentDefinition,
        upfrontFee: { kind: 'rate', rate: '0.01' },
        merchantDiscount: { '3': '1' },
      }),
    ).toEqual(['amount_too_large@/merchantDiscount/3']);
  });

  it('never throws on any JSON, and every issue is at a JSON Pointer', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = parseProduct(value);
        expect(result.ok).toBe(false);
        if (!result.ok) for (const found of result.issues) expect(found.path).toMatch(/^(\/.*)?$/);
      }),
      { numRuns: 300 },
    );
  });

  it('names the mistake of any one broken field and nothing else', () => {
    const fields = Object.keys(installmentDefinition);
    fc.assert(
      fc.property(
        fc.constantFrom(...fields),
        fc.oneof(fc.constant(null), fc.constant(true), fc.constant({}), fc.constant('?'), fc.constant([])),
        (field, value) => {
          const keys = issueKeys({ ...installmentDefinition, [field]: value });
          expect(keys.length).toBeGreaterThan(0);
          for (const key of keys) expect(key.split('@')[1]).toMatch(new RegExp(`^/${field}(/|$)`));
        },
      ),
      { numRuns: 120 },
    );
  });
});
