import { beforeAll, describe, expect, it } from 'vitest';
import { rule, useSim } from '../channel-sim/support.ts';
import { type Borrower, borrowerWithLine, loanInState, withBoundCard } from '../loans/support.ts';
import { expectLedgerMatchesServicing, loanLedger } from '../servicing/support.ts';
import {
  type Bill,
  borrowerGet,
  browserSession,
  confirmDialog,
  disbursedLoan,
  expectScheduleShown,
  paid,
  type Servicing,
  textOf,
  useServicingH5,
  yuan,
} from './servicing-support.ts';
import { expectNoConsoleErrors, expectNoHorizontalScroll, type H5Page, signInWithTokens } from './support.ts';

// Paying a loan from the borrower H5, on a phone, through the channel simulator (its own process):
// a borrower with a bound card and a 12-month loan of 12,000.00 made on 2026-01-15 repays the first
// installment and sees it paid, sees a prepayment's effect before confirming it (exactly the
// prepayment-quote's) and prepays, then pays the loan off at today's quote and sees it paid off.
// After each payment the ledger agrees with servicing and with the bill to the fen. Every payment
// is collected asynchronously: the page shows it pending and follows it until it is applied.

const sim = useSim();
const h5 = useServicingH5(sim, '2026-01-15');
let payer: Borrower & { agreementId: string };
let loanId: string;

beforeAll(async () => {
  const who = await borrowerWithLine(h5.world, h5.database.db);
  payer = await withBoundCard(h5.world, h5.database, sim, who);
  loanId = await disbursedLoan(h5, payer, 1_200_000n, 12);
}, 240_000);

async function signedIn(path: string): Promise<H5Page> {
  const tab = await h5.open();
  await signInWithTokens(tab, await browserSession(h5, payer));
  await tab.page.goto(tab.url(path));
  return tab;
}

/** Collects the payment requests the page sends, with their Idempotency-Key and answer. */
function paymentRequests(tab: H5Page) {
  const sent: { path: string; key: string | null; status: number; body: Record<string, unknown> }[] = [];
  tab.page.on('response', async (response) => {
    const request = response.request();
    if (request.method() !== 'POST' || !request.url().includes(`/api/v1/borrower/loans/${loanId}/`)) return;
    sent.push({
      path: new URL(request.url()).pathname,
      key: request.headers()['idempotency-key'] ?? null,
      status: response.status(),
      body: (await response.json().catch(() => ({}))) as Record<string, unknown>,
    });
  });
  return sent;
}

/** The loan's ledger balances equal servicing's figures and the bill's, to the fen. */
async function expectLedgerAgreesWithBill() {
  await expectLedgerMatchesServicing(h5.database.db, loanId);
  const ledger = await loanLedger(h5.database.db, loanId);
  const servicing = await borrowerGet<Servicing>(h5, payer, `/api/v1/borrower/loans/${loanId}/servicing`);
  const bill = await borrowerGet<Bill>(h5, payer, '/api/v1/borrower/bill');
  const entry = bill.loans.find((loan) => loan.loanId === loanId);
  const balance = (code: string) => (ledger[code] ?? 0n).toString();
  expect(balance('1301')).toBe(servicing.totals.principalOutstandingMinor);
  expect(balance('1132')).toBe(servicing.totals.interestReceivableMinor);
  expect(balance('1133')).toBe(servicing.totals.feeReceivableMinor);
  expect(balance('1134')).toBe(servicing.totals.penaltyOutstandingMinor);
  expect(balance('2241')).toBe(servicing.account.creditBalanceMinor);
  if (servicing.account.status === 'paid_off') {
    expect(entry).toBeUndefined();
  } else {
    expect(entry?.payoffToday.principalMinor).toBe(balance('1301'));
    expect(entry?.totalOutstandingMinor).toBe(servicing.totals.remainingMinor);
    expect(entry?.creditBalanceMinor).toBe(balance('2241'));
  }
  return servicing;
}

