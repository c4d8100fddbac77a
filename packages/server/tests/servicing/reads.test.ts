import { randomUUID } from 'node:crypto';
import {
  accruedInterestTo,
  buildSchedule,
  localDate,
  payoffQuote,
  penaltyInterest,
  penaltyTermsFor,
  type Schedule,
} from '@fenqi/core';
import { Decimal } from 'decimal.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getLoanBalance } from '../../src/modules/ledger/service.ts';
import { loanTermsById } from '../../src/modules/loans/service.ts';
import { beginDayClose } from '../../src/modules/servicing/service.ts';
import { getBusinessDate, setInitialBusinessDate } from '../../src/platform/business-date.ts';
import { useSim } from '../channel-sim/support.ts';
import { createStaff, signIn } from '../iam/support.ts';
import {
  acceptedLoanId,
  type Borrower,
  borrowerCall,
  borrowerWithLine,
  createOrder,
  loanInState,
  merchantWithWebhooks,
  startWorld,
  type World,
} from '../loans/support.ts';
import type { OnboardedMerchant } from '../merchants/support.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { http } from '../support/server.ts';
import { accountOpened, closeDay, closeDaysThrough } from './support.ts';

// The servicing read APIs over real HTTP with real loans: a borrower accepts a merchant order, the
// payout activates the loan, servicing opens its account, and business dates move by closing each
// day for every account. The figures are checked against core (accruedInterestTo, payoffQuote,
// penaltyInterest) and written out by hand; the ledger's balances of the loan agree with them.
//
// Timeline: 2026-03-10 loan A (12,000.00, 3 months at 14.40 %, grade A); 2026-03-21 loan B
// (6,000.00, 3 months); nothing is paid, so A falls due on 2026-04-10, is M1 from 04-11 and
// overdue (past its 3 grace days) from 04-14.

const fixture = useSim();
let database: TestDatabase;
let world: World;
let borrower: Borrower;
let other: Borrower;
let merchant: OnboardedMerchant;
let loanA: string;
let loanB: string;
let scheduleA: Schedule;

const start = '2026-03-10';

beforeAll(async () => {
  database = await createTestDatabase();
  await database.db.transaction().execute((trx) => setInitialBusinessDate(trx, start));
  world = await startWorld(database, fixture);
  borrower = await borrowerWithLine(world, database.db);
  other = await borrowerWithLine(world, database.db);
  merchant = await merchantWithWebhooks(world);
  loanA = await newLoan(1_200_000n);
  scheduleA = await scheduleOf(loanA);
}, 180_000);

afterAll(async () => {
  await world?.stop();
  await database?.drop();
});

async function newLoan(amountMinor: bigint): Promise<string> {
  const made = await createOrder(world, merchant, amountMinor);
  const loanId = await acceptedLoanId(world, borrower, made.checkoutToken, 3);
  await loanInState(world, loanId, 'active');
  await accountOpened(database.db, loanId);
  return loanId;
}

async function scheduleOf(loanId: string): Promise<Schedule> {
  const built = buildSchedule(await loanTermsById(database.db, loanId));
  if (!built.ok) throw new Error('the loan’s terms do not build');
  return built.value;
}

function installment(schedule: Schedule, number: number) {
  const found = schedule.installments.find((i) => i.number === number);
  if (found === undefined) throw new Error(`no installment ${number}`);
  return found;
}

const staffGet = (path: string) =>
  http(world.server.baseUrl, 'GET', path, { headers: world.admin.headers(false) });

type Component = { dueMinor: string; paidMinor: string; waivedMinor: string; outstandingMinor: string };
type Line = {
  number: number;
  dueDate: string;
  status: string;
  principal: Component;
  interest: Component;
  penalty: Component;
  interestAccruedMinor: string;
  interestReceivableMinor: string;
};
type Servicing = {
  businessDate: string;
  account: Record<string, unknown>;
  totals: Record<string, string>;
  installments: Line[];
};

