import type { ProductDefinition } from '@fenqi/core';
import { pbocDefinition } from '../../../core/src/product/product-test-support.ts';

// Example product definitions for anyone's tests (and the demo): each is publishable under the
// default 24 % cap. Codes are fixed; `withCode` gives a copy under another code, so tests that
// share a database can publish their own without superseding each other's.

/** 等额本息 over 3, 6 or 12 months, priced by grade: A 12 %, B 18 %, C 21 % (IRR at most 23.14 %). */
export const installmentProduct: ProductDefinition = {
  code: 'test-installment',
  name: { zh: '分期购', en: 'Installments' },
  method: 'equal_installment',
  termsOffered: [3, 6, 12],
  prices: [
    { grade: 'A', kind: 'annual_rate', rate: '0.1200' },
    { grade: 'B', kind: 'annual_rate', rate: '0.1800' },
    { grade: 'C', kind: 'annual_rate', rate: '0.2100' },
  ],
  graceDays: 3,
  prepayment: { allowed: true, feeRate: '0.01', minTermsPaid: 1 },
  amountMinMinor: '100000',
  amountMaxMinor: '5000000',
  coolingOffDays: 7,
};

/**
 * 等本等息: equal principal parts and a monthly fee on the original principal — A 0.50 %, B 0.60 %,
 * C 0.70 % a month — over 3 to 12 months, every installment the same (the remainder on the fee).
 */
export const flatFeeProduct: ProductDefinition = {
  code: 'test-flat-fee',
  name: { zh: '等本等息分期', en: 'Flat-fee installments' },
  method: 'flat_fee',
  termsOffered: [3, 6, 12],
  prices: [
    { grade: 'A', kind: 'period_fee_rate', rate: '0.0050' },
    { grade: 'B', kind: 'period_fee_rate', rate: '0.0060' },
    { grade: 'C', kind: 'period_fee_rate', rate: '0.0070' },
  ],
  remainder: 'last_interest',
  amountMinMinor: '60000',
  amountMaxMinor: '5000000',
  coolingOffDays: 7,
};

/** 0 % for every grade over 3, 6 or 12 months; the merchant funds it by 贴息 of 2 %, 3.5 % or 6 %. */
export const promotionProduct: ProductDefinition = {
  code: 'test-zero-interest',
  name: { zh: '免息分期', en: 'Interest-free installments' },
  method: 'equal_installment',
  termsOffered: [3, 6, 12],
  prices: [
    { grade: 'A', kind: 'annual_rate', rate: '0' },
    { grade: 'B', kind: 'annual_rate', rate: '0' },
    { grade: 'C', kind: 'annual_rate', rate: '0' },
  ],
  merchantDiscount: { '3': '0.0200', '6': '0.0350', '12': '0.0600' },
  prepayment: { allowed: true },
  amountMinMinor: '30000',
  amountMaxMinor: '3000000',
  coolingOffDays: 7,
};

/**
 * 随借随还: a revolving cash line, interest on the outstanding balance by the day (ACT/365):
 * A 0.04 %, B 0.05 % a day; principal repaid in equal parts over 1 to 12 months, any time earlier.
 */
export const revolvingDailyProduct: ProductDefinition = {
  code: 'test-cash-daily',
  name: { zh: '随借随还', en: 'Revolving cash, daily interest' },
  method: 'daily',
  termsOffered: [1, 3, 6, 12],
  prices: [
    { grade: 'A', kind: 'annual_rate', rate: '0.1460' },
    { grade: 'B', kind: 'annual_rate', rate: '0.1825' },
  ],
  dayCount: 'ACT_365',
  amountMinMinor: '10000',
  amountMaxMinor: '2000000',
  revolving: true,
  postingBasis: 'accrual',
};

/** The PBOC 2021 No. 3 worked example (12.80 % / 13.58 %), core's test product under a code of its own. */
export const pbocExampleProduct: ProductDefinition = withCode(pbocDefinition, 'test-pboc-example');

export function withCode(definition: ProductDefinition, code: string): ProductDefinition {
  return { ...definition, code };
}
