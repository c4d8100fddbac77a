import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSim } from '../channel-sim/support.ts';
import { randomPhone } from '../iam/support.ts';
import { loanInState, until } from '../loans/support.ts';
import { idNumberBornOn } from '../risk/support.ts';
import { type RunningSandbox, sandboxOrder, startSandboxFor } from '../sandbox/support.ts';
import { expectLedgerMatchesServicing, loanLedger } from '../servicing/support.ts';
import { http } from '../support/server.ts';
import { confirmDialog, paid, textOf, yuan } from './servicing-support.ts';
import {
  demoCode,
  expectNoConsoleErrors,
  expectNoHorizontalScroll,
  goodCard,
  settled,
  signInWithOtp,
  storedTokens,
  useH5,
} from './support.ts';

// The borrower's whole journey on a phone, as the acceptance tells it: a new borrower signs
// up in the H5 (the demo shows the codes), passes real name, accepts the agreements, binds a card
// and gets a line; opens a checkout link from the merchant sandbox — the demo shop, its own process,
// which made the order with a signed call — accepts a 12-month plan and sees the loan disbursed
// through the channel simulator, and the shop marks its order paid from Fenqi's verified webhook.
// Then the borrower repays the first installment and pays the loan off early with the quoted
// amount; the ledger, servicing and the bill agree to the fen at each step.

const sim = useSim();
const h5 = useH5({ sim, env: { DEMO_SHOW_CODES: 'true' } });
let sandbox: RunningSandbox;

beforeAll(async () => {
  sandbox = await startSandboxFor(h5.world);
}, 120_000);

afterAll(async () => {
  await sandbox?.stop();
});

type Servicing = {
  account: { status: string };
  installments: { number: number; status: string; outstandingMinor: string }[];
  totals: {
    principalOutstandingMinor: string;
    interestReceivableMinor: string;
    feeReceivableMinor: string;
    penaltyOutstandingMinor: string;
  };
};

