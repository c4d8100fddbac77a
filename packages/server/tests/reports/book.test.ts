import { type LocalDate, loanTerms, splitByShares } from '@fenqi/core';
import { Decimal } from 'decimal.js';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breakLapsedPromises } from '../../src/modules/collections/service.ts';
import { applyPayoff, applyRepayment, payoffQuoteOf } from '../../src/modules/servicing/service.ts';
import { getBusinessDate } from '../../src/platform/business-date.ts';
import { deliver, expectProblem, staff, subscribe } from '../collections/support.ts';
import { createStaff, type StaffCredentials, type StaffUser, signIn } from '../iam/support.ts';
import { cashProduct } from '../loans/support.ts';
import { publishProduct } from '../products/support.ts';
import { type SeededLoan, type SeedOptions, seedLoan } from '../servicing/seed.ts';
import { closeDaysThrough, loanLedger, servicing, startOn } from '../servicing/support.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// The management reports on a small book whose every loan is known: seeded servicing accounts
// (tests/servicing/seed.ts) taken through real close-of-business days, repayments, a payoff, a
// write-off, collections' cases, contact attempts and promises. Each loan is 3 equal-principal
// installments at 18 %, grace 3 days, due on the disbursal day of the next three months.
//
//   2026-01-15  J1 300,000 (own)      pays each installment the day before it is due; paid off 04-14
//               J2 450,000 (own)      never pays its installments; 100,000 on 04-10
//               J3 600,000 (own 30 % / bank 70 %), write-off at 31 DPD: written off 03-18
//               J4 150,000 (own)      paid off 02-10
//   2026-02-10  F1 240,000 (own)      never pays
//               F2 360,000 (own)      misses installment 1, pays everything due 04-05 (cured),
//                                     installment 2 the day before it is due
//   2026-03-20  C1 900,000 (own 30 % / bank 70 %) pays installment 1 the day before it is due
//   2026-04-27  A1 300,000 (own)
//   2026-05-06  D1 120,007 (own 33.33 % / bank 66.67 %), disbursed on the report date
// The reports are read on 2026-05-06 (January to April have ended).

const ownFunds = '00000000-0000-4000-8000-000000000001';

let database: TestDatabase;
let server: TestServer;
let operator: StaffCredentials;
let finance: StaffCredentials;
let collector: StaffCredentials;
let collectorUser: StaffUser;
let productVersion: string;
let bank: string;
let now = new Date('2026-01-15T02:00:00Z');
const loans: Record<string, SeededLoan> = {};
/** Amounts paid that the figures depend on: read back from the transactions. */
const paid: Record<string, { amountMinor: bigint; principalMinor: bigint }> = {};

const rate = (part: bigint, whole: bigint) =>
  whole === 0n
    ? '0.0000'
    : new Decimal(part.toString()).div(whole.toString()).toFixed(4, Decimal.ROUND_HALF_UP);

async function seed(name: string, principalMinor: bigint, options: SeedOptions = {}) {
  const start = (await getBusinessDate(database.db)) as LocalDate;
  const terms = loanTerms({
    principalMinor,
    method: 'equal_principal',
    termCount: 3,
    startDate: start,
    annualRate: new Decimal('0.18'),
  });
  const loan = await seedLoan(database.db, terms, {
    graceDays: 3,
    shares: [{ funderId: ownFunds, shareBp: 10_000 }],
    ...options,
  });
  // Repayments read the product's allocation order and give principal back to the credit line.
  await sql`UPDATE servicing_accounts SET product_version_id = ${productVersion} WHERE loan_id = ${loan.loanId}`.execute(
    database.db,
  );
  await sql`INSERT INTO credit_exposures (customer_id) VALUES (${loan.customerId})`.execute(database.db);
  await sql`
    INSERT INTO credit_lines (id, customer_id, application_id, currency, limit_minor, granted_limit_minor, revolving,
                              product_codes, expires_on, granted_on)
    SELECT line_id, customer_id, 'seed-' || loan_id, 'CNY', 10000000, 10000000, false, ARRAY['seeded'],
           '2030-12-31', opened_on
    FROM servicing_accounts WHERE loan_id = ${loan.loanId}`.execute(database.db);
  loans[name] = loan;
  return loan;
}

