import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wholeSchema } from '../../src/modules/database.ts';
import { autoDebitConsumer } from '../../src/modules/servicing/service.ts';
import { getBusinessDate } from '../../src/platform/business-date.ts';
import { useSim } from '../channel-sim/support.ts';
import {
  acceptedLoanId,
  type Borrower,
  borrowerCall,
  borrowerWithLine,
  createOrder,
  loanInState,
  merchantWithWebhooks,
  startWorld,
  until,
  type World,
  withBoundCard,
} from '../loans/support.ts';
import type { OnboardedMerchant } from '../merchants/support.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import {
  accountOpened,
  closeDaysThrough,
  expectLedgerMatchesServicing,
  loanLedger,
  servicing,
  startOn,
} from './support.ts';

// Repayments through the payment channel (the simulator, its own process): the borrower's own
// repayment, payoff and prepayment collected from their bound card, an overpayment paid back to
// it, and the auto-debit of an installment as it falls due. The loans are those of
// repayments.test.ts — 3,000.00 over three months at 1.2 % a month from 2026-01-15: installment 1
// is 988.10 principal + 36.00 interest = 1,024.10, due 2026-02-15.

const fixture = useSim();
let database: TestDatabase;
let world: World;
let merchant: OnboardedMerchant;
let payer: Borrower & { agreementId: string };

beforeAll(async () => {
  database = await createTestDatabase();
  await startOn(database.db, '2026-01-15');
  world = await startWorld(database, fixture);
  merchant = await merchantWithWebhooks(world);
  const who = await borrowerWithLine(world, database.db);
  payer = await withBoundCard(world, database, fixture, who);
}, 240_000);

afterAll(async () => {
  await world?.stop();
  await database?.drop();
});

async function newLoan(who: Borrower): Promise<string> {
  const made = await createOrder(world, merchant, 300_000n);
  const loanId = await acceptedLoanId(world, who, made.checkoutToken, 3);
  await loanInState(world, loanId, 'active');
  await accountOpened(database.db, loanId);
  return loanId;
}

async function transactionOf(orderNo: string) {
  return until(async () => {
    const found = await wholeSchema(database.db)
      .selectFrom('servicing_transactions')
      .selectAll()
      .where('source_ref', '=', `payment-order:${orderNo}`)
      .executeTakeFirst();
    return found ?? false;
  });
}

