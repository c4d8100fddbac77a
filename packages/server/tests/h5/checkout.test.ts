import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useSim } from '../channel-sim/support.ts';
import {
  type Borrower,
  borrowerCall,
  borrowerWithLine,
  createOrder,
  loanInState,
  merchantWithWebhooks,
  originationCounts,
} from '../loans/support.ts';
import type { OnboardedMerchant } from '../merchants/support.ts';
import {
  expectNoConsoleErrors,
  expectNoHorizontalScroll,
  type H5Page,
  screenshot,
  settled,
  signInWithTokens,
  useH5,
} from './support.ts';

// Checkout from a merchant's order link on a phone: a borrower with a 50,000.00 line (grade A,
// 14.40 %) opens /h5/checkout/<token> of an order made through the merchant API, sees every term
// the product offers with exactly the quote endpoint's schedule, both annualized rates and total
// cost, reads the contract's terms, accepts 12 months and sees the payout to the merchant done.
// An order over the line is refused on the page and makes no loan.

const sim = useSim();
const h5 = useH5({ sim });
let who: Borrower;
let merchant: OnboardedMerchant;

beforeAll(async () => {
  who = await borrowerWithLine(h5.world, h5.database.db);
  merchant = await merchantWithWebhooks(h5.world);
}, 240_000);

type Quote = {
  termCount: number;
  principalMinor: string;
  apr: { simplePercent: string; irrPercent: string };
  totals: { interestMinor: string; feeMinor: string; totalMinor: string };
  totalCostMinor: string;
  installments: {
    number: number;
    dueDate: string;
    principalMinor: string;
    interestMinor: string;
    feeMinor: string;
    totalMinor: string;
  }[];
};

