import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wholeSchema } from '../../src/modules/database.ts';
import {
  applyPayoff,
  applyPrepayment,
  applyRepayment,
  type Transaction,
} from '../../src/modules/servicing/service.ts';
import { getBusinessDate } from '../../src/platform/business-date.ts';
import { useSim } from '../channel-sim/support.ts';
import { createStaff, type StaffCredentials, signIn } from '../iam/support.ts';
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
} from '../loans/support.ts';
import { type OnboardedMerchant, signedCall } from '../merchants/support.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { type HttpResult, http } from '../support/server.ts';
import {
  accountOpened,
  closeDaysThrough,
  expectLedgerMatchesServicing,
  loanLedger,
  servicing,
  startOn,
  writtenState,
} from './support.ts';

// Repayments on real loans (originated through the API, disbursed through the channel simulator),
// on a calendar that starts on 2026-01-15: every loan is 3,000.00 over three months of the POS
// product (grade A: 14.40 % a year, 1.2 % a month; ACT/360; half-up; 3 grace days; penalty rate
// 14.40 % × 1.5 = 21.60 % a year = 0.06 % a day on overdue principal; prepayment allowed with a 1 %
// fee). Core's schedule of such a loan (the payment is 3,000.00 × 0.012 / (1 − 1.012^−3) =
// 1,024.0975…, rounded up to 1,024.10):
//   1  2026-01-15 → 02-15  principal 988.10  interest 36.00 (3,000.00 × 1.2 %)     balance 2,011.90
//   2  2026-02-15 → 03-15  principal 999.96  interest 24.14 (2,011.90 × 1.2 % = 24.1428)
//   3  2026-03-15 → 04-15  principal 1,011.94 interest 12.14 (1,011.94 × 1.2 % = 12.1433)
// Each test moves the calendar forward from where the last left it; after each, the ledger's
// per-loan balances equal servicing's figures.

const fixture = useSim();
let database: TestDatabase;
let world: World;
let merchant: OnboardedMerchant;
let borrower: Borrower;
let operator: StaffCredentials;
let finance: StaffCredentials;
let financeMaker: StaffCredentials;
const loans: Record<string, string> = {};

async function newLoan(): Promise<string> {
  const made = await createOrder(world, merchant, 300_000n);
  const loanId = await acceptedLoanId(world, borrower, made.checkoutToken, 3);
  await loanInState(world, loanId, 'active');
  await accountOpened(database.db, loanId);
  return loanId;
}

beforeAll(async () => {
  database = await createTestDatabase();
  await startOn(database.db, '2026-01-15');
  world = await startWorld(database, fixture);
  merchant = await merchantWithWebhooks(world);
  borrower = await borrowerWithLine(world, database.db);
  operator = await signIn(
    database.db,
    world.server.config,
    await createStaff(database.db, world.server.config, ['operator']),
  );
  finance = await signIn(
    database.db,
    world.server.config,
    await createStaff(database.db, world.server.config, ['finance']),
  );
  financeMaker = await signIn(
    database.db,
    world.server.config,
    await createStaff(database.db, world.server.config, ['finance']),
  );
  for (const name of [
    'waterfall',
    'reversal',
    'payoff',
    'reducePayment',
    'reduceTerm',
    'concurrent',
    'offline',
    'paidAhead',
  ])
    loans[name] = await newLoan();
}, 240_000);

afterAll(async () => {
  await world?.stop();
  await database?.drop();
});

const loan = (name: string): string => {
  const id = loans[name];
  if (id === undefined) throw new Error(`no loan ${name}`);
  return id;
};

/** Money already in the bank, applied in a transaction of its own (what an approved transfer does). */
function offline(loanId: string, amountMinor: bigint, sourceRef = `offline:${randomUUID()}`) {
  return database.db.transaction().execute((trx) =>
    applyRepayment(trx, {
      loanId,
      amountMinor,
      kind: 'offline',
      sourceRef,
      channel: 'offline',
      collected: true,
    }),
  );
}

/**
 * The request is refused with the status and problem given, and nothing the repayment path
 * writes has changed (row counts of every table it writes, and the loan's own rows).
 */
async function expectRefusedWritingNothing(
  loanId: string,
  call: () => Promise<HttpResult>,
  status: number,
  problem: Record<string, unknown>,
): Promise<void> {
  const before = await writtenState(database.db, loanId);
  const answer = await call();
  expect(answer.status, answer.text).toBe(status);
  expect(answer.json).toMatchObject(problem);
  expect(await writtenState(database.db, loanId)).toEqual(before);
}

