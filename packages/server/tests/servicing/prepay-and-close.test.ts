import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPayoff, applyPrepayment, applyRepayment } from '../../src/modules/servicing/service.ts';
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
  type World,
} from '../loans/support.ts';
import type { OnboardedMerchant } from '../merchants/support.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { http } from '../support/server.ts';
import {
  accountOpened,
  closeDaysThrough,
  expectLedgerMatchesServicing,
  loanLedger,
  servicing,
  startOn,
} from './support.ts';

// Two regressions, on loans of the POS product (grade A: 1.2 % a month, 1 % prepayment fee) made
// on 2026-01-15:
// - a second partial prepayment in the period of the first (the same day) is quoted and applied
//   on the balance the first left — core prepay took the balance before the first, and its
//   principal check failed (500);
// - the servicing read of a loan paid off after its current installment was paid ahead answers
//   the ledger's figures: the closure recognised that interest, so its receivable is 0, not the
//   interest paid less what close of business had accrued.

const fixture = useSim();
let database: TestDatabase;
let world: World;
let merchant: OnboardedMerchant;
let borrower: Borrower;
let operator: StaffCredentials;
const loans: Record<string, string> = {};

async function newLoan(amountMinor: bigint, termCount: number): Promise<string> {
  const made = await createOrder(world, merchant, amountMinor);
  const loanId = await acceptedLoanId(world, borrower, made.checkoutToken, termCount);
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
  loans.twice = await newLoan(1_200_000n, 12);
  loans.paidAhead = await newLoan(300_000n, 3);
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
function offline(loanId: string, amountMinor: bigint) {
  return database.db.transaction().execute((trx) =>
    applyRepayment(trx, {
      loanId,
      amountMinor,
      kind: 'offline',
      sourceRef: `offline:${randomUUID()}`,
      channel: 'offline',
      collected: true,
    }),
  );
}

function prepaymentQuote(loanId: string, principalMinor: string) {
  return borrowerCall(
    world,
    borrower,
    'GET',
    `/api/v1/borrower/loans/${loanId}/prepayment-quote?principalMinor=${principalMinor}&mode=reduce_term`,
  );
}

function prepaid(loanId: string, principalMinor: bigint, amountMinor: bigint) {
  return database.db.transaction().execute((trx) =>
    applyPrepayment(trx, {
      loanId,
      principalMinor,
      mode: 'reduce_term',
      amountMinor,
      sourceRef: `offline:${randomUUID()}`,
      source: '1002.01',
      channel: 'offline',
    }),
  );
}

type ServicingRead = {
  account: { status: string };
  totals: Record<string, string>;
  installments: { number: number; interestAccruedMinor: string; interestReceivableMinor: string }[];
};

async function servicingReads(loanId: string): Promise<{ borrower: ServicingRead; staff: ServicingRead }> {
  const own = await borrowerCall(world, borrower, 'GET', `/api/v1/borrower/loans/${loanId}/servicing`);
  expect(own.status, own.text).toBe(200);
  const staff = await http(world.server.baseUrl, 'GET', `/api/v1/loans/${loanId}/servicing`, {
    headers: operator.headers(),
  });
  expect(staff.status, staff.text).toBe(200);
  return { borrower: own.json as ServicingRead, staff: staff.json as ServicingRead };
}

describe('a second prepayment in the same period', () => {
  it('is quoted and applied on the balance the first left, after the bill was repaid the same day', async () => {
    const loanId = loan('twice');
    // 12,000.00 over 12 months: 1,079.71 a month; the first installment is 935.71 of principal
    // and 144.00 of interest, leaving 11,064.29. The borrower repays it on the first day.
    await offline(loanId, 107_971n);
    const first = await prepaymentQuote(loanId, '200000');
    expect(first.status, first.text).toBe(200);
    // Nothing left of the current installment: 2,000.00 and its 1 % fee.
    expect(first.json).toMatchObject({ totalMinor: '202000', prepaymentFeeMinor: '2000' });
    await prepaid(loanId, 200_000n, 202_000n);
    expect((await servicing(database.db, loanId)).account.principal_outstanding).toBe(906_429n);

    const second = await prepaymentQuote(loanId, '200000');
    expect(second.status, second.text).toBe(200);
    // 9,064.29 − 2,000.00 = 7,064.29 at the same 1,079.71 a month: 84.77 of interest in the second
    // period, and seven installments after the first instead of nine.
    expect(second.json).toMatchObject({
      quoteDate: '2026-01-15',
      totalMinor: '202000',
      prepaymentFeeMinor: '2000',
      currentInstallment: { number: 1, principalMinor: '0', interestMinor: '0' },
      installments: [
        { number: 1, principalMinor: '93571', interestMinor: '14400' },
        { number: 2, principalMinor: '99494', interestMinor: '8477', balanceMinor: '606935' },
        { number: 3, principalMinor: '100688', interestMinor: '7283' },
        { number: 4, principalMinor: '101896', interestMinor: '6075' },
        { number: 5, principalMinor: '103119', interestMinor: '4852' },
        { number: 6, principalMinor: '104356', interestMinor: '3615' },
        { number: 7, principalMinor: '105608', interestMinor: '2363' },
        { number: 8, principalMinor: '91268', interestMinor: '1095', totalMinor: '92363', balanceMinor: '0' },
      ],
    });
    // What it quotes is what the loan owes: everything but the 9,064.29 left is a payoff.
    const payoff = await prepaymentQuote(loanId, '906429');
    expect(payoff.status, payoff.text).toBe(422);
    expect(payoff.json).toMatchObject({ code: 'prepayment_invalid' });

    await prepaid(loanId, 200_000n, 202_000n);
    const { account, rows } = await servicing(database.db, loanId);
    expect(account).toMatchObject({ principal_outstanding: 706_429n, schedule_version: 3, cur_number: 1 });
    expect(rows).toHaveLength(8);
    expect(rows.slice(1).reduce((sum, row) => sum + row.principal_due, 0n)).toBe(706_429n);
    await expectLedgerMatchesServicing(database.db, loanId);
  });
});

describe('the servicing read of a paid-off loan', () => {
  it('answers the ledger’s receivables after the current installment was paid ahead: interest 0', async () => {
    await closeDaysThrough(database.db, '2026-01-24');
    const loanId = loan('paidAhead');
    // 3,000.00 over 3 months: the first installment, 988.10 + 36.00, in full on 01-25, when close
    // of business has accrued 10.45 of its interest: 25.55 paid ahead, a negative receivable.
    await offline(loanId, 102_410n);
    const open = await servicingReads(loanId);
    expect(open.borrower.totals.interestReceivableMinor).toBe('-2555');
    expect((await loanLedger(database.db, loanId))['1132']).toBe(-2_555n);
    await expectLedgerMatchesServicing(database.db, loanId);

    const quoted = await borrowerCall(
      world,
      borrower,
      'GET',
      `/api/v1/borrower/loans/${loanId}/payoff-quote`,
    );
    expect(quoted.status, quoted.text).toBe(200);
    const quote = quoted.json as { totalMinor: string; quoteDate: string };
    await database.db.transaction().execute((trx) =>
      applyPayoff(trx, {
        loanId,
        amountMinor: BigInt(quote.totalMinor),
        quoteDate: quote.quoteDate,
        sourceRef: `offline:${randomUUID()}`,
        source: '1002.01',
        channel: 'offline',
      }),
    );
    expect((await loanLedger(database.db, loanId))['1132']).toBe(0n);
    const closed = await servicingReads(loanId);
    for (const read of [closed.borrower, closed.staff]) {
      expect(read.account.status).toBe('paid_off');
      expect(read.totals).toMatchObject({
        principalOutstandingMinor: '0',
        interestReceivableMinor: '0',
        feeReceivableMinor: '0',
        penaltyOutstandingMinor: '0',
      });
      // The closure recognised the whole 36.00 of the installment settled ahead.
      expect(read.installments[0]).toMatchObject({
        number: 1,
        interestAccruedMinor: '3600',
        interestReceivableMinor: '0',
      });
    }
    await expectLedgerMatchesServicing(database.db, loanId);
  });
});