/** Minor units as the H5 writes them: "12,000.00". */
function yuan(minor: string | bigint): string {
  const value = BigInt(minor);
  const units = (value / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${units}.${(value % 100n).toString().padStart(2, '0')}`;
}

async function openCheckout(checkoutUrl: string): Promise<H5Page> {
  const tab = await h5.open();
  await signInWithTokens(tab, who.borrower);
  // The link the merchant sends the shopper: CHECKOUT_BASE_URL (/h5/checkout) and the token.
  await tab.page.goto(tab.url(new URL(checkoutUrl).pathname.replace(/^\/h5/, '')));
  return tab;
}

const text = async (page: Page, testId: string) => (await page.getByTestId(testId).textContent())?.trim();

describe('H5 checkout', () => {
  it('shows each term with the quote’s schedule and both rates, accepts 12 months and follows the payout', async () => {
    const made = await createOrder(h5.world, merchant, 1_200_000n);
    expect(made.checkoutUrl).toBe(`${h5.server.baseUrl}/h5/checkout/${made.checkoutToken}`);
    const quotes = new Map<number, Quote>();
    for (const term of [3, 6, 12]) {
      const answer = await borrowerCall(
        h5.world,
        who,
        'GET',
        `/api/v1/borrower/checkout/${made.checkoutToken}/quote?termCount=${term}`,
      );
      expect(answer.status, answer.text).toBe(200);
      quotes.set(term, answer.json as Quote);
    }
    const tab = await openCheckout(made.checkoutUrl);
    const { page } = tab;
    await page.getByTestId('quote').waitFor();
    expect(await text(page, 'order-amount')).toBe('¥12,000.00');

    // Every term with its first installment, from the quote endpoint.
    for (const [term, quote] of quotes) {
      const option = page.getByRole('option').filter({ has: page.getByTestId(`term-${term}`) });
      expect(await text(page, `term-${term}`)).toBe(`${term} 期`);
      await settled(() => option.textContent()).toContain(
        `每期 ¥${yuan(quote.installments[0]?.totalMinor ?? '0')}`,
      );
      // The 3- and 6-month quotes are shown when chosen, as the 12-month one is.
      if (term !== 12) {
        await option.click();
        await settled(() => text(page, 'total-cost')).toBe(yuan(quote.totalCostMinor));
        expect(await text(page, 'apr-irr')).toBe(quote.apr.irrPercent);
      }
    }
    await page.getByTestId('term-12').click();
    const twelve = quotes.get(12) as Quote;
    await settled(() => text(page, 'apr-simple')).toBe(twelve.apr.simplePercent);
    expect(await text(page, 'apr-irr')).toBe(twelve.apr.irrPercent);
    expect(await text(page, 'principal')).toBe(yuan(twelve.principalMinor));
    expect(await text(page, 'interest')).toBe(yuan(twelve.totals.interestMinor));
    expect(await text(page, 'fee')).toBe(yuan(twelve.totals.feeMinor));
    expect(await text(page, 'total-cost')).toBe(yuan(twelve.totalCostMinor));
    expect(await text(page, 'total')).toBe(yuan(twelve.totals.totalMinor));
    expect(await text(page, 'price')).toBe('年利率 14.40%');
    const rows = await page.getByTestId('schedule').locator('tbody tr').allTextContents();
    expect(rows).toEqual(
      twelve.installments.map(
        (i) =>
          `${i.number}${i.dueDate}${yuan(i.principalMinor)}${yuan(BigInt(i.interestMinor) + BigInt(i.feeMinor))}${yuan(i.totalMinor)}`,
      ),
    );
    // The contract's terms are there to read before accepting, with these figures.
    const contract = (await text(page, 'contract-text')) ?? '';
    expect(contract).toContain('《借款合同》（第 1 版）');
    expect(contract).toContain(`年化利率（IRR）${twelve.apr.irrPercent}`);
    expect(contract).toContain(`总成本 ¥${yuan(twelve.totalCostMinor)}`);
    await expectNoHorizontalScroll(page);
    await screenshot(page, 'h5-checkout');
    // The full text too, before accepting: the API's preview of this term, marked as not in force.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('contract-preview').click(),
    ]);
    expect(download.suggestedFilename()).toBe('contract-preview-12.pdf');
    const previewText = execFileSync('pdftotext', ['-layout', await download.path(), '-'], {
      encoding: 'utf8',
    }).replace(/\s+/g, '');
    expect(previewText).toContain('【预览·未生效PREVIEW】');
    for (const installment of twelve.installments) expect(previewText).toContain(installment.dueDate);

    // Accepting needs the contract ticked as read.
    expect(await page.getByTestId('accept').isDisabled()).toBe(true);
    await page.getByTestId('contract-read').click();
    await page.getByTestId('accept').click();
    await page.waitForURL(/\/h5\/checkout\/[^/]+\/loans\/[0-9a-f-]+$/);
    const loanId = new URL(page.url()).pathname.split('/').at(-1) ?? '';
    await page.getByTestId('disbursement-done').waitFor({ timeout: 60_000 });
    const loan = await loanInState(h5.world, loanId, 'active');
    expect(loan).toMatchObject({ principalMinor: '1200000' });
    expect(loan.installments.map((i) => i.totalMinor)).toEqual(twelve.installments.map((i) => i.totalMinor));
    expect(await text(page, 'loan-principal')).toBe('¥12,000.00');
    await expectNoHorizontalScroll(page);
    expectNoConsoleErrors(tab);
  });

  it('refuses an order over the available line on the page, and makes no loan', async () => {
    const lines = (await borrowerCall(h5.world, who, 'GET', '/api/v1/borrower/credit-lines')).json as {
      availableMinor: string;
    }[];
    const available = lines[0]?.availableMinor ?? '0';
    const made = await createOrder(h5.world, merchant, BigInt(available) + 100_000n);
    const before = await originationCounts(h5.database.db);
    const tab = await openCheckout(made.checkoutUrl);
    const { page } = tab;
    await settled(() => text(page, 'over-line')).toBe(
      `订单金额 ¥${yuan(BigInt(available) + 100_000n)} 超过了您的可用额度 ¥${yuan(available)}，无法使用分期支付。请选择其他支付方式或减少订单金额。`,
    );
    await page.getByTestId('quote').waitFor();
    await page.getByTestId('contract-read').click();
    expect(await page.getByTestId('accept').isDisabled()).toBe(true);
    // The server refuses it too, and nothing of an origination is written.
    const refused = await borrowerCall(
      h5.world,
      who,
      'POST',
      `/api/v1/borrower/checkout/${made.checkoutToken}/accept`,
      {
        termCount: 12,
      },
    );
    expect(refused.json).toMatchObject({ status: 422, code: 'credit_insufficient_available' });
    expect(await originationCounts(h5.database.db)).toEqual(before);
    await expectNoHorizontalScroll(page);
    expectNoConsoleErrors(tab);
  });
});
