import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import type { DateString } from '../../src/platform/tables.ts';
import type { SimFixture } from '../channel-sim/support.ts';
import { signInBorrower } from '../iam/support.ts';
import {
  acceptedLoanId,
  type Borrower,
  borrowerCall,
  createOrder,
  loanInState,
  merchantWithWebhooks,
  startWorld,
  type World,
} from '../loans/support.ts';
import type { OnboardedMerchant } from '../merchants/support.ts';
import { accountOpened, startOn } from '../servicing/support.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { chromiumPath, type H5Page, phoneViewport } from './support.ts';

// What the servicing browser tests (bills, repay) share: the origination world on a database whose
// business date is set before anything happens (a schedule with known due dates), a phone-sized
// Chromium whose errors are collected as tests/h5/support.ts collects them, a borrower's disbursed
// loan made through the API, and the figures of the borrower API the pages must show exactly.

export type ServicingH5 = {
  database: TestDatabase;
  world: World;
  merchant: OnboardedMerchant;
  open(options?: { locale?: string }): Promise<H5Page>;
};

/** A file's database (first business date `startDate`), the world beside the simulator, one Chromium. */
export function useServicingH5(sim: SimFixture, startDate: DateString): ServicingH5 {
  const fixture = {} as ServicingH5;
  const opened: BrowserContext[] = [];
  let browser: Awaited<ReturnType<typeof chromium.launch>> | undefined;
  beforeAll(async () => {
    fixture.database = await createTestDatabase();
    await startOn(fixture.database.db, startDate);
    // Every browser tab signs in with a session of its own (browserSession): more codes per phone.
    fixture.world = await startWorld(fixture.database, sim, { OTP_SENDS_PER_PHONE_MAX: '100' });
    fixture.merchant = await merchantWithWebhooks(fixture.world);
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    fixture.open = async ({ locale = 'zh-CN' } = {}) => {
      if (browser === undefined) throw new Error('no browser');
      const context = await browser.newContext({
        viewport: phoneViewport,
        isMobile: true,
        hasTouch: true,
        deviceScaleFactor: 2,
        locale,
        timezoneId: 'Asia/Shanghai',
        acceptDownloads: true,
      });
      opened.push(context);
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
          errors.push(`console: ${message.text()}`);
      });
      page.on('response', (response) => {
        const status = response.status();
        const path = new URL(response.url()).pathname;
        if (status >= 500 || (status === 404 && !path.startsWith('/api/')))
          errors.push(`response: ${status} ${response.request().method()} ${path}`);
      });
      page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
      return {
        context,
        page,
        errors,
        url: (path: string) => `${fixture.world.server.baseUrl}/h5${path}`,
        close: () => context.close(),
      };
    };
  }, 240_000);
  afterAll(async () => {
    for (const context of opened) await context.close().catch(() => {});
    await browser?.close();
    await fixture.world?.stop();
    await fixture.database?.drop();
  });
  return fixture;
}

/** A merchant order of `amountMinor` accepted over `termCount` months, disbursed, its account open. */
export async function disbursedLoan(
  fixture: ServicingH5,
  who: Borrower,
  amountMinor: bigint,
  termCount: number,
): Promise<string> {
  const order = await createOrder(fixture.world, fixture.merchant, amountMinor);
  const loanId = await acceptedLoanId(fixture.world, who, order.checkoutToken, termCount);
  await loanInState(fixture.world, loanId, 'active');
  await accountOpened(fixture.database.db, loanId);
  return loanId;
}

/**
 * A session of its own for the browser (the borrower signs in again with the same phone): the H5
 * refreshes its tokens when it needs to (the refresh token rotates), which must not end the
 * session the test's own API calls use.
 */
export async function browserSession(fixture: ServicingH5, who: Borrower) {
  return signInBorrower(fixture.database.db, fixture.world.server.config, who.borrower.phone);
}

/** GET through the borrower API as `who`: the JSON body (200 expected). */
export async function borrowerGet<T>(fixture: ServicingH5, who: Borrower, path: string): Promise<T> {
  const got = await borrowerCall(fixture.world, who, 'GET', path);
  expect(got.status, got.text).toBe(200);
  return got.json as T;
}

/** How the H5 must show an amount of fen: "¥1,234.56" (written here independently of the H5). */
export function yuan(minor: string | bigint): string {
  const value = BigInt(minor);
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = (abs / 100n).toString();
  let grouped = '';
  for (let i = 0; i < whole.length; i++) {
    if (i > 0 && (whole.length - i) % 3 === 0) grouped += ',';
    grouped += whole[i];
  }
  return `${negative ? '-' : ''}¥${grouped}.${(abs % 100n).toString().padStart(2, '0')}`;
}

