import { beforeAll, describe, expect, it } from 'vitest';
import { useSim } from '../channel-sim/support.ts';
import { type Borrower, borrowerWithLine } from '../loans/support.ts';
import { closeDaysThrough } from '../servicing/support.ts';
import {
  type Bill,
  borrowerGet,
  browserSession,
  disbursedLoan,
  downloadedDigest,
  expectScheduleShown,
  type Servicing,
  textOf,
  useServicingH5,
  yuan,
} from './servicing-support.ts';
import { expectNoConsoleErrors, expectNoHorizontalScroll, screenshot, signInWithTokens } from './support.ts';

// The borrower H5's home, bills and bill detail, on a phone: a borrower with a 12-month loan made
// and disbursed through the API (12,000.00 from 2026-01-15, no card bound, so nothing is
// auto-debited) sees exactly the line, this month's bill, the next due date and the schedule the
// API gives; once the first installment is past its due date and grace days, the overdue amount
// and its penalty. The contract downloads with the digest stored at acceptance.

const sim = useSim();
const h5 = useServicingH5(sim, '2026-01-15');
let who: Borrower;
let loanId: string;

beforeAll(async () => {
  who = await borrowerWithLine(h5.world, h5.database.db);
  loanId = await disbursedLoan(h5, who, 1_200_000n, 12);
}, 240_000);

async function signedIn(path: string, locale?: string) {
  const tab = await h5.open(locale === undefined ? {} : { locale });
  await signInWithTokens(tab, await browserSession(h5, who));
  await tab.page.goto(tab.url(path));
  return tab;
}

type Line = { availableMinor: string; limitMinor: string; status: string };

