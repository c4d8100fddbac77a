import { localDate, parseProduct, quoteProduct } from '@fenqi/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLoanBalance, getTrialBalance } from '../../src/modules/ledger/service.ts';
import { advanceBusinessDate, getBusinessDate } from '../../src/platform/business-date.ts';
import { rule, useSim } from '../channel-sim/support.ts';
import { type OnboardedMerchant, signedCall, staffCall } from '../merchants/support.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import {
  acceptedLoanId,
  type Borrower,
  borrowerCall,
  borrowerWithLine,
  cashProduct,
  createOrder,
  loanInState,
  merchantWithWebhooks,
  originationCounts,
  posProduct,
  staffLoan,
  startWorld,
  until,
  type World,
  withBoundCard,
} from './support.ts';

// After acceptance: refunds (partial, full within and after the cooling-off days), what a merchant
// may and may not do with an order, cash drawdowns to a bound card — each checked against core's
// schedule and the ledger to the fen.

const fixture = useSim();
let database: TestDatabase;
let world: World;
let merchant: OnboardedMerchant;

beforeAll(async () => {
  database = await createTestDatabase();
  world = await startWorld(database, fixture);
  merchant = await merchantWithWebhooks(world);
}, 120_000);

afterAll(async () => {
  await world?.stop();
  await database?.drop();
});

async function loanLedger(loanId: string): Promise<Record<string, bigint>> {
  const rows = await getLoanBalance(database.db, loanId);
  return Object.fromEntries(rows.map((row) => [row.code, row.balance.balanceMinor]));
}

async function balanced(): Promise<void> {
  const balance = await getTrialBalance(database.db, await getBusinessDate(database.db));
  expect(balance.currencies.map((c) => c.differenceMinor)).toEqual([0n]);
}

/** A disbursed POS loan of `amount` over `termCount` months: its order and loan. */
async function activeLoan(who: Borrower, amount: bigint, termCount = 12) {
  const made = await createOrder(world, merchant, amount);
  const loanId = await acceptedLoanId(world, who, made.checkoutToken, termCount);
  return { made, loan: await loanInState(world, loanId, 'active') };
}

const refund = (merchantOrderId: string, refundId: string, amountMinor: bigint) =>
  signedCall(world.server, merchant, 'POST', `/api/v1/merchant/orders/${merchantOrderId}/refunds`, {
    refundId,
    amountMinor: String(amountMinor),
  });

function coreInstallments(principalMinor: bigint, termCount: number, startDate: string) {
  const product = parseProduct(posProduct);
  if (!product.ok) throw new Error('the test product does not parse');
  const quoted = quoteProduct(product.value, {
    grade: 'A',
    termCount,
    principalMinor,
    startDate: localDate(startDate),
  });
  if (!quoted.ok) throw new Error('core cannot quote');
  return quoted.value.schedule.installments.map((i) => String(i.totalMinor));
}