describe('H5 repayments', () => {
  it('repays the first installment from the bound card and shows it paid', async () => {
    const before = await borrowerGet<Servicing>(h5, payer, `/api/v1/borrower/loans/${loanId}/servicing`);
    const first = before.installments[0];
    expect(first?.status).toBe('future');
    const tab = await signedIn(`/loans/${loanId}/repay`);
    const sent = paymentRequests(tab);
    const { page } = tab;
    await page.getByTestId('repay-choice').waitFor();
    // The current bill on the first day: installment 1 in full, no penalty.
    expect(await textOf(page, 'current-bill-amount')).toBe(yuan(first?.outstandingMinor ?? ''));
    await expect.poll(() => textOf(page, 'card-picker')).toContain('工商银行');
    await expectNoHorizontalScroll(page);
    await page.getByTestId('repay-submit').click();
    await confirmDialog(tab, '确认扣款');
    const outcome = page.getByTestId('outcome');
    await paid(tab);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      path: `/api/v1/borrower/loans/${loanId}/repayments`,
      status: 201,
      body: { amountMinor: first?.outstandingMinor, purpose: 'repayment', agreementId: payer.agreementId },
    });
    expect(sent[0]?.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(await textOf(outcome, 'receipt-amount')).toBe(yuan(first?.outstandingMinor ?? ''));
    expect(await textOf(outcome, 'allocation-principalMinor')).toBe(yuan(first?.principal.dueMinor ?? ''));
    expect(await textOf(outcome, 'allocation-interestMinor')).toBe(yuan(first?.interest.dueMinor ?? ''));
    await expectNoHorizontalScroll(page);

    const after = await expectLedgerAgreesWithBill();
    expect(after.installments[0]).toMatchObject({ status: 'paid', outstandingMinor: '0' });
    await page.getByRole('button', { name: '查看账单详情' }).click();
    await page.waitForURL(`**/h5/loans/${loanId}`);
    await page.locator('[data-testid="installment"][data-number="1"][data-status="paid"]').waitFor();
    await expectScheduleShown(page, after);
    expectNoConsoleErrors(tab);
  });

  it('shows a prepayment’s effect before confirming, exactly the prepayment-quote’s, and prepays it', async () => {
    const tab = await signedIn(`/loans/${loanId}/prepay`);
    const sent = paymentRequests(tab);
    const { page } = tab;
    await page.getByTestId('prepay-form').waitFor();
    await page.getByTestId('prepay-amount').locator('input').fill('2000.00');
    // Nothing can be confirmed before the effect is shown.
    expect(await page.getByTestId('prepay-submit').count()).toBe(0);

    const shownEffect = async (mode: 'reduce_term' | 'reduce_payment') => {
      await page.getByTestId(mode === 'reduce_term' ? 'mode-reduce-term' : 'mode-reduce-payment').click();
      expect(await page.getByTestId('prepay-effect').count()).toBe(0);
      await page.getByTestId('prepay-preview').click();
      const effect = page.locator(`[data-testid="prepay-effect"][data-mode="${mode}"]`);
      await effect.waitFor();
      const quote = await borrowerGet<{
        totalMinor: string;
        principalMinor: string;
        prepaymentFeeMinor: string;
        currentInstallment: { number: number };
        installments: {
          number: number;
          dueDate: string;
          totalMinor: string;
          principalMinor: string;
          interestMinor: string;
        }[];
      }>(h5, payer, `/api/v1/borrower/loans/${loanId}/prepayment-quote?principalMinor=200000&mode=${mode}`);
      expect(await textOf(effect, 'prepay-total')).toBe(yuan(quote.totalMinor));
      expect(await textOf(effect, 'prepay-principal')).toBe(yuan(quote.principalMinor));
      expect(await textOf(effect, 'prepay-fee')).toBe(yuan(quote.prepaymentFeeMinor));
      const later = quote.installments.filter((row) => row.number > quote.currentInstallment.number);
      const rows = effect.getByTestId('prepay-installment');
      await expect.poll(() => rows.count()).toBe(later.length);
      for (const [index, row] of later.entries()) {
        const shown = rows.nth(index);
        expect({
          number: Number(await shown.getAttribute('data-number')),
          total: await textOf(shown, 'prepay-installment-total'),
          principal: await textOf(shown, 'prepay-installment-principal'),
          interest: await textOf(shown, 'prepay-installment-interest'),
        }).toEqual({
          number: row.number,
          total: yuan(row.totalMinor),
          principal: yuan(row.principalMinor).slice(1),
          interest: yuan(row.interestMinor).slice(1),
        });
      }
      expect(await page.getByTestId('prepay-submit').textContent()).toContain(
        yuan(quote.totalMinor).slice(1),
      );
      await expectNoHorizontalScroll(page);
      return quote;
    };

    const shorter = await shownEffect('reduce_term');
    const lower = await shownEffect('reduce_payment');
    // 缩短期限 drops installments; 减少月供 keeps them with a smaller payment.
    expect(shorter.installments.length).toBeLessThan(lower.installments.length);
    const chosen = await shownEffect('reduce_term');

    await page.getByTestId('prepay-submit').click();
    await confirmDialog(tab, '确认扣款');
    await paid(tab);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      path: `/api/v1/borrower/loans/${loanId}/prepayments`,
      status: 201,
      body: { amountMinor: chosen.totalMinor, principalMinor: '200000', purpose: 'prepayment' },
    });
    const after = await expectLedgerAgreesWithBill();
    // The schedule now is the one the quote showed.
    expect(
      after.installments.map((row) => ({
        number: row.number,
        dueDate: row.dueDate,
        principal: row.principal.dueMinor,
      })),
    ).toEqual(
      chosen.installments.map((row) => ({
        number: row.number,
        dueDate: row.dueDate,
        principal: row.principalMinor,
      })),
    );
    expectNoConsoleErrors(tab);
  });

  it('pays the loan off with exactly today’s quote and shows it paid off', async () => {
    const tab = await signedIn(`/loans/${loanId}/payoff`);
    const sent = paymentRequests(tab);
    const { page } = tab;
    const shown = page.getByTestId('payoff-quote');
    await shown.waitFor();
    const quote = await borrowerGet<Record<string, string>>(
      h5,
      payer,
      `/api/v1/borrower/loans/${loanId}/payoff-quote`,
    );
    expect(quote.quoteDate).toBe('2026-01-15');
    expect({
      total: await textOf(shown, 'payoff-total'),
      principal: await textOf(shown, 'payoff-principal'),
      interest: await textOf(shown, 'payoff-interest'),
      fee: await textOf(shown, 'payoff-fee'),
      penalty: await textOf(shown, 'payoff-penalty'),
      prepaymentFee: await textOf(shown, 'payoff-prepayment-fee'),
    }).toEqual({
      total: yuan(quote.totalMinor ?? ''),
      principal: yuan(quote.principalMinor ?? ''),
      interest: yuan(quote.interestMinor ?? ''),
      fee: yuan(quote.feeMinor ?? ''),
      penalty: yuan(quote.penaltyMinor ?? ''),
      prepaymentFee: yuan(quote.prepaymentFeeMinor ?? ''),
    });
    expect(await textOf(shown, 'payoff-quote-date')).toContain('2026-01-15');
    await expectNoHorizontalScroll(page);
    await page.getByTestId('payoff-submit').click();
    await confirmDialog(tab, '确认扣款');
    await paid(tab);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      path: `/api/v1/borrower/loans/${loanId}/payoff`,
      status: 201,
      body: { amountMinor: quote.totalMinor, purpose: 'payoff' },
    });
    await loanInState(h5.world, loanId, 'paid_off');
    await page.getByText('借款已结清').waitFor();
    await page
      .locator('[data-testid="payoff-state"] [data-testid="loan-state"]', { hasText: '已结清' })
      .waitFor();
    const after = await expectLedgerAgreesWithBill();
    expect(after.account.status).toBe('paid_off');
    expect(after.totals.principalOutstandingMinor).toBe('0');
    await expectNoHorizontalScroll(page);
    expectNoConsoleErrors(tab);
  });

  it('lists the receipts: each payment’s amount, allocation and date', async () => {
    const listed = await borrowerGet<{
      transactions: {
        id: string;
        kind: string;
        amountMinor: string;
        principalMinor: string;
        businessDate: string;
      }[];
    }>(h5, payer, `/api/v1/borrower/loans/${loanId}/transactions`);
    expect(listed.transactions.map((transaction) => transaction.kind)).toEqual([
      'payoff',
      'prepayment',
      'repayment',
    ]);
    const tab = await signedIn(`/loans/${loanId}/receipts`);
    const { page } = tab;
    const receipts = page.getByTestId('receipt');
    await expect.poll(() => receipts.count()).toBe(3);
    for (const [index, transaction] of listed.transactions.entries()) {
      const receipt = receipts.nth(index);
      expect(await receipt.getAttribute('data-id')).toBe(transaction.id);
      expect(await textOf(receipt, 'receipt-amount')).toBe(yuan(transaction.amountMinor));
      expect(await textOf(receipt, 'allocation-principalMinor')).toBe(yuan(transaction.principalMinor));
      expect(await textOf(receipt, 'receipt-date')).toContain(transaction.businessDate);
    }
    await expectNoHorizontalScroll(page);
    expectNoConsoleErrors(tab);
  });
});