const loan = (name: string) => {
  const found = loans[name];
  if (found === undefined) throw new Error(`no loan ${name}`);
  return found;
};

async function offline(name: string, amountMinor: bigint, ref: string) {
  await database.db.transaction().execute((trx) =>
    applyRepayment(trx, {
      loanId: loan(name).loanId,
      amountMinor,
      kind: 'offline',
      sourceRef: `offline:${ref}`,
      channel: 'offline',
      collected: true,
    }),
  );
  const row = await sql<{ amount_minor: string; principal_minor: string }>`
    SELECT amount_minor::text, principal_minor::text FROM servicing_transactions
    WHERE source_ref = ${`offline:${ref}`}`.execute(database.db);
  const got = row.rows[0];
  if (got === undefined) throw new Error(`no transaction ${ref}`);
  paid[ref] = { amountMinor: BigInt(got.amount_minor), principalMinor: BigInt(got.principal_minor) };
  await deliver(server, database.db);
}

/** What the current installment bills and nobody paid yet (principal, interest, fee). */
async function currentInstallment(name: string) {
  const { account, rows } = await servicing(database.db, loan(name).loanId);
  const row = rows.find((r) => r.number === account.cur_number);
  if (row === undefined) throw new Error('no current installment');
  return (
    row.principal_due -
    row.principal_paid +
    (row.interest_due - row.interest_paid) +
    (row.fee_due - row.fee_paid)
  );
}

/** Everything past due with its penalty, and a little more for the day's penalty (kept as credit). */
async function pastDue(name: string) {
  const { rows } = await servicing(database.db, loan(name).loanId);
  return rows
    .filter((r) => r.status === 'due')
    .reduce(
      (sum, r) =>
        sum +
        (r.principal_due - r.principal_paid) +
        (r.interest_due - r.interest_paid) +
        (r.fee_due - r.fee_paid) +
        (r.penalty_accrued - r.penalty_paid),
      10_000n,
    );
}

async function caseOf(name: string): Promise<string> {
  const row = await sql<{ id: string }>`
    SELECT id FROM collections_cases WHERE loan_id = ${loan(name).loanId} ORDER BY created_at DESC LIMIT 1`.execute(
    database.db,
  );
  const id = row.rows[0]?.id;
  if (id === undefined) throw new Error(`no case for ${name}`);
  return id;
}

async function closeThrough(date: string) {
  await closeDaysThrough(database.db, date);
  await deliver(server, database.db);
}

const get = (who: StaffCredentials, path: string) => staff(server, who).get(path);

async function report(path: string) {
  const response = await get(operator, path);
  expect(response.status, response.text).toBe(200);
  return response.json as Record<string, unknown>;
}