describe('refunds', () => {
  let borrower: Borrower;
  beforeAll(async () => {
    borrower = await borrowerWithLine(world, database.db);
  }, 60_000);

  it('reduces the principal of a partial refund and recomputes the schedule with core, once per refund id', async () => {
    const { made, loan } = await activeLoan(borrower, 1_200_000n);
    const first = await refund(made.order.merchantOrderId, 'RF-1', 300_000n);
    expect(first.status, first.text).toBe(201);
    expect(first.json).toMatchObject({
      refund: { merchantRefundId: 'RF-1', amountMinor: '300000', kind: 'partial', scheduleVersion: 2 },
      loan: { state: 'active', outstandingPrincipalMinor: '900000', scheduleVersion: 2 },
    });
    const after = await staffLoan(world, loan.id);
    // Before anything fell due, the loan is as if it had been for 9,000.00 from the start.
    expect(after.installments.map((i) => i.totalMinor)).toEqual(
      coreInstallments(900_000n, 12, await getBusinessDate(database.db)),
    );
    expect(after.installments.reduce((sum, i) => sum + BigInt(i.principalMinor), 0n)).toBe(900_000n);
    expect((await loanLedger(loan.id))['1301']).toBe(900_000n);

    // The same refund id again is the same refund; with another amount it is refused.
    const again = await refund(made.order.merchantOrderId, 'RF-1', 300_000n);
    expect(again.status).toBe(200);
    expect((again.json as { refund: { id: string } }).refund.id).toBe(
      (first.json as { refund: { id: string } }).refund.id,
    );
    const before = await originationCounts(database.db);
    const conflict = await refund(made.order.merchantOrderId, 'RF-1', 1_000n);
    expect(conflict.status).toBe(409);
    expect(conflict.json).toMatchObject({ code: 'refund_conflict' });
    const over = await refund(made.order.merchantOrderId, 'RF-2', 900_001n);
    expect(over.status).toBe(400);
    expect(over.json).toMatchObject({ code: 'validation_failed', errors: [{ path: 'amount' }] });
    expect(await originationCounts(database.db)).toEqual(before);

    const hooks = await until(async () => {
      const got = (await world.receiver.received()).filter(
        (d) =>
          d.eventType === 'loans.order-refunded' &&
          d.body.data.merchantOrderId === made.order.merchantOrderId,
      );
      return got.length > 0 ? got : false;
    });
    expect(hooks[0]?.body.data).toMatchObject({ refundAmountMinor: '300000', refundKind: 'partial' });
    await balanced();
  });

  it('undoes a loan refunded in full within the cooling-off days: cancelled, nothing charged, the ledger back to zero', async () => {
    const { made, loan } = await activeLoan(borrower, 800_000n, 6);
    const linesBefore = (await borrowerCall(world, borrower, 'GET', '/api/v1/borrower/credit-lines'))
      .json as {
      usedMinor: string;
      repaidMinor?: string;
    }[];
    const full = await refund(made.order.merchantOrderId, 'RF-FULL', 800_000n);
    expect(full.status, full.text).toBe(201);
    expect(full.json).toMatchObject({
      refund: { kind: 'cooling_off' },
      loan: {
        state: 'cancelled',
        outstandingPrincipalMinor: '0',
        closedOn: await getBusinessDate(database.db),
      },
    });
    const after = await staffLoan(world, loan.id);
    expect(after.installments).toEqual([]);
    // Principal, what the merchant was owed and the discount income are all back to zero.
    const ledger = await loanLedger(loan.id);
    for (const code of ['1301', '2202', '6041']) expect(ledger[code] ?? 0n).toBe(0n);
    const linesAfter = (await borrowerCall(world, borrower, 'GET', '/api/v1/borrower/credit-lines')).json as {
      usedMinor: string;
    }[];
    expect(BigInt(linesAfter[0]?.usedMinor ?? '0')).toBeLessThanOrEqual(
      BigInt(linesBefore[0]?.usedMinor ?? '0'),
    );
    await balanced();
    // A cancelled loan cannot be refunded again.
    const again = await refund(made.order.merchantOrderId, 'RF-AGAIN', 1n);
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({ code: 'refund_not_possible' });
  });

  it('refuses a refund and a cancellation while the payout is in flight, and changes nothing', async () => {
    const slow = await merchantWithWebhooks(world, {
      settlementAccount: {
        accountName: '处理中商户',
        accountNo: '6222000000000555001',
        bankName: '招商银行',
      },
    });
    await fixture.client.setRules([rule({ accountNoSuffix: '555001' }, { stayProcessing: true })]);
    const made = await createOrder(world, slow, 200_000n);
    await acceptedLoanId(world, borrower, made.checkoutToken, 3);
    const before = await originationCounts(database.db);
    const refused = await signedCall(
      world.server,
      slow,
      'POST',
      `/api/v1/merchant/orders/${made.order.merchantOrderId}/refunds`,
      {
        refundId: 'RF-EARLY',
        amountMinor: '100000',
      },
    );
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ code: 'refund_not_possible' });
    const cancel = await signedCall(
      world.server,
      slow,
      'POST',
      `/api/v1/merchant/orders/${made.order.merchantOrderId}/cancel`,
      {
        reason: 'customer changed their mind',
      },
    );
    expect(cancel.status).toBe(409);
    expect(cancel.json).toMatchObject({ code: 'order_not_cancellable' });
    expect(await originationCounts(database.db)).toEqual(before);
    await fixture.client.setRules([]);
  });
});