describe('a borrower’s journey from sign-up to an early payoff', () => {
  it('signs up, buys at the sandbox shop on 12 months, is disbursed, repays, pays off; the books agree', async () => {
    const tab = await h5.open();
    const { page } = tab;
    const get = async <T>(path: string): Promise<T> => {
      const tokens = await storedTokens(page);
      const got = await http(h5.server.baseUrl, 'GET', path, {
        headers: { authorization: `Bearer ${tokens?.accessToken}` },
      });
      expect(got.status, got.text).toBe(200);
      return got.json as T;
    };

    // ---- sign-up, KYC, card, line: through the H5 only ----
    await signInWithOtp(tab, randomPhone());
    await page.waitForURL(/\/h5\/onboarding\/real-name/);
    await page.getByLabel('真实姓名').fill('陈晓华');
    await page.getByLabel('身份证号').fill(idNumberBornOn('1990-05-20'));
    await page.getByRole('button', { name: '提交认证' }).click();
    await page.waitForURL(/\/h5\/onboarding\/agreements/);
    await page.getByTestId('agreements-read').click();
    await page.getByRole('button', { name: '同意并继续' }).click();
    await page.waitForURL(/\/h5\/onboarding\/card/);
    await page.getByLabel('银行卡号').fill(goodCard());
    await page.getByRole('button', { name: '获取短信验证码' }).click();
    await page.getByLabel('短信验证码').fill(await demoCode(page));
    await page.getByRole('button', { name: '确认绑卡' }).click();
    await page.waitForURL(/\/h5\/credit\/apply/);
    await page.getByRole('button', { name: '立即申请' }).click();
    await page.getByTestId('outcome-approved').waitFor();
    const lines = await get<{ availableMinor: string }[]>('/api/v1/borrower/credit-lines');
    expect(lines).toHaveLength(1);

    // ---- the shop: its own process, a signed order at Fenqi, the shopper sent to checkout ----
    await page.goto(`${sandbox.url}/sandbox/`);
    await page.locator('[data-buy="course"]').click();
    await page.waitForURL(/\/h5\/checkout\/[A-Za-z0-9_-]{43}$/);
    const token = new URL(page.url()).pathname.split('/').at(-1) ?? '';
    const shopOrders = (await sandbox.call('GET', '/api/orders')).json as {
      orders: { merchantOrderId: string; amountMinor: string; status: string }[];
    };
    const shopOrder = shopOrders.orders[0];
    expect(shopOrder).toMatchObject({ amountMinor: '680000', status: 'awaiting_checkout' });

    // ---- checkout: 12 months, both rates shown, the contract read, accepted ----
    await page.getByTestId('term-12').click();
    const quote = await get<{ apr: { simplePercent: string; irrPercent: string } }>(
      `/api/v1/borrower/checkout/${token}/quote?termCount=12`,
    );
    await settled(() => textOf(page, 'apr-simple')).toBe(quote.apr.simplePercent);
    expect(await textOf(page, 'apr-irr')).toBe(quote.apr.irrPercent);
    await expectNoHorizontalScroll(page);
    await page.getByTestId('contract-read').click();
    await page.getByTestId('accept').click();
    await page.waitForURL(/\/h5\/checkout\/[^/]+\/loans\/[0-9a-f-]+$/);
    const loanId = new URL(page.url()).pathname.split('/').at(-1) ?? '';
    await page.getByTestId('disbursement-done').waitFor({ timeout: 60_000 });
    const loan = await loanInState(h5.world, loanId, 'active');
    expect(loan).toMatchObject({ principalMinor: '680000', termCount: 12 });

    // The shop learns it from Fenqi's webhook, verified by the shop.
    const paidAtShop = await until(async () => {
      const now = await sandboxOrder(sandbox, shopOrder?.merchantOrderId ?? '');
      return now.status === 'paid' ? now : false;
    });
    expect(paidAtShop.loanId).toBe(loanId);
    expect(paidAtShop.history.find((change) => change.status === 'paid')?.via).toBe('webhook');

    /** The loan's ledger equals servicing's read and the bill, to the fen. */
    const booksAgree = async () => {
      await expectLedgerMatchesServicing(h5.database.db, loanId);
      const ledger = await loanLedger(h5.database.db, loanId);
      const servicing = await get<Servicing>(`/api/v1/borrower/loans/${loanId}/servicing`);
      const balance = (code: string) => (ledger[code] ?? 0n).toString();
      expect({
        principal: balance('1301'),
        interest: balance('1132'),
        fee: balance('1133'),
        penalty: balance('1134'),
      }).toEqual({
        principal: servicing.totals.principalOutstandingMinor,
        interest: servicing.totals.interestReceivableMinor,
        fee: servicing.totals.feeReceivableMinor,
        penalty: servicing.totals.penaltyOutstandingMinor,
      });
      const bill = await get<{ loans: { loanId: string; payoffToday: { principalMinor: string } }[] }>(
        '/api/v1/borrower/bill',
      );
      const entry = bill.loans.find((l) => l.loanId === loanId);
      if (servicing.account.status === 'paid_off') expect(entry).toBeUndefined();
      else expect(entry?.payoffToday.principalMinor).toBe(balance('1301'));
      return servicing;
    };
    const opened = await booksAgree();
    const first = opened.installments[0];

    // ---- the first installment, from the bound card ----
    await page.goto(tab.url(`/loans/${loanId}/repay`));
    await page.getByTestId('repay-choice').waitFor();
    expect(await textOf(page, 'current-bill-amount')).toBe(yuan(first?.outstandingMinor ?? ''));
    await page.getByTestId('repay-submit').click();
    await confirmDialog(tab, '确认扣款');
    await paid(tab);
    const repaid = await booksAgree();
    expect(repaid.installments[0]).toMatchObject({ status: 'paid', outstandingMinor: '0' });

    // ---- paid off early, with exactly today's quote ----
    await page.goto(tab.url(`/loans/${loanId}/payoff`));
    await page.getByTestId('payoff-quote').waitFor();
    const payoff = await get<{ totalMinor: string }>(`/api/v1/borrower/loans/${loanId}/payoff-quote`);
    expect(await textOf(page, 'payoff-total')).toBe(yuan(payoff.totalMinor));
    await page.getByTestId('payoff-submit').click();
    await confirmDialog(tab, '确认扣款');
    await paid(tab);
    await loanInState(h5.world, loanId, 'paid_off');
    const closed = await booksAgree();
    expect(closed.account.status).toBe('paid_off');
    expect(closed.totals).toMatchObject({
      principalOutstandingMinor: '0',
      interestReceivableMinor: '0',
      feeReceivableMinor: '0',
      penaltyOutstandingMinor: '0',
    });
    // What the borrower paid is what the ledger collected for the loan: the installment and the payoff.
    const ledger = await loanLedger(h5.database.db, loanId);
    expect(ledger['1301'] ?? 0n).toBe(0n);
    const listed = await get<{ transactions: { amountMinor: string }[] }>(
      `/api/v1/borrower/loans/${loanId}/transactions`,
    );
    expect(listed.transactions.map((t) => t.amountMinor).sort()).toEqual(
      [first?.outstandingMinor ?? '', payoff.totalMinor].sort(),
    );
    expectNoConsoleErrors(tab);
  });
});
