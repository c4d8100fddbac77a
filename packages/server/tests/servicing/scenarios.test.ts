import type { ProductDefinition } from '@fenqi/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRun, startRun, workOnRun } from '../../src/modules/cob/service.ts';
import { getBusinessDate } from '../../src/platform/business-date.ts';
import type { DateString } from '../../src/platform/tables.ts';
import { useSim } from '../channel-sim/support.ts';
import { createStaff, signIn } from '../iam/support.ts';
import {
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
import { publishProduct } from '../products/support.ts';
import { publishPolicy, testPolicy } from '../risk/support.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { accountOpened, expectLedgerMatchesServicing, loanLedger, servicing, startOn } from './support.ts';

// A year of business, one loan per repayment method, through the real services: origination
// through the channel simulator, close of business every day (the cob module's run, the worker's
// loop beside it), auto-debit of every installment on its due date, a late installment paid with
// penalty after the card was declined for a week, a partial prepayment and an early payoff at the
// quoted amount. After every day each loan's ledger balances equal its servicing figures; at the
// end the key figures equal the hand-checked values below.
//
// Every loan: 6,000.00 on 2026-01-15, grade A, due on the 15th. The card declines collections from
// 2026-04-15 (installment 3) until the borrower repays everything due on 2026-04-22: 7 days late,
// 4 past the 3 grace days, so the loan is overdue from 04-19 and penalty is charged from the due
// date. Prepayment of 1,000.00 (with that month's installment) on 2026-05-10; payoff on 2026-08-03.

const fixture = useSim();
let database: TestDatabase;
let world: World;
let merchant: OnboardedMerchant;
let payer: Borrower;

const start = '2026-01-15';
const end = '2027-01-20';
const amountMinor = 600_000n;

const common = {
  graceDays: 3,
  prepayment: { allowed: true, feeRate: '0.01' },
  amountMinMinor: '50000',
  amountMaxMinor: '10000000',
  coolingOffDays: 0,
} as const;

const products: Record<string, ProductDefinition> = {
  equal_installment: {
    ...common,
    code: 'sc-equal-installment',
    name: { zh: '等额本息', en: 'Equal installments' },
    method: 'equal_installment',
    termsOffered: [12],
    prices: [{ grade: 'A', kind: 'annual_rate', rate: '0.1440' }],
  },
  equal_principal: {
    ...common,
    code: 'sc-equal-principal',
    name: { zh: '等额本金', en: 'Equal principal' },
    method: 'equal_principal',
    termsOffered: [12],
    prices: [{ grade: 'A', kind: 'annual_rate', rate: '0.1200' }],
  },
  interest_first: {
    ...common,
    code: 'sc-interest-first',
    name: { zh: '先息后本', en: 'Interest first' },
    method: 'interest_first',
    termsOffered: [12],
    prices: [{ grade: 'A', kind: 'annual_rate', rate: '0.1200' }],
  },
  flat_fee: {
    ...common,
    code: 'sc-flat-fee',
    name: { zh: '等本等息', en: 'Flat fee' },
    method: 'flat_fee',
    termsOffered: [12],
    prices: [{ grade: 'A', kind: 'period_fee_rate', rate: '0.0060' }],
  },
  bullet: {
    ...common,
    code: 'sc-bullet',
    name: { zh: '一次性还本付息', en: 'Bullet' },
    method: 'bullet',
    termsOffered: [3, 6],
    prices: [{ grade: 'A', kind: 'annual_rate', rate: '0.1200' }],
  },
  daily: {
    ...common,
    code: 'sc-daily',
    name: { zh: '随借随还', en: 'Daily interest' },
    method: 'daily',
    termsOffered: [12],
    prices: [{ grade: 'A', kind: 'annual_rate', rate: '0.1200' }],
  },
};
/**
 * The loans: one per method, and a second bullet loan — a bullet has one installment, so the
 * 3-month one is paid late at maturity (2026-04-15, in the declined week) and the 6-month one is
 * paid off early (on 2026-05-10, the day the others prepay).
 */
const scenarios: { key: string; product: string; termCount: number }[] = [
  { key: 'equal_installment', product: 'equal_installment', termCount: 12 },
  { key: 'equal_principal', product: 'equal_principal', termCount: 12 },
  { key: 'interest_first', product: 'interest_first', termCount: 12 },
  { key: 'flat_fee', product: 'flat_fee', termCount: 12 },
  { key: 'bullet', product: 'bullet', termCount: 3 },
  { key: 'bullet_payoff', product: 'bullet', termCount: 6 },
  { key: 'daily', product: 'daily', termCount: 12 },
];
const methods = scenarios.map((s) => s.key);

type Figures = {
  /** Installments paid by auto-debit on their due dates before the late one. */
  onTime: string[];
  lateRepaidMinor: string;
  penaltyPaidMinor: string;
  prepaymentFeeMinor: string;
  payoffMinor: string;
  /** The ledger's income on the loan over the year: interest, fees, penalty. */
  income: { interest: string; fee: string; penalty: string };
  state: string;
};

const loans = new Map<string, string>();
const figures = new Map<string, Partial<Figures>>();

beforeAll(async () => {
  database = await createTestDatabase();
  await startOn(database.db, start);
  world = await startWorld(database, fixture);
  const operator = await signIn(
    database.db,
    world.server.config,
    await createStaff(database.db, world.server.config, ['operator']),
  );
  for (const definition of Object.values(products))
    await publishProduct(world.server, operator, world.staff.approver, definition);
  // A policy whose grade-A line covers the scenario products.
  await publishPolicy(
    world.server,
    world.staff,
    testPolicy(2, {
      offers: [
        {
          grade: 'A',
          creditLimit: '5000000',
          price: { kind: 'annual_rate', rate: '0.1440' },
          products: Object.values(products).map((p) => p.code),
        },
        {
          grade: 'B',
          creditLimit: '2000000',
          price: { kind: 'annual_rate', rate: '0.1800' },
          products: ['sc-bullet'],
        },
        {
          grade: 'C',
          creditLimit: '500000',
          price: { kind: 'annual_rate', rate: '0.2000' },
          products: ['sc-bullet'],
        },
      ],
    }),
  );
  merchant = await merchantWithWebhooks(world, {
    productCodes: Object.values(products).map((p) => p.code),
  });
  const who = await borrowerWithLine(world, database.db);
  payer = await withBoundCard(world, database, fixture, who);
}, 240_000);

afterAll(async () => {
  await world?.stop();
  await database?.drop();
});

/** Every payment order final and every consumer's delivery made: the day's effects are all in. */
async function settled(): Promise<void> {
  await until(async () => {
    const open = await sql<{ orders: number; deliveries: number }>`
      SELECT (SELECT count(*)::int FROM payment_orders WHERE state NOT IN ('succeeded', 'failed', 'bounced')) AS orders,
             (SELECT count(*)::int FROM outbox_deliveries WHERE state = 'pending' AND consumer NOT LIKE 'webhook:%') AS deliveries`.execute(
      database.db,
    );
    const row = open.rows[0];
    return row !== undefined && row.orders === 0 && row.deliveries === 0;
  });
}

/** Close of business for the open date through the cob module, as the scheduled job starts it. */
async function closeOfBusiness(): Promise<DateString> {
  const date = await getBusinessDate(database.db);
  await startRun(world.services, { date, startedBy: 'scenario' });
  await until(async () => {
    await workOnRun(world.services, 'scenario');
    return (await getRun(database.db, date)).status === 'done';
  });
  await settled();
  return date;
}

async function setDeclining(declining: boolean): Promise<void> {
  // biome-ignore lint/suspicious/noThenProperty: the simulator's rule protocol names the field; its value is an object
  const decline = { match: { kind: 'COLLECT' }, then: { fail: 'INSUFFICIENT_FUNDS' } };
  await fixture.client.setRules(declining ? [decline] : []);
}

async function borrowerPost(path: string, body: unknown) {
  const answer = await borrowerCall(world, payer, 'POST', path, body);
  expect(answer.status, answer.text).toBe(201);
  await settled();
  return answer.json as Record<string, unknown>;
}

/** Today's payoff quote, and the payoff at exactly that amount: the loan is paid off. */
async function payOff(loanId: string): Promise<string> {
  const quote = await borrowerCall(world, payer, 'GET', `/api/v1/borrower/loans/${loanId}/payoff-quote`);
  expect(quote.status, quote.text).toBe(200);
  const q = quote.json as Record<
    | 'totalMinor'
    | 'principalMinor'
    | 'interestMinor'
    | 'feeMinor'
    | 'penaltyMinor'
    | 'prepaymentFeeMinor'
    | 'prepaidPrincipalMinor'
    | 'quoteDate',
    string
  >;
  // The quote adds up, and its fee is the product's 1 % of the principal not yet due.
  expect(
    BigInt(q.principalMinor) +
      BigInt(q.interestMinor) +
      BigInt(q.feeMinor) +
      BigInt(q.penaltyMinor) +
      BigInt(q.prepaymentFeeMinor),
  ).toBe(BigInt(q.totalMinor));
  expect(BigInt(q.prepaymentFeeMinor)).toBe((BigInt(q.prepaidPrincipalMinor) + 50n) / 100n);
  await borrowerPost(`/api/v1/borrower/loans/${loanId}/payoff`, {
    amountMinor: q.totalMinor,
    quoteDate: q.quoteDate,
  });
  expect((await servicing(database.db, loanId)).account.status).toBe('paid_off');
  return q.totalMinor;
}

async function incomeOf(loanId: string) {
  const ledger = await loanLedger(database.db, loanId);
  return {
    interest: String(ledger['6011'] ?? 0n),
    fee: String(ledger['6021'] ?? 0n),
    penalty: String(ledger['6031'] ?? 0n),
  };
}

describe('a year of servicing, one loan per repayment method', () => {
  it('runs every loan day by day with ledger and servicing agreeing every day', async () => {
    for (const scenario of scenarios) {
      const definition = products[scenario.product];
      if (definition === undefined) throw new Error(scenario.product);
      const made = await createOrder(world, merchant, amountMinor, { productCode: definition.code });
      const accepted = await borrowerCall(
        world,
        payer,
        'POST',
        `/api/v1/borrower/checkout/${made.checkoutToken}/accept`,
        { termCount: scenario.termCount },
      );
      expect(accepted.status, accepted.text).toBe(201);
      const loanId = (accepted.json as { loan: { id: string } }).loan.id;
      await loanInState(world, loanId, 'active');
      await accountOpened(database.db, loanId);
      loans.set(scenario.key, loanId);
      figures.set(scenario.key, { onTime: [] });
    }
    let date = await getBusinessDate(database.db);
    while (date <= end) {
      // The borrower's own actions happen during the open day, before its close.
      if (date === '2026-04-15') await setDeclining(true);
      if (date === '2026-04-22') {
        await setDeclining(false);
        for (const method of methods) {
          const loanId = loans.get(method) ?? '';
          const { account, rows } = await servicing(database.db, loanId);
          if (account.status !== 'overdue') continue;
          const penaltyBefore = rows.reduce((s, r) => s + r.penalty_paid, 0n);
          const paid = await borrowerPost(`/api/v1/borrower/loans/${loanId}/repayments`, { what: 'all_due' });
          const after = await servicing(database.db, loanId);
          const fig = figures.get(method) ?? {};
          fig.lateRepaidMinor = String((paid as { amountMinor?: string }).amountMinor ?? '');
          fig.penaltyPaidMinor = String(after.rows.reduce((s, r) => s + r.penalty_paid, 0n) - penaltyBefore);
          // The 3-month bullet's one installment was all it owed: paying it late closes the loan.
          expect(after.account.status).toBe(method === 'bullet' ? 'paid_off' : 'active');
        }
      }
      if (date === '2026-05-10') {
        for (const method of methods) {
          const loanId = loans.get(method) ?? '';
          if (method === 'bullet_payoff') {
            figures.set(method, { ...figures.get(method), payoffMinor: await payOff(loanId) });
            continue;
          }
          if (method === 'flat_fee' || method === 'bullet') {
            // Flat fee has nothing to re-amortize (fees on the original principal): refused. The
            // 3-month bullet is paid off already: refused too. Nothing is collected either way.
            const refused = await borrowerCall(
              world,
              payer,
              'POST',
              `/api/v1/borrower/loans/${loanId}/prepayments`,
              { principalMinor: '100000', mode: 'reduce_payment' },
            );
            expect(refused.status, refused.text).toBe(method === 'bullet' ? 409 : 422);
            expect((refused.json as { code: string }).code).toBe(
              method === 'bullet' ? 'loan_not_repayable' : 'prepayment_invalid',
            );
            continue;
          }
          const mode = method === 'equal_principal' || method === 'daily' ? 'reduce_term' : 'reduce_payment';
          const prepaid = await borrowerPost(`/api/v1/borrower/loans/${loanId}/prepayments`, {
            principalMinor: '100000',
            mode,
          });
          const fig = figures.get(method) ?? {};
          fig.prepaymentFeeMinor = String((prepaid as { prepaymentFeeMinor: string }).prepaymentFeeMinor);
        }
      }
      if (date === '2026-08-03') {
        for (const method of methods) {
          const loanId = loans.get(method) ?? '';
          const { account } = await servicing(database.db, loanId);
          if (account.status === 'paid_off') continue;
          const fig = figures.get(method) ?? {};
          fig.payoffMinor = await payOff(loanId);
        }
      }
      const closed = await closeOfBusiness();
      for (const method of methods) {
        const loanId = loans.get(method) ?? '';
        await expectLedgerMatchesServicing(database.db, loanId);
        const { rows } = await servicing(database.db, loanId);
        const fig = figures.get(method) ?? {};
        for (const row of rows) {
          if (row.due_date === closed && row.status === 'paid' && closed < '2026-04-15')
            fig.onTime?.push(`${row.number}@${row.settled_on}`);
        }
      }
      date = await getBusinessDate(database.db);
    }
    for (const method of methods) {
      const loanId = loans.get(method) ?? '';
      const fig = figures.get(method) ?? {};
      fig.income = await incomeOf(loanId);
      fig.state = (await servicing(database.db, loanId)).account.status;
    }
    // The hand-checked figures. Auto-debit collects each installment the morning after its due
    // date's close, within the grace days, so installments 1 and 2 are paid with no penalty.
    // Penalty on the late installment 3 (due 04-15, paid 04-22): 7 days at the contract rate
    // + 50 %, ACT/360, on its overdue principal —
    //   equal installment: 479.15 × 21.6 % × 7 / 360 = 2.0124 → 2.01 (installment 539.85);
    //   equal principal and daily: 500.00 × 18 % × 7 / 360 = 1.75 (installment 500.00 + 50.00);
    //   interest first: installment 3 is interest only (60.00), no overdue principal, no penalty;
    //   flat fee: the fee rate 0.6 % a month is 7.2 % a year, +50 % = 10.8 %:
    //     500.00 × 10.8 % × 7 / 360 = 1.05 (installment 500.00 + 36.00 fee);
    //   bullet (3 months): 6,000.00 + 6,000.00 × 12 % × 90 / 360 = 6,180.00, and
    //     6,000.00 × 18 % × 7 / 360 = 21.00 penalty.
    // Prepayment fee: 1 % of the 1,000.00 prepaid = 10.00. Bullet paid off on 05-10 (115 days):
    // 6,000.00 + 6,000.00 × 12 % × 115 / 360 = 230.00 interest + 1 % × 6,000.00 = 60.00 fee.
    const paidOnTime = ['1@2026-02-16', '2@2026-03-16'];
    expect(Object.fromEntries(figures)).toEqual({
      equal_installment: {
        onTime: paidOnTime,
        lateRepaidMinor: '54186',
        penaltyPaidMinor: '201',
        prepaymentFeeMinor: '1000',
        payoffMinor: '238920',
        income: { interest: '34114', fee: '3348', penalty: '201' },
        state: 'paid_off',
      },
      equal_principal: {
        onTime: paidOnTime,
        lateRepaidMinor: '55175',
        penaltyPaidMinor: '175',
        prepaymentFeeMinor: '1000',
        payoffMinor: '203226',
        income: { interest: '27726', fee: '3000', penalty: '175' },
        state: 'paid_off',
      },
      interest_first: {
        onTime: paidOnTime,
        lateRepaidMinor: '6000',
        penaltyPaidMinor: '0',
        prepaymentFeeMinor: '1000',
        payoffMinor: '508065',
        income: { interest: '37065', fee: '6000', penalty: '0' },
        state: 'paid_off',
      },
      flat_fee: {
        onTime: paidOnTime,
        lateRepaidMinor: '53705',
        penaltyPaidMinor: '105',
        payoffMinor: '305206',
        income: { interest: '0', fee: '26806', penalty: '105' },
        state: 'paid_off',
      },
      bullet: {
        onTime: [],
        lateRepaidMinor: '620100',
        penaltyPaidMinor: '2100',
        income: { interest: '18000', fee: '0', penalty: '2100' },
        state: 'paid_off',
      },
      bullet_payoff: {
        onTime: [],
        payoffMinor: '629000',
        income: { interest: '23000', fee: '6000', penalty: '0' },
        state: 'paid_off',
      },
      daily: {
        onTime: paidOnTime,
        lateRepaidMinor: '55342',
        penaltyPaidMinor: '175',
        prepaymentFeeMinor: '1000',
        payoffMinor: '203267',
        income: { interest: '27867', fee: '3000', penalty: '175' },
        state: 'paid_off',
      },
    });
  });
});