beforeAll(async () => {
  database = await createTestDatabase();
  await startOn(database.db, '2026-01-15');
  await subscribe(database.db);
  server = await startTestServer(database, { accessControl: 'iam', clock: () => now });
  const make = async (roles: string[]) => {
    const user = await createStaff(database.db, server.config, roles);
    return { user, credentials: await signIn(database.db, server.config, user) };
  };
  operator = (await make(['operator'])).credentials;
  finance = (await make(['finance'])).credentials;
  const approver = (await make(['approver'])).credentials;
  const c = await make(['collector']);
  collector = c.credentials;
  collectorUser = c.user;
  productVersion = await publishProduct(server, operator, approver, cashProduct);
  const funder = await staff(server, finance).send('POST', '/api/v1/funders', {
    code: 'BANK_R',
    name: '报表银行',
    kind: 'bank',
    quotaMinor: '100000000',
  });
  expect(funder.status, funder.text).toBe(201);
  bank = (funder.json as { id: string }).id;
  // Every overdue loan's case goes to the one agent.
  const manage = staff(server, operator);
  expect(
    (await manage.send('POST', '/api/v1/collections/queues', { code: 'agents', name: 'Agents' })).status,
  ).toBe(201);
  const member = await manage.send('POST', '/api/v1/collections/queues/agents/members', {
    agentId: collectorUser.id,
    capacity: 50,
  });
  expect(member.status, member.text).toBe(200);
  const strategy = await manage.send('POST', '/api/v1/collections/strategies', {
    code: 'default',
    definition: {
      rules: [
        {
          buckets: ['M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7'],
          queue: 'agents',
          handler: 'agent',
          steps: [{ dpdFrom: 1, action: 'agent_call', channel: 'voice' }],
        },
      ],
    },
  });
  expect(strategy.status, strategy.text).toBe(201);
  expect(
    (await manage.send('POST', '/api/v1/collections/strategies/default/versions/1/publish')).status,
  ).toBe(200);

  // ---- January ----
  await seed('J1', 300_000n);
  await seed('J2', 450_000n);
  await seed('J3', 600_000n, {
    writeOffDpd: 31,
    shares: [
      { funderId: ownFunds, shareBp: 3000 },
      { funderId: bank, shareBp: 7000 },
    ],
  });
  await seed('J4', 150_000n);
  await closeThrough('2026-02-09');
  // ---- 2026-02-10 ----
  await seed('F1', 240_000n);
  await seed('F2', 360_000n);
  const quote = await payoffQuoteOf(database.db, loan('J4').loanId);
  await database.db.transaction().execute((trx) =>
    applyPayoff(trx, {
      loanId: loan('J4').loanId,
      amountMinor: quote.totalMinor,
      sourceRef: 'offline:j4-payoff',
      source: '1002.01',
      channel: 'offline',
    }),
  );
  await closeThrough('2026-02-13');
  await offline('J1', await currentInstallment('J1'), 'j1-i1'); // 02-14
  await closeThrough('2026-03-13');
  await offline('J1', await currentInstallment('J1'), 'j1-i2'); // 03-14
  await closeThrough('2026-03-19');
  // ---- 2026-03-20 ----
  await seed('C1', 900_000n, {
    shares: [
      { funderId: ownFunds, shareBp: 3000 },
      { funderId: bank, shareBp: 7000 },
    ],
  });
  await closeThrough('2026-04-04');
  // ---- 2026-04-05: F2 cured; contact attempts on J2's case; two promises ----
  now = new Date('2026-04-05T02:00:00Z'); // 10:00 in Shanghai
  await offline('F2', await pastDue('F2'), 'f2-cure');
  const agent = staff(server, collector);
  const j2Case = await caseOf('J2');
  const target = await agent.send('POST', `/api/v1/collections/cases/${j2Case}/targets`, {
    role: 'debtor',
    relation: 'self',
    phone: '13900000001',
  });
  expect(target.status, target.text).toBe(201);
  const targetId = (target.json as { id: string }).id;
  const attempt = (outcome: string) =>
    agent.send('POST', `/api/v1/collections/cases/${j2Case}/contacts`, {
      targetId,
      channel: 'voice',
      outcome,
    });
  expect((await attempt('connected')).status).toBe(201);
  now = new Date('2026-04-05T03:00:00Z');
  expect((await attempt('unanswered')).status).toBe(201);
  now = new Date('2026-04-05T15:00:00Z'); // 23:00 in Shanghai: quiet hours
  expectProblem(await attempt('connected'), 422, 'contact_refused');
  now = new Date('2026-04-05T04:00:00Z');
  for (const [name, promisedDate, amountMinor] of [
    ['J2', '2026-04-10', '100000'],
    ['F1', '2026-04-08', '50000'],
  ] as const) {
    const promised = await agent.send('POST', `/api/v1/collections/cases/${await caseOf(name)}/promises`, {
      promisedDate,
      amountMinor,
    });
    expect(promised.status, promised.text).toBe(201);
  }
  await closeThrough('2026-04-08');
  // ---- 2026-04-09: F1's promise broken; F2 pays installment 2 ahead ----
  const broken = await database.db
    .transaction()
    .execute(async (trx) => breakLapsedPromises(trx, await getBusinessDate(trx)));
  expect(broken).toBe(1);
  await offline('F2', await currentInstallment('F2'), 'f2-i2');
  await closeThrough('2026-04-09');
  // ---- 2026-04-10: J2 keeps its promise ----
  await offline('J2', 100_000n, 'j2-part');
  await closeThrough('2026-04-13');
  await offline('J1', await currentInstallment('J1'), 'j1-i3'); // 04-14: paid off
  await closeThrough('2026-04-18');
  await offline('C1', await currentInstallment('C1'), 'c1-i1'); // 04-19
  await closeThrough('2026-04-26');
  await seed('A1', 300_000n); // 04-27
  await closeThrough('2026-05-05');
  await seed('D1', 120_007n, {
    shares: [
      { funderId: ownFunds, shareBp: 3333 },
      { funderId: bank, shareBp: 6667 },
    ],
  });
  now = new Date('2026-05-06T02:00:00Z');
}, 300_000);

