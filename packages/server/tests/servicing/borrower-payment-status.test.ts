import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wholeSchema } from '../../src/modules/database.ts';
import { rule, useSim } from '../channel-sim/support.ts';
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
import { accountOpened, servicing, startOn } from './support.ts';

// The borrower's read of what became of a repayment they asked for
// (GET /api/v1/borrower/loans/{loanId}/repayment-requests/{orderNo}), against the channel
// simulator in its own process: a collection the channel confirms is succeeded with the
// transaction it was applied as; one from a card with no money is failed with the reason the
// borrower is shown, and the loan is as it was; one the channel holds is pending; and another
// borrower's order, or one read under another loan, is 404. The loans are 3,000.00 over three
// months from 2026-01-15: installment 1 is 1,024.10.

const fixture = useSim();
let database: TestDatabase;
let world: World;
let merchant: OnboardedMerchant;
let payer: Borrower & { agreementId: string };
let broke: Borrower & { agreementId: string };

/** The simulator's code for a debit the balance cannot cover (余额不足), as a real bank answers it. */
const insufficientFunds = 'BF00311';

type Outcome = {
  orderNo: string;
  loanId: string;
  state: 'pending' | 'succeeded' | 'failed' | 'unknown';
  amountMinor: string;
  failureReason: string | null;
  transactionId: string | null;
  finishedAt: string | null;
};