async function staffServicing(loanId: string): Promise<Servicing> {
  const got = await staffGet(`/api/v1/loans/${loanId}/servicing`);
  expect(got.status, got.text).toBe(200);
  return got.json as Servicing;
}

async function ledgerOf(loanId: string): Promise<Record<string, bigint>> {
  const rows = await getLoanBalance(database.db, loanId);
  return Object.fromEntries(rows.map((row) => [row.code, row.balance.balanceMinor]));
}

const fee = new Decimal('0.01');

describe('servicing reads', () => {
  it('shows the schedule after ten closed days with interest accrued to the closed-through date, as core accrues it', async () => {
    expect(await closeDaysThrough(database.db, '2026-03-19')).toBe('2026-03-20');
    const read = await staffServicing(loanA);
    expect(read.businessDate).toBe('2026-03-20');
    expect(read.account).toMatchObject({
      loanId: loanA,
      status: 'active',
      closedThrough: '2026-03-19',
      currentInstallment: 1,
      nextDueDate: '2026-04-10',
      dpd: 0,
      bucket: 'M0',
      graceDays: 3,
      nonAccrualSince: null,
      postingBasis: 'accrual',
      principalOutstandingMinor: '1200000',
      creditBalanceMinor: '0',
    });
    // The first month's 144.00 of interest over 31 days: 9 days to 03-19 are 41.81.
    const first = installment(scheduleA, 1);
    const oracle = accruedInterestTo(scheduleA.terms, first, localDate('2026-03-19')).interestMinor;
    expect(oracle).toBe(4_181n);
    expect(read.installments.map((i) => [i.number, i.dueDate, i.status, i.interestAccruedMinor])).toEqual([
      [1, '2026-04-10', 'future', '4181'],
      [2, '2026-05-10', 'future', '0'],
      [3, '2026-06-10', 'future', '0'],
    ]);
    expect(read.installments[0]).toMatchObject({
      principal: { dueMinor: '395238', paidMinor: '0', waivedMinor: '0', outstandingMinor: '395238' },
      interest: { dueMinor: '14400', paidMinor: '0', waivedMinor: '0', outstandingMinor: '14400' },
      penalty: { dueMinor: '0', outstandingMinor: '0' },
      interestReceivableMinor: '4181',
    });
    expect(read.installments.map((i) => BigInt(i.principal.dueMinor))).toEqual(
      scheduleA.installments.map((i) => i.principalMinor),
    );
    expect(read.totals).toEqual({
      principalOutstandingMinor: '1200000',
      interestReceivableMinor: '4181',
      feeReceivableMinor: '0',
      penaltyOutstandingMinor: '0',
      overdueMinor: '0',
      remainingMinor: String(3n * 409_638n),
    });
    // The ledger booked the same: principal and the nine days' interest receivable.
    expect(await ledgerOf(loanA)).toMatchObject({ '1301': 1_200_000n, '1132': 4_181n, '6011': 4_181n });
  });

  it('lists the accrual journal lines of the loan newest first, page by page', async () => {
    const lines: {
      entryId: string;
      lineNo: number;
      eventType: string;
      code: string;
      side: string;
      amountMinor: string;
    }[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const got = await staffGet(
        `/api/v1/loans/${loanA}/accruals?limit=4${cursor === '' ? '' : `&cursor=${cursor}`}`,
      );
      expect(got.status, got.text).toBe(200);
      const page = got.json as { lines: typeof lines; next: string | null };
      lines.push(...page.lines);
      cursor = page.next;
      pages += 1;
    }
    // The disbursement day earns nothing; each of 03-11 … 03-19 is one entry of Dr 1132 / Cr 6011.
    expect(lines).toHaveLength(18);
    expect(pages).toBe(5);
    expect(new Set(lines.map((l) => `${l.entryId}-${l.lineNo}`)).size).toBe(18);
    expect(lines.every((l) => l.eventType === 'accrual')).toBe(true);
    const ids = lines.map((l) => BigInt(l.entryId));
    expect(ids).toEqual([...ids].sort((a, b) => (a < b ? 1 : a > b ? -1 : 0)));
    const debits = lines.filter((l) => l.side === 'debit');
    expect(debits.every((l) => l.code === '1132')).toBe(true);
    expect(debits.reduce((sum, l) => sum + BigInt(l.amountMinor), 0n)).toBe(4_181n);
    // Day by day as core's dailyAccrual: 4.64 or 4.65 (144.00 / 31 = 4.645…), newest first.
    const byDay = debits.map((l) => l.amountMinor);
    expect(byDay).toEqual(['465', '464', '465', '464', '465', '464', '465', '464', '465']);

    const bad = await staffGet(`/api/v1/loans/${loanA}/accruals?cursor=nonsense`);
    expect(bad.status).toBe(400);
    expect((bad.json as { code: string }).code).toBe('validation_failed');
  });

  it('gives the borrower the loan’s schedule and a bill with this month’s due, the outstanding and today’s payoff', async () => {
    const own = await borrowerCall(world, borrower, 'GET', `/api/v1/borrower/loans/${loanA}/servicing`);
    expect(own.status, own.text).toBe(200);
    const view = own.json as Servicing;
    expect(view.installments).toEqual((await staffServicing(loanA)).installments);
    expect(view.account).not.toHaveProperty('customerId');
    expect(view.account).not.toHaveProperty('nonAccrualSince');

    const bill = await borrowerCall(world, borrower, 'GET', '/api/v1/borrower/bill');
    expect(bill.status, bill.text).toBe(200);
    // March has no due date: this month's is the running installment, due 04-10. The payoff is
    // 12,000.00 + 10 days of interest (46.45) + the 1 % prepayment fee (120.00).
    const quote = payoffQuote(scheduleA, localDate('2026-03-20'), [], { prepaymentFeeRate: fee });
    if (!quote.ok) throw new Error('no quote');
    expect(quote.value.totalMinor).toBe(1_216_645n);
    expect(bill.json).toEqual({
      businessDate: '2026-03-20',
      loans: [
        {
          loanId: loanA,
          loanNo: expect.any(String),
          productCode: 'pos-installment',
          status: 'active',
          dpd: 0,
          thisMonth: {
            number: 1,
            dueDate: '2026-04-10',
            status: 'future',
            dueMinor: '409638',
            paidMinor: '0',
            waivedMinor: '0',
            outstandingMinor: '409638',
          },
          overdueMinor: '0',
          overduePenaltyMinor: '0',
          totalOutstandingMinor: '1228914',
          creditBalanceMinor: '0',
          nextDueDate: '2026-04-10',
          payoffToday: {
            quoteDate: '2026-03-20',
            principalMinor: '1200000',
            interestMinor: '4645',
            feeMinor: '0',
            penaltyMinor: '0',
            prepaymentFeeMinor: '12000',
            prepaidPrincipalMinor: '1200000',
            totalMinor: '1216645',
          },
        },
      ],
      totals: {
        thisMonthDueMinor: '409638',
        thisMonthOutstandingMinor: '409638',
        overdueMinor: '0',
        overduePenaltyMinor: '0',
        totalOutstandingMinor: '1228914',
        payoffTodayMinor: '1216645',
        nextDueDate: '2026-04-10',
      },
    });
  });

  it('answers 404 to another borrower for the loan, and their bill holds none of it', async () => {
    for (const path of [
      `/api/v1/borrower/loans/${loanA}/servicing`,
      `/api/v1/borrower/loans/${loanA}/transactions`,
    ]) {
      const got = await borrowerCall(world, other, 'GET', path);
      expect(got.status, path).toBe(404);
      expect((got.json as { code: string }).code).toBe('not_found');
    }
    const bill = await borrowerCall(world, other, 'GET', '/api/v1/borrower/bill');
    expect(bill.status).toBe(200);
    expect(bill.json).toMatchObject({ loans: [], totals: { totalOutstandingMinor: '0', nextDueDate: null } });
  });

  it('refuses staff without loans:read with 403 and answers 404 for a loan with no servicing account', async () => {
    const nobody = await signIn(
      database.db,
      world.server.config,
      await createStaff(database.db, world.server.config, []),
    );
    for (const path of [
      `/api/v1/loans/${loanA}/servicing`,
      `/api/v1/loans/${loanA}/transactions`,
      `/api/v1/loans/${loanA}/accruals`,
      `/api/v1/loans/${loanA}/delinquency-history`,
      '/api/v1/servicing/portfolio',
    ]) {
      const got = await http(world.server.baseUrl, 'GET', path, { headers: nobody.headers(false) });
      expect(got.status, path).toBe(403);
      expect((got.json as { code: string }).code).toBe('forbidden');
    }
    const missing = await staffGet(`/api/v1/loans/${randomUUID()}/servicing`);
    expect(missing.status).toBe(404);
    expect((missing.json as { code: string }).code).toBe('not_found');
    // The borrower routes belong to borrowers: staff get 403 there.
    const asStaff = await staffGet('/api/v1/borrower/bill');
    expect(asStaff.status).toBe(403);
  });

  it('brings the loan up to date before a read once close of business for the open date has begun', async () => {
    const open = await getBusinessDate(database.db);
    expect(open).toBe('2026-03-20');
    await database.db.transaction().execute((trx) => beginDayClose(trx, open));
    const own = await borrowerCall(world, borrower, 'GET', `/api/v1/borrower/loans/${loanA}/servicing`);
    expect(own.status, own.text).toBe(200);
    const view = own.json as Servicing;
    expect(view.account.closedThrough).toBe('2026-03-20');
    expect(view.installments[0]?.interestAccruedMinor).toBe('4645');
    expect(await ledgerOf(loanA)).toMatchObject({ '1132': 4_645n });
    // The day's close then finds the loan closed and books nothing more for it.
    expect(await closeDay(database.db)).toBe('2026-03-21');
    expect(await ledgerOf(loanA)).toMatchObject({ '1132': 4_645n });
    expect((await staffServicing(loanA)).account.closedThrough).toBe('2026-03-20');
  });

  it('shows an unpaid loan overdue with penalty, its delinquency history, and the portfolio by bucket and product', async () => {
    loanB = await newLoan(600_000n);
    const scheduleB = await scheduleOf(loanB);
    expect(installment(scheduleB, 1).dueDate).toBe('2026-04-21');
    // Four days past 04-10, one past the grace days: overdue, M1.
    expect(await closeDaysThrough(database.db, '2026-04-14')).toBe('2026-04-15');
    await loanInState(world, loanA, 'overdue');

    const read = await staffServicing(loanA);
    expect(read.account).toMatchObject({
      status: 'overdue',
      closedThrough: '2026-04-14',
      currentInstallment: 2,
      oldestUnpaidDue: '2026-04-10',
      dpd: 4,
      bucket: 'M1',
      nextDueDate: '2026-05-10',
    });
    // Penalty at 21.60 % (14.40 % + 50 %) on the overdue principal 3,952.38 for 4 days, ACT/360: 9.49.
    const first = installment(scheduleA, 1);
    const penalty = penaltyInterest(
      { principalMinor: first.principalMinor, interestMinor: first.interestMinor, feeMinor: 0n },
      first.dueDate,
      localDate('2026-04-14'),
      penaltyTermsFor(scheduleA.terms),
    );
    expect(penalty).toBe(949n);
    // Month two has earned 4 of its 30 days of 96.57: 12.88.
    const second = accruedInterestTo(scheduleA.terms, installment(scheduleA, 2), localDate('2026-04-14'));
    expect(second.interestMinor).toBe(1_288n);
    expect(read.installments.map((i) => [i.status, i.interestAccruedMinor, i.penalty.dueMinor])).toEqual([
      ['due', '14400', '949'],
      ['future', '1288', '0'],
      ['future', '0', '0'],
    ]);
    expect(read.totals).toEqual({
      principalOutstandingMinor: '1200000',
      interestReceivableMinor: '15688',
      feeReceivableMinor: '0',
      penaltyOutstandingMinor: '949',
      overdueMinor: '409638',
      remainingMinor: String(3n * 409_638n + 949n),
    });
    expect(await ledgerOf(loanA)).toMatchObject({ '1301': 1_200_000n, '1132': 15_688n, '1134': 949n });

    const history = await staffGet(`/api/v1/loans/${loanA}/delinquency-history`);
    expect(history.status, history.text).toBe(200);
    expect((history.json as { changes: unknown[] }).changes).toEqual([
      {
        id: expect.any(String),
        businessDate: '2026-04-11',
        dpd: 1,
        bucketFrom: 'M0',
        bucketTo: 'M1',
        cause: 'close_of_business',
        at: expect.any(String),
      },
    ]);
    const none = await staffGet(`/api/v1/loans/${loanB}/delinquency-history`);
    expect(none.json).toEqual({ changes: [] });

    // Loan B: 72.00 of interest over 03-21 … 04-21 (31 days), 24 days accrued: 55.74.
    const accruedB = accruedInterestTo(scheduleB.terms, installment(scheduleB, 1), localDate('2026-04-14'));
    expect(accruedB.interestMinor).toBe(5_574n);
    const portfolio = await staffGet('/api/v1/servicing/portfolio');
    expect(portfolio.status, portfolio.text).toBe(200);
    const zero = (bucket: string) => ({
      bucket,
      loans: 0,
      principalOutstandingMinor: '0',
      interestReceivableMinor: '0',
      offBalanceInterestMinor: '0',
    });
    expect(portfolio.json).toEqual({
      businessDate: '2026-04-15',
      closedThroughEarliest: '2026-04-14',
      byBucket: [
        {
          bucket: 'M0',
          loans: 1,
          principalOutstandingMinor: '600000',
          interestReceivableMinor: '5574',
          offBalanceInterestMinor: '0',
        },
        {
          bucket: 'M1',
          loans: 1,
          principalOutstandingMinor: '1200000',
          interestReceivableMinor: '15688',
          offBalanceInterestMinor: '0',
        },
        ...['M2', 'M3', 'M4', 'M5', 'M6', 'M7'].map(zero),
      ],
      byProduct: [
        {
          productCode: 'pos-installment',
          loans: 2,
          principalOutstandingMinor: '1800000',
          overdueLoans: 1,
          overduePrincipalMinor: '1200000',
          overdueRatio: '0.666667',
        },
      ],
      totals: {
        loans: 2,
        principalOutstandingMinor: '1800000',
        interestReceivableMinor: '21262',
        overdueLoans: 1,
        overduePrincipalMinor: '1200000',
        overdueRatio: '0.666667',
      },
    });
  });

  it('bills the overdue loan and the current one together, with penalty and payoffs as core quotes them', async () => {
    const scheduleB = await scheduleOf(loanB);
    const asOf = localDate('2026-04-15');
    const quoteA = payoffQuote(scheduleA, asOf, [], { prepaymentFeeRate: fee });
    const quoteB = payoffQuote(scheduleB, asOf, [], { prepaymentFeeRate: fee });
    if (!quoteA.ok || !quoteB.ok) throw new Error('no quote');
    // A: 12,000.00 + interest 144.00 due and 5 of 30 days of 96.57 (16.10) + penalty for 5 days
    // to today (11.86) + 1 % of the 8,047.62 not yet due (80.48). B: 6,000.00 + 25 of 31 days of
    // 72.00 (58.06) + 60.00.
    expect(quoteA.value.totalMinor).toBe(1_225_244n);
    expect(quoteB.value.totalMinor).toBe(611_806n);
    const totalB = installment(scheduleB, 1).totalMinor;

    const bill = await borrowerCall(world, borrower, 'GET', '/api/v1/borrower/bill');
    expect(bill.status, bill.text).toBe(200);
    const body = bill.json as {
      loans: { loanId: string; thisMonth: Record<string, unknown>; payoffToday: { totalMinor: string } }[];
      totals: Record<string, unknown>;
    };
    expect(body.loans.map((l) => l.loanId)).toEqual([loanB, loanA]);
    expect(body.loans[1]).toMatchObject({
      status: 'overdue',
      dpd: 4,
      thisMonth: { number: 1, dueDate: '2026-04-10', status: 'due', outstandingMinor: '409638' },
      overdueMinor: '409638',
      overduePenaltyMinor: '949',
      totalOutstandingMinor: String(3n * 409_638n + 949n),
      nextDueDate: '2026-05-10',
      payoffToday: { penaltyMinor: '1186', prepaymentFeeMinor: '8048', totalMinor: '1225244' },
    });
    expect(body.loans[0]).toMatchObject({
      status: 'active',
      thisMonth: { number: 1, dueDate: '2026-04-21', status: 'future', outstandingMinor: String(totalB) },
      overdueMinor: '0',
      nextDueDate: '2026-04-21',
      payoffToday: { totalMinor: '611806' },
    });
    expect(body.totals).toEqual({
      thisMonthDueMinor: String(409_638n + totalB),
      thisMonthOutstandingMinor: String(409_638n + totalB),
      overdueMinor: '409638',
      overduePenaltyMinor: '949',
      totalOutstandingMinor: String(3n * 409_638n + 949n + scheduleB.totals.totalMinor),
      payoffTodayMinor: String(1_225_244n + 611_806n),
      nextDueDate: '2026-04-21',
    });
  });

  it('pages a loan’s transactions newest first, and shows the borrower no internal references', async () => {
    // The repayments side writes transactions; the read only pages them, so three are stored here.
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    for (const [index, id] of ids.entries()) {
      await sql`
        INSERT INTO servicing_transactions (id, loan_id, customer_id, kind, source_ref, amount_minor,
          principal_minor, interest_minor, business_date, created_at)
        SELECT ${id}::uuid, loan_id, customer_id, 'repayment', ${`test:${id}`}, ${1000 + index},
               ${900 + index}, 100, '2026-04-15', ${`2026-04-15T0${index}:00:00.000001Z`}::timestamptz
        FROM servicing_accounts WHERE loan_id = ${loanB}::uuid`.execute(database.db);
    }
    const first = await staffGet(`/api/v1/loans/${loanB}/transactions?limit=2`);
    expect(first.status, first.text).toBe(200);
    const page = first.json as {
      transactions: { id: string; amountMinor: string; sourceRef: string }[];
      next: string;
    };
    expect(page.transactions.map((t) => [t.id, t.amountMinor, t.sourceRef])).toEqual([
      [ids[2], '1002', `test:${ids[2]}`],
      [ids[1], '1001', `test:${ids[1]}`],
    ]);
    expect(page.next).toBe(ids[1]);
    const second = await staffGet(`/api/v1/loans/${loanB}/transactions?limit=2&before=${page.next}`);
    expect(second.json).toMatchObject({ transactions: [{ id: ids[0], principalMinor: '900' }], next: null });

    const own = await borrowerCall(world, borrower, 'GET', `/api/v1/borrower/loans/${loanB}/transactions`);
    expect(own.status, own.text).toBe(200);
    const mine = own.json as { transactions: Record<string, unknown>[] };
    expect(mine.transactions.map((t) => t.id)).toEqual([ids[2], ids[1], ids[0]]);
    expect(mine.transactions[0]).toEqual({
      id: ids[2],
      kind: 'repayment',
      amountMinor: '1002',
      principalMinor: '902',
      interestMinor: '100',
      feeMinor: '0',
      penaltyMinor: '0',
      prepaymentFeeMinor: '0',
      overpaymentMinor: '0',
      reverses: null,
      reversed: false,
      businessDate: '2026-04-15',
      createdAt: '2026-04-15T02:00:00.000Z',
    });
    // A page cannot start from a transaction of another loan.
    const foreign = await staffGet(`/api/v1/loans/${loanA}/transactions?before=${ids[0]}`);
    expect(foreign.status).toBe(400);
    expect((foreign.json as { code: string }).code).toBe('validation_failed');
  });
});