describe('repayments collected through the channel', () => {
  it('collects the current bill from the bound card and allocates it when the channel confirms', async () => {
    const loanId = await newLoan(payer);
    const asked = await borrowerCall(world, payer, 'POST', `/api/v1/borrower/loans/${loanId}/repayments`, {
      what: 'current_installment',
    });
    expect(asked.status, asked.text).toBe(201);
    const body = asked.json as {
      paymentOrderNo: string;
      amountMinor: string;
      purpose: string;
      agreementId: string;
    };
    expect(body).toMatchObject({
      amountMinor: '102410',
      purpose: 'repayment',
      agreementId: payer.agreementId,
    });
    const transaction = await transactionOf(body.paymentOrderNo);
    expect(transaction).toMatchObject({
      kind: 'repayment',
      amount_minor: 102_410n,
      interest_minor: 3_600n,
      principal_minor: 98_810n,
    });
    const { rows } = await servicing(database.db, loanId);
    expect(rows[0]).toMatchObject({ status: 'paid', settled_on: '2026-01-15' });
    // Payments credited 2242 when the collection succeeded; the repayment moved it out again.
    expect((await loanLedger(database.db, loanId))['2242'] ?? 0n).toBe(0n);
    await expectLedgerMatchesServicing(database.db, loanId);
  });

  it('pays a loan off at the quote from the card, keeps what is over as credit and pays that back to the card', async () => {
    const loanId = await newLoan(payer);
    const quote = await borrowerCall(world, payer, 'GET', `/api/v1/borrower/loans/${loanId}/payoff-quote`);
    // The first day: 3,000.00 of principal, nothing accrued, a 1 % prepayment fee of 30.00.
    expect(quote.json).toMatchObject({ totalMinor: '303000', quoteDate: '2026-01-15' });
    const asked = await borrowerCall(world, payer, 'POST', `/api/v1/borrower/loans/${loanId}/payoff`, {
      amountMinor: '303100',
      quoteDate: '2026-01-15',
    });
    expect(asked.status, asked.text).toBe(201);
    const orderNo = (asked.json as { paymentOrderNo: string }).paymentOrderNo;
    const transaction = await transactionOf(orderNo);
    expect(transaction).toMatchObject({
      kind: 'payoff',
      principal_minor: 300_000n,
      prepayment_fee_minor: 3_000n,
      overpayment_minor: 100n,
    });
    await loanInState(world, loanId, 'paid_off');
    const { account } = await servicing(database.db, loanId);
    expect(account).toMatchObject({ status: 'paid_off', credit_balance: 100n });
    await expectLedgerMatchesServicing(database.db, loanId);

    const tooMuch = await borrowerCall(
      world,
      payer,
      'POST',
      `/api/v1/borrower/loans/${loanId}/credit-balance/refunds`,
      {
        amountMinor: '101',
      },
    );
    expect(tooMuch.status, tooMuch.text).toBe(422);
    expect(tooMuch.json).toMatchObject({ code: 'credit_balance_insufficient', creditBalanceMinor: '100' });
    const refund = await borrowerCall(
      world,
      payer,
      'POST',
      `/api/v1/borrower/loans/${loanId}/credit-balance/refunds`,
      {},
    );
    expect(refund.status, refund.text).toBe(201);
    expect(refund.json).toMatchObject({ transaction: { kind: 'overpayment_refund', amountMinor: '100' } });
    expect((await servicing(database.db, loanId)).account.credit_balance).toBe(0n);
    // When the payout succeeds payments books Dr 2241 Cr clearing: the loan's 2241 is then zero.
    const payout = (refund.json as { paymentOrderNo: string }).paymentOrderNo;
    await until(async () => {
      const order = await wholeSchema(database.db)
        .selectFrom('payment_orders')
        .select('state')
        .where('order_no', '=', payout)
        .executeTakeFirstOrThrow();
      return order.state === 'succeeded';
    });
    expect((await loanLedger(database.db, loanId))['2241'] ?? 0n).toBe(0n);
    await expectLedgerMatchesServicing(database.db, loanId);
  });

  it('prepays through the channel: the quote’s total collected, the schedule rewritten', async () => {
    const loanId = await newLoan(payer);
    const asked = await borrowerCall(world, payer, 'POST', `/api/v1/borrower/loans/${loanId}/prepayments`, {
      principalMinor: '100000',
      mode: 'reduce_term',
    });
    expect(asked.status, asked.text).toBe(201);
    // 1,024.10 (installment 1) + 1,000.00 + 10.00 fee.
    expect(asked.json).toMatchObject({
      amountMinor: '203410',
      principalMinor: '100000',
      prepaymentFeeMinor: '1000',
    });
    const transaction = await transactionOf((asked.json as { paymentOrderNo: string }).paymentOrderNo);
    expect(transaction).toMatchObject({
      kind: 'prepayment',
      principal_minor: 198_810n,
      overpayment_minor: 0n,
    });
    const { rows, account } = await servicing(database.db, loanId);
    expect(rows.map((r) => [r.number, r.principal_due, r.interest_due])).toEqual([
      [1, 98_810n, 3_600n],
      [2, 101_190n, 1_214n],
    ]);
    expect(account.principal_outstanding).toBe(101_190n);
    await expectLedgerMatchesServicing(database.db, loanId);
  });

  it('auto-debits what is still unpaid when the consumer runs, not the figure of the event; nothing without a card', async () => {
    const loanId = await newLoan(payer);
    const cardless = await borrowerWithLine(world, database.db);
    const otherLoan = await newLoan(cardless);
    const ordersFor = (id: string) =>
      wholeSchema(database.db)
        .selectFrom('payment_orders')
        .select(['source_ref', 'amount_minor'])
        .where('loan_id', '=', id)
        .where('kind', '=', 'collect')
        .execute();
    // An installment-due event whose figure is stale: installment 1 is not due yet, so nothing is.
    const event = (id: string) => ({
      id: randomUUID(),
      type: 'servicing.installment-due',
      occurredAt: new Date().toISOString(),
      businessDate: '2026-01-15',
      subject: { type: 'loan', id },
      data: { loanId: id, number: 1, dueDate: '2026-02-15', unpaidMinor: '102410' },
    });
    await database.db
      .transaction()
      .execute((trx) => autoDebitConsumer.handle(trx, event(loanId), world.services));
    expect(await ordersFor(loanId)).toEqual([]);

    // Through the real close of business: installment 1 falls due on 02-15 and is collected.
    await closeDaysThrough(database.db, '2026-02-15');
    expect(await getBusinessDate(database.db)).toBe('2026-02-16');
    const collected = await until(async () => {
      const found = await wholeSchema(database.db)
        .selectFrom('servicing_transactions')
        .selectAll()
        .where('loan_id', '=', loanId)
        .where('kind', '=', 'auto_debit')
        .executeTakeFirst();
      return found ?? false;
    });
    expect(collected).toMatchObject({
      amount_minor: 102_410n,
      interest_minor: 3_600n,
      principal_minor: 98_810n,
    });
    expect(await ordersFor(loanId)).toEqual([
      { source_ref: `loan:${loanId}/auto-debit/2026-02-15/1`, amount_minor: 102_410n },
    ]);
    const { account } = await servicing(database.db, loanId);
    expect(account).toMatchObject({ oldest_unpaid_due: null, dpd: 0, status: 'active' });
    await expectLedgerMatchesServicing(database.db, loanId);
    // The same event handled again collects nothing more (the installment is paid).
    await database.db
      .transaction()
      .execute((trx) =>
        autoDebitConsumer.handle(trx, { ...event(loanId), data: { ...event(loanId).data } }, world.services),
      );
    expect(await ordersFor(loanId)).toHaveLength(1);
    // The borrower without a card agreement: due, but nothing to collect from.
    expect((await servicing(database.db, otherLoan)).account.oldest_unpaid_due).toBe('2026-02-15');
    await database.db
      .transaction()
      .execute((trx) => autoDebitConsumer.handle(trx, event(otherLoan), world.services));
    expect(await ordersFor(otherLoan)).toEqual([]);
  });
});
