import { beforeAll, describe, expect, it } from 'vitest';
import { wholeSchema } from '../../src/modules/database.ts';
import { rule, useSim } from '../channel-sim/support.ts';
import { type Borrower, borrowerCall, borrowerWithLine, withBoundCard } from '../loans/support.ts';
import { servicing } from '../servicing/support.ts';
import {
  type Bill,
  borrowerGet,
  browserSession,
  disbursedLoan,
  type Servicing,
  textOf,
  useServicingH5,
  yuan,
} from './servicing-support.ts';
import {
  expectNoConsoleErrors,
  expectNoHorizontalScroll,
  type H5Page,
  screenshot,
  signInWithTokens,
} from './support.ts';

// A debit the bank refuses, on a phone: the borrower's card has no money (the channel simulator
// fails its collections with BF00311, 余额不足), so repaying the current bill shows 扣款失败：余额不足
// with a way to pay again, in English too (a payoff: "The debit failed: insufficient balance"),
// and the loan is exactly as it was — servicing's figures, the bill, the receipts. Once the card
// has money, paying again from the same page collects it under a new order.

const sim = useSim();
const h5 = useServicingH5(sim, '2026-01-15');
let payer: Borrower & { agreementId: string };
let loanId: string;
let tail: string;

beforeAll(async () => {
  const who = await borrowerWithLine(h5.world, h5.database.db);
  payer = await withBoundCard(h5.world, h5.database, sim, who);
  loanId = await disbursedLoan(h5, payer, 300_000n, 3);
  const cards = await borrowerGet<{ id: string; cardNumberMasked: string }[]>(
    h5,
    payer,
    `/api/v1/borrower/customers/${payer.customerId}/cards`,
  );
  tail = cards.find((card) => card.id === payer.cardId)?.cardNumberMasked.slice(-4) ?? '';
  expect(tail).toMatch(/^\d{4}$/);
}, 240_000);

/** The card is empty: every collection from it fails as a bank answers an uncovered debit. */
const emptyCard = () =>
  sim.client.setRules([rule({ kind: 'COLLECT', cardNoSuffix: tail }, { fail: 'BF00311' })]);

async function signedIn(path: string, locale: 'zh-CN' | 'en' = 'zh-CN'): Promise<H5Page> {
  const tab = await h5.open({ locale });
  await signInWithTokens(tab, await browserSession(h5, payer));
  if (locale === 'en') await tab.page.evaluate(`window.localStorage.setItem('fenqi.h5.lang', 'en')`);
  await tab.page.goto(tab.url(path));
  return tab;
}

/** The payment requests the page sends, with their Idempotency-Key and answer. */
function paymentRequests(tab: H5Page) {
  const sent: { path: string; key: string | null; status: number; orderNo: string }[] = [];
  tab.page.on('response', async (response) => {
    const request = response.request();
    if (request.method() !== 'POST' || !request.url().includes(`/api/v1/borrower/loans/${loanId}/`)) return;
    const body = (await response.json().catch(() => ({}))) as { paymentOrderNo?: string };
    sent.push({
      path: new URL(request.url()).pathname,
      key: request.headers()['idempotency-key'] ?? null,
      status: response.status(),
      orderNo: body.paymentOrderNo ?? '',
    });
  });
  return sent;
}

async function confirmDialog(tab: H5Page, name: string) {
  const dialog = tab.page.getByRole('dialog');
  await dialog.waitFor();
  await dialog.getByRole('button', { name }).click();
}

/** Everything the borrower and servicing know of the loan, to compare before and after. */
async function loanAsItIs() {
  const read = await borrowerGet<Servicing>(h5, payer, `/api/v1/borrower/loans/${loanId}/servicing`);
  const bill = await borrowerGet<Bill>(h5, payer, '/api/v1/borrower/bill');
  const transactions = await borrowerGet<{ transactions: unknown[] }>(
    h5,
    payer,
    `/api/v1/borrower/loans/${loanId}/transactions`,
  );
  const { account, rows } = await servicing(h5.database.db, loanId);
  const { updated_at: _updated, ...figures } = account;
  return {
    read,
    bill: bill.loans.find((loan) => loan.loanId === loanId),
    transactions: transactions.transactions,
    account: figures,
    rows,
  };
}