afterAll(async () => {
  await server?.close();
  await database?.drop();
});

/** J2's principal after its 100,000 of 04-10. */
const j2Principal = () => 450_000n - (paid['j2-part']?.principalMinor ?? 0n);

describe('the book as it stands (2026-05-06, closed through 05-05)', () => {
  it('has the states the scenario says', async () => {
    const rows = await sql<{ loan_id: string; status: string; bucket: string; dpd: number }>`
      SELECT loan_id, status, bucket, dpd FROM servicing_accounts`.execute(database.db);
    const of = (name: string) => rows.rows.find((r) => r.loan_id === loan(name).loanId);
    expect(of('J1')).toMatchObject({ status: 'paid_off' });
    expect(of('J2')).toMatchObject({ status: 'overdue', bucket: 'M3', dpd: 79 });
    expect(of('J3')).toMatchObject({ status: 'written_off' });
    expect(of('J4')).toMatchObject({ status: 'paid_off' });
    expect(of('F1')).toMatchObject({ status: 'overdue', bucket: 'M2', dpd: 56 });
    expect(of('F2')).toMatchObject({ status: 'active', bucket: 'M0' });
    expect(of('C1')).toMatchObject({ status: 'active', bucket: 'M0' });
    // J2's 100,000 paid the penalty and interest first, then some principal.
    const part = paid['j2-part'];
    expect(part?.principalMinor).toBeGreaterThan(0n);
    expect(part?.principalMinor).toBeLessThan(100_000n);
  });
});