function staffPost(who: StaffCredentials, path: string, body: unknown) {
  return http(world.server.baseUrl, 'POST', path, {
    body,
    headers: { ...who.headers(), 'idempotency-key': randomUUID() },
  });
}

const allocationOf = (transaction: Transaction) =>
  transaction.allocation.map((line) => [line.number, line.component, line.amountMinor]);

describe('repayments on a loan calendar from 2026-01-15', () => {
  it('refuses zero, negative, too large, NUL and above-payoff amounts with problem+json and writes nothing', async () => {
    const loanId = loan('waterfall');
    const before = await writtenState(database.db, loanId);
    const cases: [string, number, string][] = [
      ['0', 422, 'repayment_amount_invalid'],
      ['-100', 422, 'repayment_amount_invalid'],
      ['1000000000000', 422, 'repayment_amount_invalid'],
      // Today's payoff is 3,000.00 + 1 % prepayment fee (nothing accrued on the first day) = 3,030.00.
      ['303001', 422, 'repayment_amount_invalid'],
      ['12\u0000', 400, 'validation_failed'],
      ['12.50', 400, 'validation_failed'],
    ];
    for (const [amountMinor, status, code] of cases) {
      const answer = await borrowerCall(
        world,
        borrower,
        'POST',
        `/api/v1/borrower/loans/${loanId}/repayments`,
        {
          what: 'amount',
          amountMinor,
        },
      );
      expect(answer.status, `${amountMinor}: ${answer.text}`).toBe(status);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.json).toMatchObject({ code, status });
    }
    const above = await borrowerCall(world, borrower, 'POST', `/api/v1/borrower/loans/${loanId}/repayments`, {
      what: 'amount',
      amountMinor: '303001',
    });
    expect(above.json).toMatchObject({ maxMinor: '303000' });
    // Nothing is due on the first day: "all due" has nothing to collect.
    const nothing = await borrowerCall(
      world,
      borrower,
      'POST',
      `/api/v1/borrower/loans/${loanId}/repayments`,
      {
        what: 'all_due',
      },
    );
    expect(nothing.status, nothing.text).toBe(422);
    expect(nothing.json).toMatchObject({ code: 'repayment_amount_invalid' });
    // A valid amount without a bound card: refused too, before anything is collected.
    const noCard = await borrowerCall(
      world,
      borrower,
      'POST',
      `/api/v1/borrower/loans/${loanId}/repayments`,
      {
        what: 'amount',
        amountMinor: '10000',
      },
    );
    expect(noCard.status, noCard.text).toBe(422);
    expect(noCard.json).toMatchObject({ code: 'repayment_card_not_bound' });
    expect(await writtenState(database.db, loanId)).toEqual(before);
  });

  it('applies 20 concurrent repayments on one loan exactly once each, in the waterfall, the rest as credit', async () => {
    const loanId = loan('concurrent');
    // 20 transfers of 100.00 at once, and one of them notified five times more.
    const repeated = `offline:${randomUUID()}`;
    const refs = Array.from({ length: 20 }, (_, i) => (i === 0 ? repeated : `offline:${randomUUID()}`));
    const results = await Promise.all([
      ...refs.map((ref) => offline(loanId, 10_000n, ref)),
      ...Array.from({ length: 5 }, () => offline(loanId, 10_000n, repeated)),
    ]);
    expect(results.filter((r) => r.created)).toHaveLength(20);
    const ids = new Set(results.map((r) => r.transaction.id));
    expect(ids.size).toBe(20);
    const { account, rows } = await servicing(database.db, loanId);
    // 20 × 100.00 = 2,000.00: installment 1 in full (interest 36.00 first, then principal 988.10 =
    // 1,024.10), installments 2 and 3 are not payable yet, so 2,000.00 − 1,024.10 = 975.90 is credit.
    expect(rows[0]).toMatchObject({
      interest_paid: 3_600n,
      principal_paid: 98_810n,
      status: 'paid',
      settled_on: '2026-01-15',
    });
    expect(rows[1]).toMatchObject({ interest_paid: 0n, principal_paid: 0n, status: 'future' });
    expect(account.credit_balance).toBe(97_590n);
    // 3,000.00 − 988.10
    expect(account.principal_outstanding).toBe(201_190n);
    // No double allocation: the transactions' allocations add up to what the rows say was paid.
    const stored = await wholeSchema(database.db)
      .selectFrom('servicing_transactions')
      .selectAll()
      .where('loan_id', '=', loanId)
      .execute();
    expect(stored).toHaveLength(20);
    const sum = (pick: (t: (typeof stored)[number]) => bigint) => stored.reduce((s, t) => s + pick(t), 0n);
    expect(sum((t) => t.amount_minor)).toBe(200_000n);
    expect(sum((t) => t.interest_minor)).toBe(3_600n);
    expect(sum((t) => t.principal_minor)).toBe(98_810n);
    expect(sum((t) => t.overpayment_minor)).toBe(97_590n);
    // The ledger: 1,024.10 to the receivables (interest not accrued yet: a negative 1132 until
    // close of business accrues it), 975.90 held on 2241, 2,000.00 in the bank.
    const ledger = await loanLedger(database.db, loanId);
    expect(ledger).toMatchObject({ '1301': 201_190n, '1132': -3_600n, '2241': 97_590n });
    await expectLedgerMatchesServicing(database.db, loanId);
    const loanRow = await wholeSchema(database.db)
      .selectFrom('loans')
      .select('outstanding_principal_minor')
      .where('id', '=', loanId)
      .executeTakeFirstOrThrow();
    expect(loanRow.outstanding_principal_minor).toBe(201_190n);
    // The principal went back to the line once per transaction (the POS line does not revolve: it
    // is counted as repaid), 988.10 in all.
    const restored = await wholeSchema(database.db)
      .selectFrom('credit_line_history')
      .select(['kind', 'repaid_delta_minor', 'used_delta_minor'])
      .where(
        'source_ref',
        'in',
        stored.map((t) => `servicing-transaction:${t.id}`),
      )
      .execute();
    const restoredMinor = restored.reduce((s, r) => s + r.repaid_delta_minor - r.used_delta_minor, 0n);
    expect(restoredMinor).toBe(98_810n);
  });

  it('refuses a repayment of a cancelled loan and writes nothing', async () => {
    const made = await createOrder(world, merchant, 300_000n);
    const loanId = await acceptedLoanId(world, borrower, made.checkoutToken, 3);
    await loanInState(world, loanId, 'active');
    // A full refund in the cooling-off days undoes the loan.
    const refund = await signedCall(
      world.server,
      merchant,
      'POST',
      `/api/v1/merchant/orders/${made.order.merchantOrderId}/refunds`,
      {
        refundId: 'R-1',
        amountMinor: '300000',
      },
    );
    expect(refund.status, refund.text).toBe(201);
    await loanInState(world, loanId, 'cancelled');
    // Its servicing account (if it opened at all) closes with it (servicing.loan-refunded).
    await until(async () => {
      const found = await wholeSchema(database.db)
        .selectFrom('servicing_accounts')
        .select('status')
        .where('loan_id', '=', loanId)
        .executeTakeFirst();
      return found === undefined || found.status === 'paid_off';
    });
    await expectRefusedWritingNothing(
      loanId,
      () =>
        borrowerCall(world, borrower, 'POST', `/api/v1/borrower/loans/${loanId}/repayments`, {
          what: 'amount',
          amountMinor: '10000',
        }),
      409,
      { code: 'loan_not_repayable', state: 'cancelled' },
    );
  });

  it('records an offline transfer only once a second user approves it, once per bank reference', async () => {
    const loanId = loan('offline');
    const path = `/api/v1/servicing/loans/${loanId}/offline-repayments`;
    const body = {
      amountMinor: '50000',
      transferRef: 'BANK-20260115-0001',
      receivedOn: '2026-01-15',
      reason: 'counter deposit',
    };
    await expectRefusedWritingNothing(
      loanId,
      () => staffPost(operator, path, { ...body, amountMinor: '0' }),
      422,
      { code: 'repayment_amount_invalid' },
    );

    const asked = await staffPost(operator, path, body);
    expect(asked.status, asked.text).toBe(201);
    const request = asked.json as { id: string; status: string; action: string };
    expect(request).toMatchObject({ status: 'pending', action: 'servicing.record-offline-repayment' });
    // Asked is not applied.
    expect((await servicing(database.db, loanId)).rows[0]?.principal_paid).toBe(0n);
    // The operator may ask but not approve; a maker holding both may not approve their own.
    const notChecker = await staffPost(operator, `/api/v1/approvals/${request.id}/approve`, {});
    expect(notChecker.status, notChecker.text).toBe(403);
    expect(notChecker.json).toMatchObject({ code: 'forbidden' });
    const ownAsk = await staffPost(financeMaker, path, { ...body, transferRef: 'BANK-20260115-0002' });
    expect(ownAsk.status, ownAsk.text).toBe(201);
    const self = await staffPost(
      financeMaker,
      `/api/v1/approvals/${(ownAsk.json as { id: string }).id}/approve`,
      {},
    );
    expect(self.status, self.text).toBe(403);
    expect(self.json).toMatchObject({ code: 'maker_cannot_check' });
    const approved = await staffPost(finance, `/api/v1/approvals/${request.id}/approve`, {});
    expect(approved.status, approved.text).toBe(200);
    expect(approved.json).toMatchObject({ status: 'approved', result: { created: true } });
    // 500.00 on installment 1: interest 36.00, principal 464.00.
    const { rows, account } = await servicing(database.db, loanId);
    expect(rows[0]).toMatchObject({ interest_paid: 3_600n, principal_paid: 46_400n, status: 'future' });
    expect(account.principal_outstanding).toBe(253_600n);
    expect((await loanLedger(database.db, loanId))['1002.01']).toBe(50_000n);

    // The same bank reference asked and approved again applies nothing more.
    const again = await staffPost(operator, path, body);
    expect(again.status, again.text).toBe(201);
    const second = await staffPost(
      finance,
      `/api/v1/approvals/${(again.json as { id: string }).id}/approve`,
      {},
    );
    expect(second.json).toMatchObject({ status: 'approved', result: { created: false } });
    expect((await servicing(database.db, loanId)).rows[0]?.principal_paid).toBe(46_400n);
    // Another amount under that reference is refused at once.
    const conflict = await staffPost(operator, path, { ...body, amountMinor: '50001' });
    expect(conflict.status, conflict.text).toBe(409);
    expect(conflict.json).toMatchObject({ code: 'repayment_source_conflict' });
    await expectLedgerMatchesServicing(database.db, loanId);
  });

  it('quotes the payoff for today, refuses a stale or short payoff, pays off at the quote and closes the loan', async () => {
    await closeDaysThrough(database.db, '2026-01-24');
    expect(await getBusinessDate(database.db)).toBe('2026-01-25');
    const loanId = loan('payoff');
    const quoted = await borrowerCall(
      world,
      borrower,
      'GET',
      `/api/v1/borrower/loans/${loanId}/payoff-quote`,
    );
    expect(quoted.status, quoted.text).toBe(200);
    // On 01-25, 10 of the first period's 31 days have passed: interest 36.00 × 10 / 31 = 11.6129…
    // → 11.61; the principal not yet due is all 3,000.00, and its 1 % prepayment fee 30.00.
    // 3,000.00 + 11.61 + 30.00 = 3,041.61.
    expect(quoted.json).toEqual({
      loanId,
      quoteDate: '2026-01-25',
      principalMinor: '300000',
      interestMinor: '1161',
      feeMinor: '0',
      penaltyMinor: '0',
      prepaymentFeeMinor: '3000',
      prepaidPrincipalMinor: '300000',
      totalMinor: '304161',
      creditBalanceMinor: '0',
    });
    const before = await writtenState(database.db, loanId);
    const path = `/api/v1/borrower/loans/${loanId}/payoff`;
    const stale = await borrowerCall(world, borrower, 'POST', path, {
      amountMinor: '304161',
      quoteDate: '2026-01-24',
    });
    expect(stale.status, stale.text).toBe(409);
    expect(stale.json).toMatchObject({
      code: 'payoff_quote_stale',
      quoteDate: '2026-01-24',
      businessDate: '2026-01-25',
    });
    const short = await borrowerCall(world, borrower, 'POST', path, {
      amountMinor: '304160',
      quoteDate: '2026-01-25',
    });
    expect(short.status, short.text).toBe(422);
    expect(short.json).toMatchObject({
      code: 'payoff_amount_short',
      payoffMinor: '304161',
      amountMinor: '304160',
    });
    expect(await writtenState(database.db, loanId)).toEqual(before);

    // Paid at the quote (here a transfer in the bank; through the channel in repayments-channel.test).
    const paid = await database.db.transaction().execute((trx) =>
      applyPayoff(trx, {
        loanId,
        amountMinor: 304_161n,
        quoteDate: '2026-01-25',
        sourceRef: 'offline:PAYOFF-1',
        source: '1002.01',
        channel: 'offline',
      }),
    );
    expect(paid.transaction).toMatchObject({
      kind: 'payoff',
      principalMinor: 300_000n,
      interestMinor: 1_161n,
      prepaymentFeeMinor: 3_000n,
      overpaymentMinor: 0n,
    });
    const { account, rows } = await servicing(database.db, loanId);
    expect(account).toMatchObject({
      status: 'paid_off',
      closed_on: '2026-01-25',
      principal_outstanding: 0n,
      cur_number: null,
    });
    // What was billed is what was earned: the first period's interest to the day, nothing after.
    expect(rows.map((r) => [r.status, r.interest_due, r.interest_paid])).toEqual([
      ['paid', 1_161n, 1_161n],
      ['paid', 0n, 0n],
      ['paid', 0n, 0n],
    ]);
    const after = await loanInState(world, loanId, 'paid_off');
    expect(after.outstandingPrincipalMinor).toBe('0');
    // Close of business had accrued 36.00 × 9 / 31 = 10.45 through 01-24; the payoff booked the
    // missing 1.16 and then collected 11.61: every receivable of the loan is zero, the income is
    // 11.61 of interest and 30.00 of prepayment fee.
    const ledger = await loanLedger(database.db, loanId);
    expect(ledger).toMatchObject({
      '1301': 0n,
      '1132': 0n,
      '6011': 1_161n,
      '6021': 3_000n,
      '1002.01': 304_161n,
    });
    await expectLedgerMatchesServicing(database.db, loanId);

    // A paid-off loan takes no more repayments and its payoff is not reversed.
    const closedBefore = await writtenState(database.db, loanId);
    const again = await borrowerCall(world, borrower, 'POST', `/api/v1/borrower/loans/${loanId}/repayments`, {
      what: 'amount',
      amountMinor: '10000',
    });
    expect(again.status, again.text).toBe(409);
    expect(again.json).toMatchObject({ code: 'loan_not_repayable', state: 'paid_off' });
    const reverse = await staffPost(
      operator,
      `/api/v1/servicing/transactions/${paid.transaction.id}/reversal`,
      {
        reason: 'chargeback',
      },
    );
    expect(reverse.status, reverse.text).toBe(409);
    expect(reverse.json).toMatchObject({ code: 'repayment_not_reversible' });
    expect(await writtenState(database.db, loanId)).toEqual(closedBefore);
  });

  it('pays off a loan whose current installment was paid ahead: that interest is earned, every receivable is zero', async () => {
    expect(await getBusinessDate(database.db)).toBe('2026-01-25');
    const loanId = loan('paidAhead');
    // The first installment in full ten days into its period: 988.10 of principal, 36.00 of
    // interest — close of business had accrued only 10.45 of it through 01-24.
    const ahead = await offline(loanId, 102_410n, 'offline:AHEAD-1');
    expect(allocationOf(ahead.transaction)).toEqual([
      [1, 'interest', 3_600n],
      [1, 'principal', 98_810n],
    ]);
    const quoted = await borrowerCall(
      world,
      borrower,
      'GET',
      `/api/v1/borrower/loans/${loanId}/payoff-quote`,
    );
    expect(quoted.status, quoted.text).toBe(200);
    // The second period has not begun: the payoff is its principal and the rest, 2,011.90, with
    // the 1 % fee on it (20.119 → 20.12) and no interest.
    expect(quoted.json).toMatchObject({
      principalMinor: '201190',
      interestMinor: '0',
      prepaymentFeeMinor: '2012',
      totalMinor: '203202',
    });
    await database.db.transaction().execute((trx) =>
      applyPayoff(trx, {
        loanId,
        amountMinor: 203_202n,
        quoteDate: '2026-01-25',
        sourceRef: 'offline:AHEAD-PAYOFF',
        source: '1002.01',
        channel: 'offline',
      }),
    );
    const { account } = await servicing(database.db, loanId);
    expect(account).toMatchObject({ status: 'paid_off', closed_on: '2026-01-25', cur_number: null });
    // The installment settled in full stays settled: its 36.00 is income once the loan closes —
    // the payoff books the 1.16 of 01-25 as for any payoff, the closure the 24.39 paid ahead of
    // accrual — so no receivable is left below zero.
    expect(await loanLedger(database.db, loanId)).toMatchObject({
      '1301': 0n,
      '1132': 0n,
      '6011': 3_600n,
      '6021': 2_012n,
      '1002.01': 305_612n,
    });
    await expectLedgerMatchesServicing(database.db, loanId);
  });

  it('prepays 1,000.00 with reduce_payment: the current installment, the principal and a 1 % fee; the rest re-amortized', async () => {
    const loanId = loan('reducePayment');
    const quote = await borrowerCall(
      world,
      borrower,
      'GET',
      `/api/v1/borrower/loans/${loanId}/prepayment-quote?principalMinor=100000&mode=reduce_payment`,
    );
    expect(quote.status, quote.text).toBe(200);
    // Installment 1 (1,024.10) + 1,000.00 + 1 % of 1,000.00 = 2,034.10. The balance after it,
    // 2,011.90 − 1,000.00 = 1,011.90, over the two dates left: 1,011.90 × 0.012 / (1 − 1.012^−2) =
    // 515.0748… → 515.08; installment 2: interest 1,011.90 × 1.2 % = 12.14, principal 502.94;
    // installment 3: interest 508.96 × 1.2 % = 6.1075 → 6.11, principal 508.96.
    expect(quote.json).toMatchObject({
      totalMinor: '203410',
      prepaymentFeeMinor: '1000',
      currentInstallment: { number: 1, principalMinor: '98810', interestMinor: '3600' },
      installments: [
        { number: 1, principalMinor: '98810', interestMinor: '3600', totalMinor: '102410' },
        {
          number: 2,
          principalMinor: '50294',
          interestMinor: '1214',
          totalMinor: '51508',
          balanceMinor: '50896',
        },
        { number: 3, principalMinor: '50896', interestMinor: '611', totalMinor: '51507', balanceMinor: '0' },
      ],
    });
    const applied = await database.db.transaction().execute((trx) =>
      applyPrepayment(trx, {
        loanId,
        principalMinor: 100_000n,
        mode: 'reduce_payment',
        amountMinor: 203_410n,
        sourceRef: 'offline:PREPAY-1',
        source: '1002.01',
        channel: 'offline',
      }),
    );
    expect(applied.transaction).toMatchObject({
      kind: 'prepayment',
      principalMinor: 198_810n,
      interestMinor: 3_600n,
      prepaymentFeeMinor: 1_000n,
      overpaymentMinor: 0n,
    });
    const { account, rows } = await servicing(database.db, loanId);
    expect(account).toMatchObject({ principal_outstanding: 101_190n, schedule_version: 2, cur_number: 1 });
    expect(rows.map((r) => [r.number, r.status, r.principal_due, r.interest_due, r.opening_balance])).toEqual(
      [
        [1, 'paid', 98_810n, 3_600n, 300_000n],
        [2, 'future', 50_294n, 1_214n, 101_190n],
        [3, 'future', 50_896n, 611n, 50_896n],
      ],
    );
    const loanView = await loanInState(world, loanId, 'active');
    expect(loanView.outstandingPrincipalMinor).toBe('101190');
    await expectLedgerMatchesServicing(database.db, loanId);
  });

  it('prepays 1,000.00 with reduce_term: the same payment, one installment fewer', async () => {
    const loanId = loan('reduceTerm');
    const applied = await database.db.transaction().execute((trx) =>
      applyPrepayment(trx, {
        loanId,
        principalMinor: 100_000n,
        mode: 'reduce_term',
        // 1.00 more than the 2,034.10 it takes: kept as credit.
        amountMinor: 203_510n,
        sourceRef: 'offline:PREPAY-2',
        source: '1002.01',
        channel: 'offline',
      }),
    );
    expect(applied.transaction).toMatchObject({
      kind: 'prepayment',
      principalMinor: 198_810n,
      overpaymentMinor: 100n,
    });
    // 1,011.90 left: interest 12.14, and 1,011.90 + 12.14 = 1,024.04 is within the 1,024.10
    // payment, so installment 2 repays it all and installment 3 goes.
    const { account, rows } = await servicing(database.db, loanId);
    expect(rows.map((r) => [r.number, r.status, r.principal_due, r.interest_due])).toEqual([
      [1, 'paid', 98_810n, 3_600n],
      [2, 'future', 101_190n, 1_214n],
    ]);
    expect(account).toMatchObject({ principal_outstanding: 101_190n, credit_balance: 100n });
    await expectLedgerMatchesServicing(database.db, loanId);
  });

  it('allocates by the waterfall on an overdue loan: penalty, interest, principal; a new penalty segment; refuses a prepayment while overdue', async () => {
    await closeDaysThrough(database.db, '2026-02-20');
    const loanId = loan('waterfall');
    let { account, rows } = await servicing(database.db, loanId);
    // Due 02-15, unpaid: 02-19 is the fourth day past due, beyond the 3 grace days, and the penalty
    // counts from the due date: 988.10 × 0.06 % × 5 days (to 02-20) = 2.9643 → 2.96.
    expect(account).toMatchObject({
      status: 'overdue',
      dpd: 5,
      bucket: 'M1',
      oldest_unpaid_due: '2026-02-15',
    });
    expect(rows[0]).toMatchObject({ status: 'due', penalty_accrued: 296n, penalty_from: '2026-02-15' });
    await expectLedgerMatchesServicing(database.db, loanId);

    await expectRefusedWritingNothing(
      loanId,
      () =>
        borrowerCall(world, borrower, 'POST', `/api/v1/borrower/loans/${loanId}/prepayments`, {
          principalMinor: '50000',
          mode: 'reduce_term',
        }),
      409,
      { code: 'prepayment_while_overdue', oldestUnpaidDue: '2026-02-15' },
    );

    const first = await offline(loanId, 50_000n);
    // Paid on 02-21: penalty runs to the day of payment, six days: 988.10 × 0.06 % × 6 = 3.5572 →
    // 3.56 (the 0.60 of 02-21 booked with the payment). 500.00: penalty 3.56, interest 36.00,
    // principal 500.00 − 3.56 − 36.00 = 460.44.
    expect(allocationOf(first.transaction)).toEqual([
      [1, 'penalty', 356n],
      [1, 'interest', 3_600n],
      [1, 'principal', 46_044n],
    ]);
    ({ account, rows } = await servicing(database.db, loanId));
    // 988.10 − 460.44 = 527.66 unpaid: the penalty restarts on it from the day of the payment.
    expect(rows[0]).toMatchObject({ penalty_from: '2026-02-21', penalty_base: 52_766n, penalty_days: 0 });
    expect(account).toMatchObject({ status: 'overdue', dpd: 5 });
    await expectLedgerMatchesServicing(database.db, loanId);
    // The reversal test's loan takes the same payment today.
    const reversed = await offline(loan('reversal'), 50_000n);
    expect(allocationOf(reversed.transaction)).toEqual(allocationOf(first.transaction));
  });

  it('cures the loan when the overdue installment is paid, the rest going to the current one', async () => {
    await closeDaysThrough(database.db, '2026-02-21');
    const loanId = loan('waterfall');
    let { account, rows } = await servicing(database.db, loanId);
    // 02-21's penalty was booked with the payment: its close adds nothing.
    expect(rows[0]).toMatchObject({ penalty_accrued: 356n, penalty_paid: 356n, penalty_days: 0 });
    const second = await offline(loanId, 60_000n);
    // Paid on 02-22, one day on 527.66: 527.66 × 0.06 % = 0.3166 → 0.32. 600.00: penalty 0.32,
    // principal 527.66 (installment 1 settled), then installment 2: interest 24.14 and principal
    // 600.00 − 0.32 − 527.66 − 24.14 = 47.88.
    expect(allocationOf(second.transaction)).toEqual([
      [1, 'penalty', 32n],
      [1, 'principal', 52_766n],
      [2, 'interest', 2_414n],
      [2, 'principal', 4_788n],
    ]);
    ({ account, rows } = await servicing(database.db, loanId));
    expect(rows[0]).toMatchObject({ status: 'paid', settled_on: '2026-02-22' });
    expect(account).toMatchObject({
      status: 'active',
      dpd: 0,
      bucket: 'M0',
      oldest_unpaid_due: null,
      // 3,000.00 − 988.10 − 47.88
      principal_outstanding: 196_402n,
    });
    const history = await wholeSchema(database.db)
      .selectFrom('servicing_delinquency_history')
      .select(['business_date', 'bucket_from', 'bucket_to', 'cause'])
      .where('loan_id', '=', loanId)
      .orderBy('id')
      .execute();
    expect(history).toEqual([
      { business_date: '2026-02-16', bucket_from: 'M0', bucket_to: 'M1', cause: 'close_of_business' },
      { business_date: '2026-02-22', bucket_from: 'M1', bucket_to: 'M0', cause: 'repayment' },
    ]);
    await loanInState(world, loanId, 'active');
    // Interest of period 2 accrued through 02-21: 24.14 × 6 / 28 = 5.17; paid 24.14 ahead: −18.97.
    expect((await loanLedger(database.db, loanId))['1132']).toBe(-1_897n);
    await expectLedgerMatchesServicing(database.db, loanId);
  });

  it('reverses a repayment: allocation taken back, penalty for the days since on the restored principal, once only', async () => {
    await closeDaysThrough(database.db, '2026-02-22');
    const loanId = loan('reversal');
    const { rows: paidRows } = await servicing(database.db, loanId);
    // Since the payment (02-21, its penalty booked to that day) the segment on 527.66 has run one
    // day: 527.66 × 0.06 % = 0.3166 → 0.32; accrued 3.56 + 0.32 = 3.88, paid 3.56.
    expect(paidRows[0]).toMatchObject({ penalty_accrued: 388n, penalty_paid: 356n, penalty_days: 1 });
    const [payment] = await wholeSchema(database.db)
      .selectFrom('servicing_transactions')
      .select('id')
      .where('loan_id', '=', loanId)
      .execute();
    if (payment === undefined) throw new Error('no payment');
    const reversal = await staffPost(operator, `/api/v1/servicing/transactions/${payment.id}/reversal`, {
      reason: 'bank chargeback CB-1',
    });
    expect(reversal.status, reversal.text).toBe(201);
    expect(reversal.json).toMatchObject({
      reversal: { kind: 'reversal', reverses: payment.id, amountMinor: '50000' },
      reversed: { id: payment.id, reversedBy: (reversal.json as { reversal: { id: string } }).reversal.id },
    });
    const { account, rows } = await servicing(database.db, loanId);
    // The segment the payment interrupted runs on from the due date on 988.10, as if the payment
    // had never been made: seven days to 02-22, 988.10 × 0.06 % × 7 = 4.1500 → 4.15 (3.88 accrued
    // plus 0.27 booked now).
    expect(rows[0]).toMatchObject({
      status: 'due',
      principal_paid: 0n,
      interest_paid: 0n,
      penalty_paid: 0n,
      penalty_accrued: 415n,
      penalty_base: 98_810n,
      penalty_from: '2026-02-15',
      penalty_days: 7,
    });
    expect(account).toMatchObject({
      status: 'overdue',
      dpd: 7,
      bucket: 'M1',
      principal_outstanding: 300_000n,
    });
    expect((await loanLedger(database.db, loanId))['1134']).toBe(415n);
    await expectLedgerMatchesServicing(database.db, loanId);

    await expectRefusedWritingNothing(
      loanId,
      () => staffPost(operator, `/api/v1/servicing/transactions/${payment.id}/reversal`, { reason: 'again' }),
      409,
      { code: 'repayment_already_reversed' },
    );

    // The next close carries the restored segment on: eight days on 988.10 in one sum,
    // 988.10 × 0.06 % × 8 = 4.7429 → 4.74 — exactly a never-paid installment's penalty (two
    // segments, each rounded, would have made it 3.56 + 1.19 = 4.75).
    await closeDaysThrough(database.db, '2026-02-23');
    const next = await servicing(database.db, loanId);
    expect(next.rows[0]).toMatchObject({ penalty_accrued: 474n, penalty_days: 8 });
    await expectLedgerMatchesServicing(database.db, loanId);
  });

  it('applies a credit balance to the installment that falls due, at close of business', async () => {
    await closeDaysThrough(database.db, '2026-03-15');
    const loanId = loan('concurrent');
    const { account, rows } = await servicing(database.db, loanId);
    // Installment 2 (1,024.10) fell due on 03-15 and the 975.90 of credit went to it: interest
    // 24.14, principal 951.76; 999.96 − 951.76 = 48.20 is still due.
    expect(rows[1]).toMatchObject({ status: 'due', interest_paid: 2_414n, principal_paid: 95_176n });
    expect(account).toMatchObject({ credit_balance: 0n, oldest_unpaid_due: '2026-03-15', dpd: 0 });
    const applied = await wholeSchema(database.db)
      .selectFrom('servicing_transactions')
      .select(['kind', 'amount_minor', 'source_ref'])
      .where('loan_id', '=', loanId)
      .where('kind', '=', 'credit_applied')
      .execute();
    expect(applied).toEqual([
      {
        kind: 'credit_applied',
        amount_minor: 97_590n,
        source_ref: `loan:${loanId}/credit-applied/2026-03-15`,
      },
    ]);
    await expectLedgerMatchesServicing(database.db, loanId);
    for (const name of Object.keys(loans)) await expectLedgerMatchesServicing(database.db, loan(name));
  });
});