describe('orders', () => {
  it('answers a replayed order with the first, refuses other content under its id, and checks the items', async () => {
    const body = {
      merchantOrderId: 'SO-REPLAY-1',
      amountMinor: '250000',
      items: [
        { name: '雅思课程', quantity: 2, unitPriceMinor: '100000' },
        { name: '教材', quantity: 1, unitPriceMinor: '50000' },
      ],
    };
    const first = await signedCall(world.server, merchant, 'POST', '/api/v1/merchant/orders', body);
    expect(first.status, first.text).toBe(201);
    const replay = await signedCall(world.server, merchant, 'POST', '/api/v1/merchant/orders', body);
    expect(replay.status).toBe(200);
    expect((replay.json as { checkoutToken: string }).checkoutToken).toBe(
      (first.json as { checkoutToken: string }).checkoutToken,
    );
    const before = await originationCounts(database.db);
    const other = await signedCall(world.server, merchant, 'POST', '/api/v1/merchant/orders', {
      ...body,
      amountMinor: '250001',
      items: [{ name: '雅思课程', quantity: 1, unitPriceMinor: '250001' }],
    });
    expect(other.status).toBe(409);
    expect(other.json).toMatchObject({ code: 'merchant_order_conflict' });
    const wrongSum = await signedCall(world.server, merchant, 'POST', '/api/v1/merchant/orders', {
      ...body,
      merchantOrderId: 'SO-REPLAY-2',
      amountMinor: '250001',
    });
    expect(wrongSum.status).toBe(400);
    expect(wrongSum.json).toMatchObject({ errors: [{ path: 'items' }] });
    const hostile = await signedCall(world.server, merchant, 'POST', '/api/v1/merchant/orders', {
      ...body,
      merchantOrderId: 'SO-\u0000',
      amountMinor: '99999999999999999999',
    });
    expect(hostile.status).toBe(400);
    expect(await originationCounts(database.db)).toEqual(before);
  });

  it('cancels an open order and refuses to accept it afterwards', async () => {
    const who = await borrowerWithLine(world, database.db);
    const made = await createOrder(world, merchant, 150_000n);
    const cancelled = await signedCall(
      world.server,
      merchant,
      'POST',
      `/api/v1/merchant/orders/${made.order.merchantOrderId}/cancel`,
      {
        reason: 'out of stock',
      },
    );
    expect(cancelled.status, cancelled.text).toBe(200);
    expect(cancelled.json).toMatchObject({ status: 'cancelled', cancelReason: 'out of stock' });
    const accept = await borrowerCall(
      world,
      who,
      'POST',
      `/api/v1/borrower/checkout/${made.checkoutToken}/accept`,
      {
        termCount: 3,
      },
    );
    expect(accept.status).toBe(409);
    expect(accept.json).toMatchObject({ code: 'order_not_open', orderStatus: 'cancelled' });
  });

  it('lets only the borrower with the order’s phone accept it, and a suspended merchant create none', async () => {
    const who = await borrowerWithLine(world, database.db);
    const stranger = await borrowerWithLine(world, database.db);
    const made = await createOrder(world, merchant, 150_000n, { customerPhone: who.borrower.phone });
    const refused = await borrowerCall(
      world,
      stranger,
      'POST',
      `/api/v1/borrower/checkout/${made.checkoutToken}/accept`,
      {
        termCount: 3,
      },
    );
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ code: 'order_for_another_customer' });
    await acceptedLoanId(world, who, made.checkoutToken, 3);

    const suspended = await merchantWithWebhooks(world);
    const suspend = await staffCall(
      world.server,
      world.admin,
      'POST',
      `/api/v1/merchants/${suspended.merchantId}/suspend`,
      {
        reason: 'complaints under review',
      },
    );
    expect(suspend.status, suspend.text).toBe(200);
    const denied = await signedCall(world.server, suspended, 'POST', '/api/v1/merchant/orders', {
      merchantOrderId: 'SO-SUSPENDED',
      amountMinor: '100000',
      items: [{ name: '课程', quantity: 1, unitPriceMinor: '100000' }],
    });
    expect(denied.status).toBe(409);
    expect(denied.json).toMatchObject({ code: 'merchant_not_active' });
  });
});

