import { parseProduct } from './parse-product.ts';
import type { Product, ProductDefinition } from './product.ts';

// Shared by the product tests: example definitions and a parse that must succeed.

/** Equal installments, three grades, 3/6/12 months, 1,000.00 to 50,000.00 CNY. */
export const installmentDefinition: ProductDefinition = {
  code: 'pos-installment',
  name: { zh: '分期购', en: 'Installments' },
  method: 'equal_installment',
  termsOffered: [12, 3, 6],
  prices: [
    { grade: 'A', kind: 'annual_rate', rate: '0.1200' },
    { grade: 'B', kind: 'annual_rate', rate: '0.1800' },
    { grade: 'C', kind: 'annual_rate', rate: '0.2100' },
  ],
  amountMinMinor: '100000',
  amountMaxMinor: '5000000',
};

/** The PBOC 2021 No. 3 worked example as a product: 等本等息 0.5 % a month, 1 % up front, deducted. */
export const pbocDefinition: ProductDefinition = {
  code: 'pboc-example',
  name: { zh: '年化利率示例', en: 'Annualized rate example' },
  method: 'flat_fee',
  termsOffered: [12],
  prices: [{ grade: 'A', kind: 'period_fee_rate', rate: '0.005' }],
  remainder: 'last_interest',
  upfrontFee: { kind: 'rate', rate: '0.01' },
  amountMinMinor: '1000000',
  amountMaxMinor: '10000000',
};

export function mustParse(definition: unknown): Product {
  const result = parseProduct(definition);
  if (!result.ok) throw new Error(`unexpected issues: ${JSON.stringify(result.issues)}`);
  return result.value;
}

/** The issues of a document as `code@path`, in order. */
export function issueKeys(definition: unknown): string[] {
  const result = parseProduct(definition);
  return result.ok ? [] : result.issues.map((found) => `${found.code}@${found.path}`);
}