/** The text of the element with the test id inside `scope`, trimmed. */
export async function textOf(scope: Page | Locator, testId: string): Promise<string> {
  return ((await scope.getByTestId(testId).first().textContent()) ?? '').trim();
}

/** Downloads through the page's action and answers the SHA-256 of the bytes saved. */
export async function downloadedDigest(
  page: Page,
  action: () => Promise<void>,
): Promise<{ name: string; sha256: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), action()]);
  const path = await download.path();
  const bytes = await readFile(path);
  return { name: download.suggestedFilename(), sha256: createHash('sha256').update(bytes).digest('hex') };
}

export type Servicing = {
  businessDate: string;
  account: {
    status: string;
    currentInstallment: number | null;
    nextDueDate: string | null;
    principalOutstandingMinor: string;
    creditBalanceMinor: string;
    dpd: number;
  };
  totals: {
    principalOutstandingMinor: string;
    interestReceivableMinor: string;
    feeReceivableMinor: string;
    penaltyOutstandingMinor: string;
    overdueMinor: string;
    remainingMinor: string;
  };
  installments: {
    number: number;
    dueDate: string;
    status: 'future' | 'due' | 'paid';
    principal: { dueMinor: string; paidMinor: string; outstandingMinor: string };
    interest: { dueMinor: string; paidMinor: string; outstandingMinor: string };
    fee: { dueMinor: string; paidMinor: string; outstandingMinor: string };
    penalty: { dueMinor: string; paidMinor: string; outstandingMinor: string };
    outstandingMinor: string;
  }[];
};

export type Bill = {
  businessDate: string;
  loans: {
    loanId: string;
    thisMonth: {
      number: number;
      dueDate: string;
      dueMinor: string;
      paidMinor: string;
      outstandingMinor: string;
    } | null;
    overdueMinor: string;
    overduePenaltyMinor: string;
    totalOutstandingMinor: string;
    creditBalanceMinor: string;
    nextDueDate: string | null;
    payoffToday: { principalMinor: string; penaltyMinor: string; totalMinor: string; quoteDate: string };
  }[];
  totals: {
    thisMonthDueMinor: string;
    thisMonthOutstandingMinor: string;
    overdueMinor: string;
    overduePenaltyMinor: string;
    totalOutstandingMinor: string;
    nextDueDate: string | null;
  };
};

const sum = (...parts: string[]) => parts.reduce((total, part) => total + BigInt(part), 0n);

/**
 * The schedule on the bill-detail page is servicing's, installment by installment: the due date,
 * status, what it bills (its four components), what was paid, what is outstanding, and the
 * principal and interest it bills.
 */
export async function expectScheduleShown(page: Page, servicing: Servicing): Promise<void> {
  const rows = page.getByTestId('schedule').getByTestId('installment');
  await expect.poll(() => rows.count()).toBe(servicing.installments.length);
  for (const installment of servicing.installments) {
    const row = page.locator(`[data-testid="installment"][data-number="${installment.number}"]`);
    const shown = {
      status: await row.getAttribute('data-status'),
      dueDate: await textOf(row, 'installment-due-date'),
      billed: await textOf(row, 'installment-billed'),
      paid: await textOf(row, 'installment-paid'),
      outstanding: await textOf(row, 'installment-outstanding'),
      principal: await textOf(row, 'installment-principal'),
      interest: await textOf(row, 'installment-interest'),
    };
    const { principal, interest, fee, penalty } = installment;
    expect(shown, `installment ${installment.number}`).toEqual({
      status: installment.status,
      dueDate: installment.dueDate,
      billed: yuan(sum(principal.dueMinor, interest.dueMinor, fee.dueMinor, penalty.dueMinor)),
      paid: yuan(sum(principal.paidMinor, interest.paidMinor, fee.paidMinor, penalty.paidMinor)),
      outstanding: yuan(installment.outstandingMinor),
      principal: yuan(principal.dueMinor).slice(1),
      interest: yuan(interest.dueMinor).slice(1),
    });
  }
}

/** Confirms the page's own confirmation dialog with the button named. */
export async function confirmDialog(tab: H5Page, name: string): Promise<void> {
  const dialog = tab.page.getByRole('dialog');
  await dialog.waitFor();
  await dialog.getByRole('button', { name }).click();
}

/** Waits until the payment is applied (the outcome shows it paid) — failing at once on a problem shown. */
export async function paid(tab: H5Page): Promise<void> {
  const settled = tab.page.locator(
    '[data-testid="outcome"][data-phase="succeeded"], [data-testid="problem"]',
  );
  await settled.first().waitFor({ timeout: 60_000 });
  expect(await tab.page.getByTestId('problem').allTextContents()).toEqual([]);
}