describe('a cash drawdown', () => {
  it('pays a revolving product’s cash to the bound card and books the up-front fee', async () => {
    const who = await withBoundCard(world, database, fixture, await borrowerWithLine(world, database.db));
    const quote = await borrowerCall(
      world,
      who,
      'GET',
      `/api/v1/borrower/drawdowns/quote?productCode=${cashProduct.code}&amountMinor=300000&termCount=3`,
    );
    expect(quote.status, quote.text).toBe(200);
    // 0.5 % of 3,000.00 up front, deducted: 2,985.00 reaches the card.
    expect(quote.json).toMatchObject({
      principalMinor: '300000',
      disbursedMinor: '298500',
      method: 'equal_principal',
    });
    const drawn = await borrowerCall(world, who, 'POST', '/api/v1/borrower/drawdowns', {
      productCode: cashProduct.code,
      amountMinor: '300000',
      termCount: 3,
      cardId: who.cardId,
    });
    expect(drawn.status, drawn.text).toBe(201);
    const loanId = (drawn.json as { loan: { id: string; kind: string } }).loan.id;
    const loan = await loanInState(world, loanId, 'active');
    expect(loan).toMatchObject({ kind: 'cash_drawdown', payoutMinor: '298500' });
    expect(await loanLedger(loanId)).toMatchObject({ '1301': 300_000n, '2202': 0n, '6021': 1_500n });
    const order = await sql<{ account_no_masked: string }>`
      SELECT account_no_masked FROM payment_orders WHERE loan_id = ${loanId}`.execute(database.db);
    expect(order.rows[0]?.account_no_masked).toMatch(/^622202\*+\d{4}$/);

    // A POS product is no cash product; an unbound card is no payee.
    const before = await originationCounts(database.db);
    const pos = await borrowerCall(world, who, 'POST', '/api/v1/borrower/drawdowns', {
      productCode: posProduct.code,
      amountMinor: '100000',
      termCount: 3,
      cardId: who.cardId,
    });
    expect(pos.status).toBe(400);
    expect(pos.json).toMatchObject({ errors: [{ path: 'productCode' }] });
    expect(await originationCounts(database.db)).toEqual(before);
    await balanced();
  });
});

describe('after the cooling-off days', () => {
  it('repays the principal of a full refund and leaves the interest accrued to the day owed', async () => {
    const who = await borrowerWithLine(world, database.db);
    const { made, loan } = await activeLoan(who, 600_000n, 6);
    // Ten business days later: past the product's 7 cooling-off days.
    for (let day = 0; day < 10; day += 1) {
      await database.db
        .transaction()
        .execute(async (trx) => advanceBusinessDate(trx, await getBusinessDate(trx)));
    }
    const full = await refund(made.order.merchantOrderId, 'RF-LATE', 600_000n);
    expect(full.status, full.text).toBe(201);
    expect(full.json).toMatchObject({
      refund: { kind: 'full' },
      loan: { state: 'active', outstandingPrincipalMinor: '0' },
    });
    const after = await staffLoan(world, loan.id);
    // 6,000.00 at 14.40 % for 10 of the first period's days, pro rata: 6,000.00 × 1.2 % × 10/31.
    expect(after.installments).toHaveLength(1);
    expect(after.installments[0]).toMatchObject({
      number: 1,
      principalMinor: '0',
      dueDate: loan.installments[0]?.dueDate,
    });
    expect(BigInt(after.installments[0]?.interestMinor ?? '0')).toBeGreaterThan(0n);
    expect((await loanLedger(loan.id))['1301'] ?? 0n).toBe(0n);
    await balanced();
  });
});