describe('H5: a debit the bank refuses', () => {
  it('shows 扣款失败：余额不足 with a retry, changes nothing on the loan, and pays once the card has money', async () => {
    const before = await loanAsItIs();
    const bill = before.read.installments[0]?.outstandingMinor ?? '';
    await emptyCard();
    try {
      const tab = await signedIn(`/loans/${loanId}/repay`);
      const sent = paymentRequests(tab);
      const { page } = tab;
      await page.getByTestId('repay-choice').waitFor();
      expect(await textOf(page, 'current-bill-amount')).toBe(yuan(bill));
      await expect.poll(() => textOf(page, 'card-picker')).toContain('工商银行');
      await page.getByTestId('repay-submit').click();
      await confirmDialog(tab, '确认扣款');

      const failed = page.locator('[data-testid="outcome"][data-phase="failed"]');
      await failed.waitFor({ timeout: 60_000 });
      expect(await failed.getAttribute('data-reason')).toBe('insufficient_balance');
      expect(await textOf(failed, 'outcome-failure')).toBe('扣款失败：余额不足');
      await failed.getByText('未扣除任何款项，借款没有变化').waitFor();
      expect(await failed.textContent()).toContain(yuan(bill));
      expect(sent).toHaveLength(1);
      expect(sent[0]).toMatchObject({ path: `/api/v1/borrower/loans/${loanId}/repayments`, status: 201 });
      expect(await failed.textContent()).toContain(sent[0]?.orderNo);
      await expectNoHorizontalScroll(page);
      await screenshot(page, 'h5-repay-failed');

      // The order failed and the loan is exactly as it was.
      const order = await wholeSchema(h5.database.db)
        .selectFrom('payment_orders')
        .select(['state', 'failure_code'])
        .where('order_no', '=', sent[0]?.orderNo ?? '')
        .executeTakeFirstOrThrow();
      expect(order).toEqual({ state: 'failed', failure_code: 'BF00311' });
      expect(await loanAsItIs()).toEqual(before);

      // 重新还款: the form again; with money on the card the same choice is collected, as a new intent.
      await failed.getByRole('button', { name: '重新还款' }).click();
      await page.getByTestId('repay-choice').waitFor();
      expect(await textOf(page, 'current-bill-amount')).toBe(yuan(bill));
      await sim.client.setRules([]);
      await page.getByTestId('repay-submit').click();
      await confirmDialog(tab, '确认扣款');
      await page.locator('[data-testid="outcome"][data-phase="succeeded"]').waitFor({ timeout: 60_000 });
      expect(await textOf(page.getByTestId('outcome'), 'receipt-amount')).toBe(yuan(bill));
      expect(sent).toHaveLength(2);
      expect(sent[1]?.key).not.toBe(sent[0]?.key);
      expect(sent[1]?.orderNo).not.toBe(sent[0]?.orderNo);
      const after = await borrowerGet<Servicing>(h5, payer, `/api/v1/borrower/loans/${loanId}/servicing`);
      expect(after.installments[0]).toMatchObject({ status: 'paid', outstandingMinor: '0' });
      expectNoConsoleErrors(tab);
    } finally {
      await sim.client.setRules([]);
    }
  });

  it('says so in English for a payoff, and the loan stays open with the same quote', async () => {
    const before = await loanAsItIs();
    const quote = await borrowerGet<{ totalMinor: string }>(
      h5,
      payer,
      `/api/v1/borrower/loans/${loanId}/payoff-quote`,
    );
    await emptyCard();
    try {
      const tab = await signedIn(`/loans/${loanId}/payoff`, 'en');
      const { page } = tab;
      await page.getByTestId('payoff-quote').waitFor();
      await page.getByTestId('payoff-submit').click();
      await confirmDialog(tab, 'Debit my card');
      const failed = page.locator('[data-testid="outcome"][data-phase="failed"]');
      await failed.waitFor({ timeout: 60_000 });
      expect(await textOf(failed, 'outcome-failure')).toBe('The debit failed: insufficient balance');
      await failed.getByText('Nothing was taken and your loan is unchanged').waitFor();
      expect(await failed.textContent()).toContain(yuan(quote.totalMinor));
      await expectNoHorizontalScroll(page);
      await failed.getByRole('button', { name: 'Pay again' }).waitFor();

      expect(await loanAsItIs()).toEqual(before);
      expect(before.read.account.status).toBe('active');
      const again = await borrowerCall(
        h5.world,
        payer,
        'GET',
        `/api/v1/borrower/loans/${loanId}/payoff-quote`,
      );
      expect(again.json).toMatchObject({ totalMinor: quote.totalMinor });
      expectNoConsoleErrors(tab);
    } finally {
      await sim.client.setRules([]);
    }
  });
});