describe('GET /api/v1/reports/portfolio', () => {
  it('answers the open loans, what they owe, by bucket and by status', async () => {
    const body = await report('/api/v1/reports/portfolio');
    const open = ['J2', 'F1', 'F2', 'C1', 'A1', 'D1'];
    // Interest, fee and penalty: what the ledger holds for the open loans (none is non-accrual).
    const ledger = { interest: 0n, fee: 0n, penalty: 0n };
    for (const name of open) {
      const balances = await loanLedger(database.db, loan(name).loanId);
      ledger.interest += balances['1132'] ?? 0n;
      ledger.fee += balances['1133'] ?? 0n;
      ledger.penalty += balances['1134'] ?? 0n;
    }
    expect(ledger.interest).toBeGreaterThan(0n);
    expect(ledger.penalty).toBeGreaterThan(0n);
    const principal = 1_830_007n - (450_000n - j2Principal());
    const m0 = 120_000n + 600_000n + 300_000n + 120_007n;
    expect(body).toEqual({
      businessDate: '2026-05-06',
      closedThroughEarliest: '2026-05-05',
      loans: 6,
      outstandingPrincipalMinor: String(principal),
      outstandingInterestMinor: String(ledger.interest),
      outstandingFeeMinor: String(ledger.fee),
      outstandingPenaltyMinor: String(ledger.penalty),
      outstandingTotalMinor: String(principal + ledger.interest + ledger.fee + ledger.penalty),
      byBucket: [
        { bucket: 'M0', loans: 4, principalMinor: String(m0), share: rate(m0, principal) },
        { bucket: 'M1', loans: 0, principalMinor: '0', share: '0.0000' },
        { bucket: 'M2', loans: 1, principalMinor: '240000', share: rate(240_000n, principal) },
        {
          bucket: 'M3',
          loans: 1,
          principalMinor: String(j2Principal()),
          share: rate(j2Principal(), principal),
        },
        { bucket: 'M4', loans: 0, principalMinor: '0', share: '0.0000' },
        { bucket: 'M5', loans: 0, principalMinor: '0', share: '0.0000' },
        { bucket: 'M6', loans: 0, principalMinor: '0', share: '0.0000' },
        { bucket: 'M7', loans: 0, principalMinor: '0', share: '0.0000' },
      ],
      byStatus: [
        { status: 'active', loans: 4, principalMinor: String(m0) },
        { status: 'overdue', loans: 2, principalMinor: String(240_000n + j2Principal()) },
        { status: 'paid_off', loans: 2, principalMinor: '0' },
        { status: 'written_off', loans: 1, principalMinor: '600000' },
      ],
    });
  });
});

describe('GET /api/v1/reports/disbursements', () => {
  it('answers today, the month, every one of the last 30 dates and the last 12 months', async () => {
    const body = (await report('/api/v1/reports/disbursements')) as {
      daily: { date: string; loans: number; amountMinor: string }[];
    } & Record<string, unknown>;
    expect(body.businessDate).toBe('2026-05-06');
    expect(body.today).toEqual({ loans: 1, amountMinor: '120007' });
    expect(body.month).toEqual({ loans: 1, amountMinor: '120007' });
    expect(body.daily).toHaveLength(30);
    expect(body.daily[0]?.date).toBe('2026-04-07');
    expect(body.daily.at(-1)?.date).toBe('2026-05-06');
    expect(body.daily.filter((d) => d.loans > 0)).toEqual([
      { date: '2026-04-27', loans: 1, amountMinor: '300000' },
      { date: '2026-05-06', loans: 1, amountMinor: '120007' },
    ]);
    expect(body.daily.filter((d) => d.loans === 0).every((d) => d.amountMinor === '0')).toBe(true);
    const zero = (month: string) => ({ month, loans: 0, amountMinor: '0' });
    expect(body.monthly).toEqual([
      zero('2025-06'),
      zero('2025-07'),
      zero('2025-08'),
      zero('2025-09'),
      zero('2025-10'),
      zero('2025-11'),
      zero('2025-12'),
      { month: '2026-01', loans: 4, amountMinor: '1500000' },
      { month: '2026-02', loans: 2, amountMinor: '600000' },
      { month: '2026-03', loans: 1, amountMinor: '900000' },
      { month: '2026-04', loans: 1, amountMinor: '300000' },
      { month: '2026-05', loans: 1, amountMinor: '120007' },
    ]);
    const one = (await report('/api/v1/reports/disbursements?days=1')) as { daily: unknown[] };
    expect(one.daily).toEqual([{ date: '2026-05-06', loans: 1, amountMinor: '120007' }]);
  });
});

