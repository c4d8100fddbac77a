import { readFileSync } from 'node:fs';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import type { Policy } from './policy.ts';
import { policyPricingIssues } from './pricing.ts';
import { patched, smallPolicy } from './test-policy.ts';
import { validatePolicy } from './validate-policy.ts';

function policyOf(document: unknown): Policy {
  const result = validatePolicy(document);
  if (!result.ok) throw new Error(`invalid test policy: ${JSON.stringify(result.issues)}`);
  return result.value;
}

const priced = (rateA: string, rateB: string) =>
  policyOf(patched(smallPolicy, { '/offers/0/price/rate': rateA, '/offers/1/price/rate': rateB }));

describe('policyPricingIssues', () => {
  it('finds nothing when every grade at every term is within the 24 % IRR cap', () => {
    expect(policyPricingIssues(priced('0.2160', '0.0075'), { terms: [1, 3, 6, 12, 24, 36] })).toEqual([]);
  });

  it('names every (grade, term) above the cap, with its IRR, at the grade’s rate', () => {
    // 22 % nominal in equal monthly installments is (1 + 0.22 / 12)^12 − 1 = 24.36 % at any term; a
    // flat monthly fee of 1.10 % costs more the longer the loan runs on the original principal, so
    // 3 months stay under the cap and 12 and 36 do not.
    expect(policyPricingIssues(priced('0.2200', '0.0110'), { terms: [3, 12, 36] })).toEqual([
      {
        code: 'apr_above_cap',
        path: '/offers/0/price/rate',
        message: 'grade A at 3 months (annual_rate 0.2200) has an IRR of 24.36 %, above the cap of 24.00 %',
      },
      {
        code: 'apr_above_cap',
        path: '/offers/0/price/rate',
        message: 'grade A at 12 months (annual_rate 0.2200) has an IRR of 24.36 %, above the cap of 24.00 %',
      },
      {
        code: 'apr_above_cap',
        path: '/offers/0/price/rate',
        message: 'grade A at 36 months (annual_rate 0.2200) has an IRR of 24.36 %, above the cap of 24.00 %',
      },
      {
        code: 'apr_above_cap',
        path: '/offers/1/price/rate',
        message:
          'grade B at 12 months (period_fee_rate 0.0110) has an IRR of 26.24 %, above the cap of 24.00 %',
      },
      {
        code: 'apr_above_cap',
        path: '/offers/1/price/rate',
        message:
          'grade B at 36 months (period_fee_rate 0.0110) has an IRR of 25.75 %, above the cap of 24.00 %',
      },
    ]);
  });

  it('takes another cap', () => {
    const policy = priced('0.2200', '0.0110');
    expect(policyPricingIssues(policy, { terms: [12], cap: new Decimal('0.36') })).toEqual([]);
    expect(
      policyPricingIssues(policy, { terms: [12], cap: new Decimal('0.10') }).map((found) => found.path),
    ).toEqual(['/offers/0/price/rate', '/offers/1/price/rate']);
  });

  it('refuses a term that is not 1 to 600 months, checking nothing else', () => {
    expect(policyPricingIssues(priced('0.5000', '0.0075'), { terms: [12, 0, 601, 1.5] })).toEqual([
      {
        code: 'term_count_invalid',
        path: 'terms[1]',
        message: 'a term must be an integer from 1 to 600 months',
      },
      {
        code: 'term_count_invalid',
        path: 'terms[2]',
        message: 'a term must be an integer from 1 to 600 months',
      },
      {
        code: 'term_count_invalid',
        path: 'terms[3]',
        message: 'a term must be an integer from 1 to 600 months',
      },
    ]);
  });

  it('passes the example policy for 3 to 36 months', () => {
    const example = policyOf(
      JSON.parse(
        readFileSync(new URL('../../../../fixtures/risk/policy-example.json', import.meta.url), 'utf8'),
      ),
    );
    expect(policyPricingIssues(example, { terms: [3, 6, 12, 24, 36] })).toEqual([]);
  });
});