describe('H5 repayments: the channel’s pace, and cash to the card', () => {
  it('shows a repayment pending while the channel processes it, then paid once it confirms', async () => {
    const other = await disbursedLoan(h5, payer, 300_000n, 3);
    await sim.client.setRules([rule({ kind: 'COLLECT', amountFen: 12_345 }, { stayProcessing: true })]);
    try {
      const tab = await signedIn(`/loans/${other}/repay`);
      const { page } = tab;
      await page.getByTestId('repay-choice').waitFor();
      await page.getByTestId('option-amount').click();
      await page.getByTestId('amount-input').locator('input').fill('123.45');
      await page.getByTestId('repay-submit').click();
      await confirmDialog(tab, '确认扣款');
      const pending = page.locator('[data-testid="outcome"][data-phase="pending"]');
      await pending.waitFor();
      expect(await textOf(pending, 'outcome-amount')).toBe('¥123.45');
      await page.getByText('扣款处理中').waitFor();
      await expectNoHorizontalScroll(page);
      const orderNo = ((await pending.textContent()) ?? '').match(/FQ[0-9A-Z]+/)?.[0] ?? '';
      expect(orderNo).not.toBe('');
      // Nothing is applied while the channel has not answered.
      expect(
        (
          await borrowerGet<{ transactions: unknown[] }>(
            h5,
            payer,
            `/api/v1/borrower/loans/${other}/transactions`,
          )
        ).transactions,
      ).toEqual([]);
      const finished = await sim.client.admin('POST', `/admin/orders/${orderNo}/finish`, {
        status: 'SUCCEEDED',
      });
      expect(finished.status, finished.text).toBe(200);
      await paid(tab);
      expect(await textOf(page.getByTestId('outcome'), 'receipt-amount')).toBe('¥123.45');
      await expectLedgerMatchesServicing(h5.database.db, other);
      expectNoConsoleErrors(tab);
    } finally {
      await sim.client.setRules([]);
    }
  });

  it('draws cash from the revolving line to the bound card: the quote first, then the payout followed', async () => {
    const tab = await signedIn('/');
    const { page } = tab;
    await page.getByTestId('to-drawdown').click();
    await page.waitForURL('**/h5/drawdown');
    await page.getByTestId('drawdown-form').waitFor();
    await page.getByTestId('drawdown-amount').locator('input').fill('1000');
    await page.getByTestId('term-3').click();
    expect(await page.getByTestId('drawdown-submit').count()).toBe(0);
    await page.getByTestId('drawdown-preview').click();
    const shown = page.getByTestId('drawdown-quote');
    await shown.waitFor();
    const quote = await borrowerGet<{
      disbursedMinor: string;
      apr: { irrPercent: string; simplePercent: string };
    }>(h5, payer, '/api/v1/borrower/drawdowns/quote?productCode=cash-line&amountMinor=100000&termCount=3');
    expect(await textOf(shown, 'drawdown-disbursed')).toBe(yuan(quote.disbursedMinor));
    expect(await textOf(shown, 'drawdown-apr-irr')).toBe(`${quote.apr.irrPercent.replace(/%$/, '')}%`);
    expect(await textOf(shown, 'drawdown-apr-simple')).toBe(`${quote.apr.simplePercent.replace(/%$/, '')}%`);
    await expectNoHorizontalScroll(page);
    await page.getByTestId('drawdown-submit').click();
    await confirmDialog(tab, '确认借款');
    await page.locator('[data-testid="drawdown-outcome"][data-state="active"]').waitFor({ timeout: 60_000 });
    await page.getByText('放款成功').waitFor();
    const loans = await borrowerGet<{ id: string; kind: string; state: string; principalMinor: string }[]>(
      h5,
      payer,
      '/api/v1/borrower/loans',
    );
    expect(loans.filter((loan) => loan.kind === 'cash_drawdown')).toMatchObject([
      { state: 'active', principalMinor: '100000' },
    ]);
    await expectNoHorizontalScroll(page);
    expectNoConsoleErrors(tab);
  });
});