describe('H5 home and bills', () => {
  it('shows on the home page exactly the line, the bill and the next due date the API gives', async () => {
    const [line] = await borrowerGet<Line[]>(h5, who, '/api/v1/borrower/credit-lines');
    const bill = await borrowerGet<Bill>(h5, who, '/api/v1/borrower/bill');
    expect(line?.status).toBe('active');
    expect(bill.totals.nextDueDate).toBe('2026-02-15');
    const tab = await signedIn('/');
    const { page } = tab;
    await page.getByTestId('bill-card').waitFor();
    expect(await textOf(page, 'line-available')).toBe(yuan(line?.availableMinor ?? ''));
    expect(await textOf(page, 'line-limit')).toBe(yuan(line?.limitMinor ?? ''));
    expect(await textOf(page, 'bill-outstanding')).toBe(yuan(bill.totals.thisMonthOutstandingMinor));
    expect(await textOf(page, 'bill-due')).toBe(yuan(bill.totals.thisMonthDueMinor));
    expect(await textOf(page, 'bill-next-due')).toBe('2026-02-15');
    expect(await textOf(page, 'bill-remaining')).toBe(yuan(bill.totals.totalOutstandingMinor));
    expect(await page.getByTestId('bill-overdue').count()).toBe(0);
    await expect.poll(() => page.getByTestId('loan-row').count()).toBe(1);
    await page.getByRole('heading', { name: '1月账单' }).waitFor();
    await expectNoHorizontalScroll(page);
    expectNoConsoleErrors(tab);
  });

  it('lists the loan with its current bill on the bills tab', async () => {
    const bill = await borrowerGet<Bill>(h5, who, '/api/v1/borrower/bill');
    const entry = bill.loans.find((loan) => loan.loanId === loanId);
    const tab = await signedIn('/bills');
    const card = tab.page.locator(`[data-testid="bill-loan"][data-loan-id="${loanId}"]`);
    await card.waitFor();
    expect(await textOf(card, 'this-month-due')).toBe(yuan(entry?.thisMonth?.dueMinor ?? ''));
    expect(await textOf(card, 'this-month-paid')).toBe(yuan(entry?.thisMonth?.paidMinor ?? ''));
    expect(await textOf(card, 'this-month-outstanding')).toBe(yuan(entry?.thisMonth?.outstandingMinor ?? ''));
    await card.getByTestId('to-detail').click();
    await tab.page.waitForURL(`**/h5/loans/${loanId}`);
    await tab.page.getByTestId('schedule').waitFor();
    await expectNoHorizontalScroll(tab.page);
    expectNoConsoleErrors(tab);
  });

  it('shows the schedule on the bill detail exactly, and downloads the contract with its stored digest', async () => {
    const servicing = await borrowerGet<Servicing>(h5, who, `/api/v1/borrower/loans/${loanId}/servicing`);
    const loan = await borrowerGet<{ contractNo: string; contractSha256: string }>(
      h5,
      who,
      `/api/v1/borrower/loans/${loanId}`,
    );
    expect(servicing.installments).toHaveLength(12);
    const tab = await signedIn(`/loans/${loanId}`);
    const { page } = tab;
    await page.getByTestId('schedule').waitFor();
    await expectScheduleShown(page, servicing);
    expect(await textOf(page, 'loan-remaining')).toBe(yuan(servicing.totals.remainingMinor));
    expect(await textOf(page, 'loan-principal-outstanding')).toBe(
      yuan(servicing.account.principalOutstandingMinor),
    );
    expect(await textOf(page, 'loan-next-due')).toBe('2026-02-15');
    await expectNoHorizontalScroll(page);
    await screenshot(page, 'h5-bill');

    const saved = await downloadedDigest(page, () => page.getByTestId('download-contract').click());
    expect(saved).toEqual({ name: `${loan.contractNo}.pdf`, sha256: loan.contractSha256 });
    expectNoConsoleErrors(tab);
  });

  it('shows the receipts page empty before any repayment, in English too', async () => {
    const tab = await signedIn(`/loans/${loanId}/receipts`, 'en-US');
    await tab.page.getByText('暂无还款记录').waitFor();
    await tab.page.evaluate(() => localStorage.setItem('fenqi.h5.lang', 'en'));
    await tab.page.reload();
    await tab.page.getByText('No receipts yet').waitFor();
    await tab.page.goto(tab.url('/'));
    await tab.page.getByRole('heading', { name: 'Bill for month 1' }).waitFor();
    await expectNoHorizontalScroll(tab.page);
    // The longer English words still fit the phone on every servicing page.
    for (const [path, testId] of [
      [`/loans/${loanId}`, 'schedule'],
      [`/loans/${loanId}/repay`, 'repay-choice'],
      [`/loans/${loanId}/payoff`, 'payoff-quote'],
      [`/loans/${loanId}/prepay`, 'prepay-form'],
      ['/bills', 'bill-loan'],
      ['/drawdown', 'drawdown-form'],
    ] as const) {
      await tab.page.goto(tab.url(path));
      await tab.page.getByTestId(testId).first().waitFor();
      await expectNoHorizontalScroll(tab.page);
    }
    expectNoConsoleErrors(tab);
  });

  it('shows a loan that is not the borrower’s as not found, with a way back', async () => {
    const tab = await signedIn('/loans/00000000-0000-4000-8000-000000000000');
    await tab.page.getByText('加载失败').waitFor();
    await tab.page.getByText('未找到相关信息。').waitFor();
    await tab.page.getByRole('button', { name: '重试' }).waitFor();
    await expectNoHorizontalScroll(tab.page);
    expectNoConsoleErrors(tab);
  });

  it('shows the overdue amount and its penalty once the first installment is past its grace days', async () => {
    // Installment 1 falls due on 02-15; three grace days; the penalty runs from the due date.
    await closeDaysThrough(h5.database.db, '2026-02-20');
    const bill = await borrowerGet<Bill>(h5, who, '/api/v1/borrower/bill');
    expect(bill.businessDate).toBe('2026-02-21');
    expect(BigInt(bill.totals.overdueMinor)).toBeGreaterThan(0n);
    expect(BigInt(bill.totals.overduePenaltyMinor)).toBeGreaterThan(0n);
    const tab = await signedIn('/');
    const { page } = tab;
    await page.getByTestId('bill-overdue').waitFor();
    expect(await textOf(page, 'bill-overdue-amount')).toBe(yuan(bill.totals.overdueMinor));
    expect(await textOf(page, 'bill-overdue-penalty')).toBe(yuan(bill.totals.overduePenaltyMinor));
    expect(await textOf(page, 'bill-outstanding')).toBe(yuan(bill.totals.thisMonthOutstandingMinor));
    expect(await textOf(page, 'bill-next-due')).toBe(bill.totals.nextDueDate ?? '');
    await page.getByRole('heading', { name: '2月账单' }).waitFor();
    await expectNoHorizontalScroll(page);

    const servicing = await borrowerGet<Servicing>(h5, who, `/api/v1/borrower/loans/${loanId}/servicing`);
    expect(servicing.installments[0]?.status).toBe('due');
    await page.goto(tab.url(`/loans/${loanId}`));
    await page.getByTestId('schedule').waitFor();
    await expectScheduleShown(page, servicing);
    expect(await textOf(page, 'loan-overdue-amount')).toBe(yuan(servicing.totals.overdueMinor));
    expect(await textOf(page, 'loan-overdue-penalty')).toBe(yuan(servicing.totals.penaltyOutstandingMinor));
    await expectNoHorizontalScroll(page);

    // Repaying what is overdue collects it with the penalty to today (today's payoff counts it).
    const entry = bill.loans.find((loan) => loan.loanId === loanId);
    const second = servicing.installments[1];
    const allDue = BigInt(bill.totals.overdueMinor) + BigInt(entry?.payoffToday.penaltyMinor ?? '');
    await page.goto(tab.url(`/loans/${loanId}/repay`));
    await page.getByTestId('repay-choice').waitFor();
    expect(await textOf(page, 'all-due-amount')).toBe(yuan(allDue));
    expect(await textOf(page, 'current-bill-amount')).toBe(
      yuan(allDue + BigInt(second?.outstandingMinor ?? '')),
    );
    // No card bound: the page says so and offers to bind one; nothing can be debited.
    await page.getByTestId('no-card').waitFor();
    expect(await page.getByTestId('repay-submit').isDisabled()).toBe(true);
    await expectNoHorizontalScroll(page);
    expectNoConsoleErrors(tab);
  });
});