beforeAll(async () => {
  database = await createTestDatabase();
  await startOn(database.db, '2026-01-15');
  world = await startWorld(database, fixture);
  merchant = await merchantWithWebhooks(world);
  payer = await withBoundCard(world, database, fixture, await borrowerWithLine(world, database.db));
  broke = await withBoundCard(world, database, fixture, await borrowerWithLine(world, database.db));
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

async function repay(who: Borrower, loanId: string, body: Record<string, unknown>): Promise<string> {
  const asked = await borrowerCall(world, who, 'POST', `/api/v1/borrower/loans/${loanId}/repayments`, body);
  expect(asked.status, asked.text).toBe(201);
  return (asked.json as { paymentOrderNo: string }).paymentOrderNo;
}

const outcomePath = (loanId: string, orderNo: string) =>
  `/api/v1/borrower/loans/${loanId}/repayment-requests/${orderNo}`;

async function outcomeOf(who: Borrower, loanId: string, orderNo: string): Promise<Outcome> {
  const read = await borrowerCall(world, who, 'GET', outcomePath(loanId, orderNo));
  expect(read.status, read.text).toBe(200);
  return read.json as Outcome;
}

/** Polls the read as the H5 does until `done` holds. */
function settledOutcome(who: Borrower, loanId: string, orderNo: string, done: (outcome: Outcome) => boolean) {
  return until(async () => {
    const outcome = await outcomeOf(who, loanId, orderNo);
    return done(outcome) ? outcome : false;
  });
}

async function cardTail(who: Borrower): Promise<string> {
  const cards = await borrowerCall(world, who, 'GET', `/api/v1/borrower/customers/${who.customerId}/cards`);
  expect(cards.status, cards.text).toBe(200);
  const card = (cards.json as { id: string; cardNumberMasked: string }[]).find((c) => c.id === who.cardId);
  return card?.cardNumberMasked.slice(-4) ?? '';
}

describe('the outcome of a repayment request', () => {
  it('is succeeded, with the transaction the money was applied as, once the channel confirms it', async () => {
    const loanId = await newLoan(payer);
    const orderNo = await repay(payer, loanId, { what: 'current_installment' });
    const outcome = await settledOutcome(payer, loanId, orderNo, (o) => o.transactionId !== null);
    const applied = await wholeSchema(database.db)
      .selectFrom('servicing_transactions')
      .select(['id', 'kind', 'amount_minor'])
      .where('source_ref', '=', `payment-order:${orderNo}`)
      .executeTakeFirstOrThrow();
    expect(outcome).toMatchObject({
      orderNo,
      loanId,
      state: 'succeeded',
      amountMinor: '102410',
      failureReason: null,
      transactionId: applied.id,
    });
    expect(outcome.finishedAt).not.toBeNull();
    expect(applied).toMatchObject({ kind: 'repayment', amount_minor: 102_410n });
    // The borrower's own transactions list it under that id.
    const listed = await borrowerCall(world, payer, 'GET', `/api/v1/borrower/loans/${loanId}/transactions`);
    expect((listed.json as { transactions: { id: string }[] }).transactions.map((t) => t.id)).toContain(
      applied.id,
    );
  });

  it('is failed with the reason when the card has no money, and the loan is as it was', async () => {
    const loanId = await newLoan(broke);
    const before = await servicing(database.db, loanId);
    // The card is empty for this amount (its last four digits and the amount: no other collection matches).
    await fixture.client.setRules([
      rule(
        { kind: 'COLLECT', cardNoSuffix: await cardTail(broke), amountFen: 50_011 },
        { fail: insufficientFunds },
      ),
    ]);
    try {
      const orderNo = await repay(broke, loanId, { what: 'amount', amountMinor: '50011' });
      const outcome = await settledOutcome(broke, loanId, orderNo, (o) => o.state === 'failed');
      expect(outcome).toMatchObject({
        orderNo,
        loanId,
        state: 'failed',
        amountMinor: '50011',
        failureReason: 'insufficient_balance',
        transactionId: null,
      });
      // Nothing was applied: servicing's account and schedule are as before, and no transaction.
      // (once servicing's consumer has handled the failure: it has no delivery still pending).
      await until(async () => {
        const pending = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM outbox_deliveries
          WHERE consumer = 'module:servicing.repayment-outcome' AND state = 'pending'`.execute(database.db);
        return pending.rows[0]?.n === 0;
      });
      const after = await servicing(database.db, loanId);
      const { updated_at: _a, ...accountBefore } = before.account;
      const { updated_at: _b, ...accountAfter } = after.account;
      expect(accountAfter).toEqual(accountBefore);
      expect(after.rows).toEqual(before.rows);
      const transactions = await borrowerCall(
        world,
        broke,
        'GET',
        `/api/v1/borrower/loans/${loanId}/transactions`,
      );
      expect((transactions.json as { transactions: unknown[] }).transactions).toEqual([]);

      // Any other code of the bank's is a refusal the borrower is told as such.
      await fixture.client.setRules([
        rule(
          { kind: 'COLLECT', cardNoSuffix: await cardTail(broke), amountFen: 50_012 },
          { fail: 'BF00210' },
        ),
      ]);
      const refused = await repay(broke, loanId, { what: 'amount', amountMinor: '50012' });
      expect(await settledOutcome(broke, loanId, refused, (o) => o.state === 'failed')).toMatchObject({
        failureReason: 'declined',
        transactionId: null,
      });
    } finally {
      await fixture.client.setRules([]);
    }
  });

  it('is pending while the channel holds the collection', async () => {
    const loanId = await newLoan(payer);
    await fixture.client.setRules([rule({ kind: 'COLLECT', amountFen: 12_345 }, { stayProcessing: true })]);
    try {
      const orderNo = await repay(payer, loanId, { what: 'amount', amountMinor: '12345' });
      // Sent to the channel and held there: still pending, with nothing applied.
      await until(async () => {
        const order = await wholeSchema(database.db)
          .selectFrom('payment_orders')
          .select('state')
          .where('order_no', '=', orderNo)
          .executeTakeFirstOrThrow();
        return order.state === 'processing';
      });
      expect(await outcomeOf(payer, loanId, orderNo)).toMatchObject({
        state: 'pending',
        amountMinor: '12345',
        failureReason: null,
        transactionId: null,
        finishedAt: null,
      });
      const finished = await fixture.client.admin('POST', `/admin/orders/${orderNo}/finish`, {
        status: 'SUCCEEDED',
      });
      expect(finished.status, finished.text).toBe(200);
      expect(await settledOutcome(payer, loanId, orderNo, (o) => o.transactionId !== null)).toMatchObject({
        state: 'succeeded',
      });
    } finally {
      await fixture.client.setRules([]);
    }
  });

  it('is 404 for another borrower, under another loan, or for no such order', async () => {
    const loanId = await newLoan(payer);
    const otherLoan = await newLoan(payer);
    const orderNo = await repay(payer, loanId, { what: 'current_installment' });
    await settledOutcome(payer, loanId, orderNo, (o) => o.state !== 'pending');

    const stranger = await borrowerCall(world, broke, 'GET', outcomePath(loanId, orderNo));
    expect(stranger.status, stranger.text).toBe(404);
    expect(stranger.json).toMatchObject({ code: 'not_found' });
    // The stranger's own loan id with the payer's order number: still not theirs.
    const strangersLoan = await newLoan(broke);
    const crossed = await borrowerCall(world, broke, 'GET', outcomePath(strangersLoan, orderNo));
    expect(crossed.status, crossed.text).toBe(404);
    // The payer's own order read under their other loan.
    const elsewhere = await borrowerCall(world, payer, 'GET', outcomePath(otherLoan, orderNo));
    expect(elsewhere.status, elsewhere.text).toBe(404);
    const missing = await borrowerCall(
      world,
      payer,
      'GET',
      outcomePath(loanId, 'FQ20260115AAAAAAAAAAAAAAAA'),
    );
    expect(missing.status, missing.text).toBe(404);
    const malformed = await borrowerCall(world, payer, 'GET', outcomePath(loanId, 'not-an-order'));
    expect(malformed.status, malformed.text).toBe(400);
    // Without a borrower's token: nobody's.
    const anonymous = await fetch(`${world.server.baseUrl}${outcomePath(loanId, orderNo)}`);
    expect(anonymous.status).toBe(401);
  });
});