describe('GET /api/v1/reports/funnel', () => {
  it('counts the range’s loans disbursed (seeded loans are cash drawdowns, without orders or applications)', async () => {
    const stages = (counts: number[]) =>
      ['applications', 'approved', 'referred', 'rejected', 'orders', 'accepted', 'disbursed'].map(
        (stage, i) => ({
          stage,
          count: counts[i],
        }),
      );
    // By default the 30 days to today, 04-07 to 05-06: A1 (04-27) and D1 (05-06).
    expect(await report('/api/v1/reports/funnel')).toEqual({
      from: '2026-04-07',
      to: '2026-05-06',
      stages: stages([0, 0, 0, 0, 0, 0, 2]),
      inReview: 0,
      drawdownsDisbursed: 2,
    });
    expect(await report('/api/v1/reports/funnel?from=2026-01-01&to=2026-02-28')).toMatchObject({
      from: '2026-01-01',
      to: '2026-02-28',
      stages: stages([0, 0, 0, 0, 0, 0, 6]),
      drawdownsDisbursed: 6,
    });
  });
});

describe('GET /api/v1/reports/vintages', () => {
  it('answers each disbursal month’s M1+ principal at every month end that has passed', async () => {
    const point = (mob: number, monthEnd: string, loans: number, principal: bigint, cohort: bigint) => ({
      mob,
      monthEnd,
      m1PlusLoans: loans,
      m1PlusPrincipalMinor: String(principal),
      m1PlusRate: rate(principal, cohort),
    });
    // January: J2 (31+ DPD from 03-18) and J3 (written off 03-18) at the end of March and April;
    // J2's principal at the end of April is less its 04-10 repayment's principal.
    expect(await report('/api/v1/reports/vintages')).toEqual({
      businessDate: '2026-05-06',
      cohorts: [
        {
          month: '2026-01',
          loans: 4,
          principalMinor: '1500000',
          points: [
            point(1, '2026-02-28', 0, 0n, 1_500_000n),
            point(2, '2026-03-31', 2, 1_050_000n, 1_500_000n),
            point(3, '2026-04-30', 2, 600_000n + j2Principal(), 1_500_000n),
          ],
        },
        {
          month: '2026-02',
          loans: 2,
          principalMinor: '600000',
          points: [point(1, '2026-03-31', 0, 0n, 600_000n), point(2, '2026-04-30', 1, 240_000n, 600_000n)],
        },
        {
          month: '2026-03',
          loans: 1,
          principalMinor: '900000',
          points: [point(1, '2026-04-30', 0, 0n, 900_000n)],
        },
        { month: '2026-04', loans: 1, principalMinor: '300000', points: [] },
        { month: '2026-05', loans: 1, principalMinor: '120007', points: [] },
      ],
    });
    expect(point(2, '', 2, 1_050_000n, 1_500_000n).m1PlusRate).toBe('0.7000');
    const three = (await report('/api/v1/reports/vintages?months=3')) as { cohorts: { month: string }[] };
    expect(three.cohorts.map((c) => c.month)).toEqual(['2026-03', '2026-04', '2026-05']);
  });
});

describe('GET /api/v1/reports/roll-rates', () => {
  it('answers each ended month’s rolls from the buckets of the month end before', async () => {
    const totals = (counts: Partial<Record<string, number>>) =>
      ['M0', 'M1', 'M2', 'M3', 'M4', 'M5', 'M6', 'M7'].map((bucket) => ({
        bucket,
        loans: counts[bucket] ?? 0,
      }));
    const empty = (month: string) => ({ month, fromTotals: totals({}), matrix: [] });
    expect(await report('/api/v1/reports/roll-rates')).toEqual({
      businessDate: '2026-05-06',
      months: [
        empty('2025-11'),
        empty('2025-12'),
        empty('2026-01'),
        {
          month: '2026-02',
          fromTotals: totals({ M0: 4 }),
          matrix: [
            { from: 'M0', to: 'M0', loans: 1, rate: '0.2500' },
            { from: 'M0', to: 'M1', loans: 2, rate: '0.5000' },
            { from: 'M0', to: 'paid_off', loans: 1, rate: '0.2500' },
          ],
        },
        {
          month: '2026-03',
          fromTotals: totals({ M0: 3, M1: 2 }),
          matrix: [
            { from: 'M0', to: 'M0', loans: 1, rate: '0.3333' },
            { from: 'M0', to: 'M1', loans: 2, rate: '0.6667' },
            { from: 'M1', to: 'M2', loans: 1, rate: '0.5000' },
            { from: 'M1', to: 'written_off', loans: 1, rate: '0.5000' },
          ],
        },
        {
          month: '2026-04',
          fromTotals: totals({ M0: 2, M1: 2, M2: 1 }),
          matrix: [
            { from: 'M0', to: 'M0', loans: 1, rate: '0.5000' },
            { from: 'M0', to: 'paid_off', loans: 1, rate: '0.5000' },
            { from: 'M1', to: 'M0', loans: 1, rate: '0.5000' },
            { from: 'M1', to: 'M2', loans: 1, rate: '0.5000' },
            { from: 'M2', to: 'M3', loans: 1, rate: '1.0000' },
          ],
        },
      ],
    });
    const one = (await report('/api/v1/reports/roll-rates?months=1')) as { months: { month: string }[] };
    expect(one.months.map((m) => m.month)).toEqual(['2026-04']);
  });
});

describe('GET /api/v1/reports/collections', () => {
  const kinds = (offline: { count: number; amountMinor: bigint } | null) =>
    ['repayment', 'auto_debit', 'offline', 'payoff', 'prepayment'].map((kind) => ({
      kind,
      count: kind === 'offline' && offline ? offline.count : 0,
      amountMinor: kind === 'offline' && offline ? String(offline.amountMinor) : '0',
    }));

  it('answers a day’s money, contact attempts, promises and cases', async () => {
    const cure = paid['f2-cure']?.amountMinor ?? 0n;
    expect(await report('/api/v1/reports/collections?date=2026-04-05')).toEqual({
      date: '2026-04-05',
      repayments: { count: 1, amountMinor: String(cure) },
      byKind: kinds({ count: 1, amountMinor: cure }),
      reversals: { count: 0, amountMinor: '0' },
      contacts: { attempts: 3, connected: 1, refused: 1 },
      promises: { made: 2, kept: 0, broken: 0 },
      // J2 and F1 (J3's case closed with its write-off on 03-18, F2's with its cure today).
      casesOpen: 2,
      casesOpened: 0,
      casesClosed: 1,
    });
    const second = paid['f2-i2']?.amountMinor ?? 0n;
    expect(await report('/api/v1/reports/collections?date=2026-04-09')).toMatchObject({
      repayments: { count: 1, amountMinor: String(second) },
      contacts: { attempts: 0, connected: 0, refused: 0 },
      promises: { made: 0, kept: 0, broken: 1 },
      casesOpen: 2,
    });
    expect(await report('/api/v1/reports/collections?date=2026-04-10')).toMatchObject({
      repayments: { count: 1, amountMinor: '100000' },
      promises: { made: 0, kept: 1, broken: 0 },
    });
    // F1 and F2 fell overdue past their 3 grace days on 03-14; J1 paid its second installment.
    expect(await report('/api/v1/reports/collections?date=2026-03-14')).toMatchObject({
      repayments: { count: 1, amountMinor: String(paid['j1-i2']?.amountMinor) },
      casesOpen: 4,
      casesOpened: 2,
      casesClosed: 0,
    });
    // J4's payoff on 02-10 is a payoff.
    const payoff = (await report('/api/v1/reports/collections?date=2026-02-10')) as {
      byKind: { kind: string; count: number }[];
    };
    expect(payoff.byKind.find((k) => k.kind === 'payoff')?.count).toBe(1);
  });

  it('defaults to today', async () => {
    expect(await report('/api/v1/reports/collections')).toEqual({
      date: '2026-05-06',
      repayments: { count: 0, amountMinor: '0' },
      byKind: kinds(null),
      reversals: { count: 0, amountMinor: '0' },
      contacts: { attempts: 0, connected: 0, refused: 0 },
      promises: { made: 0, kept: 0, broken: 0 },
      casesOpen: 2,
      casesOpened: 0,
      casesClosed: 0,
    });
  });
});

describe('GET /api/v1/reports/funders', () => {
  it('splits each open loan’s principal between its funders exactly', async () => {
    const [ownD1, bankD1] = splitByShares(120_007n, [3333, 6667]);
    expect([ownD1, bankD1]).toEqual([39_998n, 80_009n]);
    const own = j2Principal() + 240_000n + 120_000n + 180_000n + 300_000n + 39_998n;
    const ofBank = 420_000n + 80_009n;
    const total = own + ofBank;
    expect(await report('/api/v1/reports/funders')).toEqual({
      businessDate: '2026-05-06',
      funders: [
        {
          funderId: ownFunds,
          code: 'OWN',
          name: '自有资金 Own funds',
          loans: 6,
          outstandingPrincipalMinor: String(own),
          share: rate(own, total),
        },
        {
          funderId: bank,
          code: 'BANK_R',
          name: '报表银行',
          loans: 2,
          outstandingPrincipalMinor: String(ofBank),
          share: rate(ofBank, total),
        },
      ],
      totalOutstandingPrincipalMinor: String(total),
    });
  });
});

describe('access and input', () => {
  const paths = [
    '/api/v1/reports/portfolio',
    '/api/v1/reports/disbursements',
    '/api/v1/reports/funnel',
    '/api/v1/reports/vintages',
    '/api/v1/reports/roll-rates',
    '/api/v1/reports/collections',
    '/api/v1/reports/funders',
  ];

  it('needs reports:read: a collector is refused, finance reads', async () => {
    for (const path of paths) {
      expectProblem(await get(collector, path), 403, 'forbidden');
      expect((await get(finance, path)).status, path).toBe(200);
    }
  });

  it('refuses bad query input with 400 problem+json', async () => {
    const bad: [string, string | undefined][] = [
      ['/api/v1/reports/disbursements?days=0', 'days'],
      ['/api/v1/reports/disbursements?days=367', 'days'],
      ['/api/v1/reports/disbursements?days=ten', 'days'],
      ['/api/v1/reports/vintages?months=37', 'months'],
      ['/api/v1/reports/roll-rates?months=0', 'months'],
      ['/api/v1/reports/funnel?from=2026-02-30', 'from'],
      ['/api/v1/reports/funnel?from=2026-03-01&to=2026-02-01', 'from'],
      ['/api/v1/reports/collections?date=2026-05-07', 'date'],
      ['/api/v1/reports/collections?date=yesterday', 'date'],
      ['/api/v1/reports/portfolio?bucket=M1', undefined],
    ];
    for (const [path, field] of bad) {
      const problem = expectProblem(await get(operator, path), 400, 'validation_failed');
      if (field !== undefined)
        expect(
          (problem.errors as { path: string }[]).map((e) => e.path),
          path,
        ).toContain(field);
    }
  });
});

describe('collections cases of the caller', () => {
  it('agentId=me lists the signed-in agent’s cases', async () => {
    const mine = await get(collector, '/api/v1/collections/cases?agentId=me&open=true');
    expect(mine.status, mine.text).toBe(200);
    const items = (mine.json as { items: { loanId: string; agentId: string }[] }).items;
    expect(items.map((i) => i.loanId).sort()).toEqual([loan('J2').loanId, loan('F1').loanId].sort());
    expect(items.every((i) => i.agentId === collectorUser.id)).toBe(true);
    const all = await get(collector, '/api/v1/collections/cases?agentId=me');
    expect((all.json as { items: unknown[] }).items).toHaveLength(4);
    // Someone with no cases has none.
    const none = await get(operator, '/api/v1/collections/cases?agentId=me');
    expect((none.json as { items: unknown[] }).items).toEqual([]);
  });
});
