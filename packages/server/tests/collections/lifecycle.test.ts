import type { LocalDate } from '@fenqi/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breakLapsedPromises } from '../../src/modules/collections/service.ts';
import {
  applyPayoff,
  applyRepayment,
  payoffQuoteOf,
  waivableOf,
} from '../../src/modules/servicing/service.ts';
import { getBusinessDate } from '../../src/platform/business-date.ts';
import { createStaff, type StaffCredentials, type StaffUser, signIn } from '../iam/support.ts';
import { cashProduct } from '../loans/support.ts';
import { publishProduct } from '../products/support.ts';
import type { SeededLoan } from '../servicing/seed.ts';
import { closeDay, closeDaysThrough, servicing, startOn } from '../servicing/support.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import {
  caseOfLoan,
  collectionsCounts,
  count,
  deliver,
  expectProblem,
  seedLoans,
  staff,
  subscribe,
} from './support.ts';

// A case's life from servicing's real events: opened and routed by the published strategy when
// close of business makes the loan overdue, promises kept and broken, resolved when the loan is
// current or paid off, written off with it; agencies scoped to their cases; a waiver through
// maker-checker into the ledger.

let database: TestDatabase;
let server: TestServer;
let operator: StaffCredentials;
let collector: StaffCredentials;
let collectorUser: StaffUser;
let approver: StaffCredentials;
let agencyStaff: StaffCredentials;
let agencyUser: StaffUser;
let loans: SeededLoan[];
let writeOff: SeededLoan;
let goodAgency: string;
let staleAgency: string;
const now = new Date('2026-04-12T02:00:00Z');

async function repay(loanId: string, amountMinor: bigint, ref: string) {
  await database.db.transaction().execute((trx) =>
    applyRepayment(trx, {
      loanId,
      amountMinor,
      kind: 'offline',
      sourceRef: `offline:${ref}`,
      channel: 'offline',
      collected: true,
    }),
  );
}

const caseId = async (loan: SeededLoan) => {
  const row = await caseOfLoan(database.db, loan.loanId);
  if (row === undefined) throw new Error(`no case for ${loan.loanId}`);
  return row.id;
};

beforeAll(async () => {
  database = await createTestDatabase();
  await startOn(database.db, '2026-03-01');
  await subscribe(database.db);
  server = await startTestServer(database, { accessControl: 'iam', clock: () => now });
  const make = async (roles: string[]) => {
    const user = await createStaff(database.db, server.config, roles);
    return { user, credentials: await signIn(database.db, server.config, user) };
  };
  operator = (await make(['operator'])).credentials;
  const c = await make(['collector']);
  collector = c.credentials;
  collectorUser = c.user;
  approver = (await make(['approver'])).credentials;
  const a = await make(['collector']);
  agencyStaff = a.credentials;
  agencyUser = a.user;

  const manage = staff(server, operator);
  for (const queue of [
    { code: 'm1-agents', name: 'M1 agents' },
    { code: 'm4-agency', name: 'M4+ agencies' },
  ])
    expect((await manage.send('POST', '/api/v1/collections/queues', queue)).status).toBe(201);
  const member = await manage.send('POST', '/api/v1/collections/queues/m1-agents/members', {
    agentId: collectorUser.id,
    capacity: 50,
  });
  expect(member.status, member.text).toBe(200);
  const good = await manage.send('POST', '/api/v1/collections/agencies', {
    name: '诚信催收服务有限公司',
    queue: 'm4-agency',
    reviewDate: '2026-01-10',
    capacity: 100,
  });
  expect(good.status, good.text).toBe(201);
  goodAgency = (good.json as { id: string }).id;
  const stale = await manage.send('POST', '/api/v1/collections/agencies', {
    name: 'Stale Agency Ltd',
    queue: 'm4-agency',
    reviewDate: '2025-02-01',
    capacity: 100,
  });
  expect(stale.json).toMatchObject({ reviewLapsed: true });
  staleAgency = (stale.json as { id: string }).id;
  expect(
    (
      await manage.send('POST', `/api/v1/collections/agencies/${goodAgency}/members`, {
        staffUserId: agencyUser.id,
      })
    ).status,
  ).toBe(200);
  const strategy = await manage.send('POST', '/api/v1/collections/strategies', {
    code: 'default',
    definition: {
      rules: [
        {
          buckets: ['M1'],
          queue: 'm1-agents',
          handler: 'agent',
          steps: [
            { dpdFrom: 1, action: 'sms_reminder', channel: 'sms' },
            { dpdFrom: 5, action: 'agent_call', channel: 'voice' },
          ],
        },
        {
          buckets: ['M4', 'M5', 'M6', 'M7'],
          queue: 'm4-agency',
          handler: 'agency',
          steps: [{ dpdFrom: 91, action: 'agency' }],
        },
      ],
    },
  });
  expect(strategy.status, strategy.text).toBe(201);
  expect(strategy.json).toMatchObject({ version: 1, status: 'draft' });
  const published = await manage.send('POST', '/api/v1/collections/strategies/default/versions/1/publish');
  expect(published.status, published.text).toBe(200);

  loans = await seedLoans(database.db, '2026-03-01' as LocalDate, 6);
  writeOff = (
    await seedLoans(database.db, '2026-03-01' as LocalDate, 1, { writeOffDpd: 31 })
  )[0] as SeededLoan;
  // Repayments read the product's allocation order: the seeded accounts get a published product.
  const productVersion = await publishProduct(server, operator, approver, cashProduct);
  await sql`UPDATE servicing_accounts SET product_version_id = ${productVersion}`.execute(database.db);
  // …and the credit line a repayment of principal restores: a line with nothing drawn (the seed
  // skipped origination), so the restore is nothing.
  await sql`INSERT INTO credit_exposures (customer_id) SELECT customer_id FROM servicing_accounts`.execute(
    database.db,
  );
  await sql`
    INSERT INTO credit_lines (id, customer_id, application_id, currency, limit_minor, granted_limit_minor, revolving,
                              product_codes, expires_on, granted_on)
    SELECT line_id, customer_id, 'seed-' || loan_id, 'CNY', 10000000, 10000000, false, ARRAY['seeded'],
           '2030-12-31', '2026-03-01'
    FROM servicing_accounts`.execute(database.db);
  // The first installments fall due on 2026-04-01; ten days on, every loan is overdue (M1).
  await closeDaysThrough(database.db, '2026-04-11');
  await deliver(server, database.db);
}, 240_000);

afterAll(async () => {
  await server?.close();
  await database?.drop();
});

describe('cases from servicing events', () => {
  it('opens one case per overdue loan and routes it to the queue’s agent by the published strategy', async () => {
    for (const loan of [...loans, writeOff]) {
      const row = await caseOfLoan(database.db, loan.loanId);
      expect(row).toMatchObject({ state: 'assigned', agent_id: collectorUser.id, agency_id: null });
    }
    const detail = await staff(server, collector).get(
      `/api/v1/collections/cases/${await caseId(loans[0] as SeededLoan)}`,
    );
    expect(detail.status, detail.text).toBe(200);
    const body = detail.json as {
      case: Record<string, unknown>;
      history: { event: string; toState: string }[];
    };
    expect(body.case).toMatchObject({
      bucket: 'M1',
      dpd: 10,
      queue: 'm1-agents',
      strategy: { code: 'default', version: 1 },
      timeZone: 'Asia/Shanghai',
      // Overdue past the 3 grace days after the 2026-04-01 due date.
      openedOn: '2026-04-05',
    });
    expect(BigInt(body.case.overdueMinor as string)).toBeGreaterThan(0n);
    expect(body.history.map((h) => `${h.event}→${h.toState}`)).toEqual([
      'open→unassigned',
      'assign→assigned',
    ]);
    // Delivered again, nothing changes: one open case per loan.
    await deliver(server, database.db);
    expect(await count(database.db, 'collections_cases')).toBe(7);
  });

  it('lists cases per agent with server-side filters and pages', async () => {
    const call = staff(server, collector);
    const first = await call.get(`/api/v1/collections/cases?agentId=${collectorUser.id}&limit=4`);
    expect(first.status, first.text).toBe(200);
    const page = first.json as { items: { id: string }[]; next: string | null };
    expect(page.items).toHaveLength(4);
    const second = await call.get(
      `/api/v1/collections/cases?agentId=${collectorUser.id}&limit=4&after=${page.next}`,
    );
    expect((second.json as { items: unknown[]; next: null }).items).toHaveLength(3);
    expect((second.json as { next: null }).next).toBeNull();
    const none = await call.get('/api/v1/collections/cases?bucket=M2');
    expect((none.json as { items: unknown[] }).items).toHaveLength(0);
    // One customer's cases, as the customer 360 view asks for them.
    const owner = await sql<{ customer_id: string; n: number }>`
      SELECT customer_id, count(*)::int AS n FROM collections_cases GROUP BY customer_id
      ORDER BY customer_id LIMIT 1`.execute(database.db);
    const { customer_id: customerId, n } = owner.rows[0] as { customer_id: string; n: number };
    const ofCustomer = await call.get(`/api/v1/collections/cases?customerId=${customerId}`);
    expect(ofCustomer.status, ofCustomer.text).toBe(200);
    const items = (ofCustomer.json as { items: { customerId: string }[] }).items;
    expect(items).toHaveLength(n);
    expect(items.every((item) => item.customerId === customerId)).toBe(true);
    const bad = await call.get('/api/v1/collections/cases?customerId=not-a-uuid');
    expect(bad.status, bad.text).toBe(400);
    expect(bad.json).toMatchObject({ errors: [{ in: 'query', path: 'customerId' }] });
  });

  it('resolves the case when a repayment makes the loan current', async () => {
    const loan = loans[0] as SeededLoan;
    const id = await caseId(loan);
    const { rows } = await servicing(database.db, loan.loanId);
    const due = rows.filter((r) => r.status === 'due');
    const owed = due.reduce(
      (s, r) =>
        s +
        r.principal_due -
        r.principal_paid +
        r.interest_due -
        r.interest_paid +
        r.fee_due +
        r.penalty_accrued,
      0n,
    );
    await repay(loan.loanId, owed + 10_000n, 'current-1');
    await deliver(server, database.db);
    const row = await caseOfLoan(database.db, loan.loanId);
    expect(row).toMatchObject({ id, state: 'resolved' });
    const detail = await staff(server, collector).get(`/api/v1/collections/cases/${id}`);
    expect(detail.json).toMatchObject({
      case: { state: 'resolved', closeReason: 'current', closedOn: '2026-04-12' },
    });
  });

  it('keeps a promise to pay when the promised amount arrives by its date', async () => {
    const loan = loans[1] as SeededLoan;
    const id = await caseId(loan);
    const promised = await staff(server, collector).send('POST', `/api/v1/collections/cases/${id}/promises`, {
      promisedDate: '2026-04-15',
      amountMinor: '50000',
    });
    expect(promised.status, promised.text).toBe(201);
    expect((await caseOfLoan(database.db, loan.loanId))?.state).toBe('promised_to_pay');
    const second = await staff(server, collector).send('POST', `/api/v1/collections/cases/${id}/promises`, {
      promisedDate: '2026-04-16',
      amountMinor: '1000',
    });
    expectProblem(second, 409, 'promise_open_exists');
    await repay(loan.loanId, 30_000n, 'ptp-1');
    await repay(loan.loanId, 20_000n, 'ptp-2');
    await deliver(server, database.db);
    const detail = await staff(server, collector).get(`/api/v1/collections/cases/${id}`);
    expect(detail.json).toMatchObject({
      case: { state: 'in_progress' },
      promises: [{ status: 'kept', amountMinor: '50000', paidMinor: '50000', settledOn: '2026-04-12' }],
    });
  });

  it('refuses a promise dated in the past or beyond 30 days, writing nothing', async () => {
    const id = await caseId(loans[2] as SeededLoan);
    const before = await collectionsCounts(database.db);
    const past = await staff(server, collector).send('POST', `/api/v1/collections/cases/${id}/promises`, {
      promisedDate: '2026-04-11',
      amountMinor: '0',
    });
    const problem = expectProblem(past, 422, 'promise_invalid');
    expect((problem.errors as { path: string }[]).map((e) => e.path)).toEqual([
      'promisedDate',
      'amountMinor',
    ]);
    const far = await staff(server, collector).send('POST', `/api/v1/collections/cases/${id}/promises`, {
      promisedDate: '2026-05-13',
      amountMinor: '100',
    });
    expectProblem(far, 422, 'promise_invalid');
    expect(await collectionsCounts(database.db)).toEqual(before);
  });

  it('breaks a promise whose date closed unpaid', async () => {
    const loan = loans[2] as SeededLoan;
    const id = await caseId(loan);
    const promised = await staff(server, collector).send('POST', `/api/v1/collections/cases/${id}/promises`, {
      promisedDate: '2026-04-12',
      amountMinor: '80000',
    });
    expect(promised.status, promised.text).toBe(201);
    await closeDay(database.db); // 2026-04-12 closes unpaid
    await deliver(server, database.db);
    const broken = await database.db
      .transaction()
      .execute(async (trx) => breakLapsedPromises(trx, await getBusinessDate(trx)));
    expect(broken).toBe(1);
    const detail = await staff(server, collector).get(`/api/v1/collections/cases/${id}`);
    expect(detail.json).toMatchObject({
      case: { state: 'broken_promise' },
      promises: [{ status: 'broken', paidMinor: '0', settledOn: '2026-04-13' }],
    });
  });

  it('resolves the case when the loan is paid off', async () => {
    const loan = loans[3] as SeededLoan;
    const quote = await payoffQuoteOf(database.db, loan.loanId);
    await database.db.transaction().execute((trx) =>
      applyPayoff(trx, {
        loanId: loan.loanId,
        amountMinor: quote.totalMinor,
        sourceRef: 'offline:payoff-1',
        source: '1002.01',
        channel: 'offline',
      }),
    );
    await deliver(server, database.db);
    expect(await caseOfLoan(database.db, loan.loanId)).toMatchObject({ state: 'resolved' });
  });
});

describe('agencies', () => {
  it('refuses to assign a case to an agency whose review lapsed over a year ago', async () => {
    const id = await caseId(loans[4] as SeededLoan);
    const before = await collectionsCounts(database.db);
    const refused = await staff(server, operator).send('POST', `/api/v1/collections/cases/${id}/assign`, {
      agencyId: staleAgency,
    });
    expect(expectProblem(refused, 409, 'agency_review_lapsed')).toMatchObject({ reviewDate: '2025-02-01' });
    expect(await collectionsCounts(database.db)).toEqual(before);
  });

  it('shows agency staff only their agency’s cases: anything else is not found', async () => {
    const ours = await caseId(loans[4] as SeededLoan);
    const theirs = await caseId(loans[5] as SeededLoan);
    const assigned = await staff(server, operator).send('POST', `/api/v1/collections/cases/${ours}/assign`, {
      agencyId: goodAgency,
    });
    expect(assigned.status, assigned.text).toBe(200);
    expect(assigned.json).toMatchObject({
      state: 'transferred_to_agency',
      agencyId: goodAgency,
      agentId: null,
    });
    const call = staff(server, agencyStaff);
    const list = await call.get('/api/v1/collections/cases?limit=100');
    expect(list.status, list.text).toBe(200);
    expect((list.json as { items: { id: string }[] }).items.map((c) => c.id)).toEqual([ours]);
    expect((await call.get(`/api/v1/collections/cases/${ours}`)).status).toBe(200);
    expectProblem(await call.get(`/api/v1/collections/cases/${theirs}`), 404, 'not_found');
    const target = await call.send('POST', `/api/v1/collections/cases/${theirs}/targets`, {
      role: 'debtor',
      relation: 'self',
      phone: '13800000001',
    });
    expectProblem(target, 404, 'not_found');
    expectProblem(
      await call.send('POST', `/api/v1/collections/cases/${theirs}/promises`, {
        promisedDate: '2026-04-20',
        amountMinor: '100',
      }),
      404,
      'not_found',
    );
    // No management for agency staff, and no way around the scope through the filters.
    expectProblem(await call.get('/api/v1/collections/agencies'), 403, 'forbidden');
    const filtered = await call.get(`/api/v1/collections/cases?agentId=${collectorUser.id}`);
    expect((filtered.json as { items: unknown[] }).items).toHaveLength(0);
  });
});

describe('waivers', () => {
  it('applies a waiver only after a checker of its tier approves it: posted to the ledger, the installment waived', async () => {
    const loan = loans[5] as SeededLoan;
    const id = await caseId(loan);
    const waivable = await waivableOf(database.db, loan.loanId);
    expect(waivable.penaltyMinor).toBeGreaterThan(0n);
    const requested = await staff(server, collector).send('POST', `/api/v1/collections/cases/${id}/waivers`, {
      penaltyMinor: String(waivable.penaltyMinor),
      feeMinor: '0',
      interestMinor: '0',
      reason: '困难减免：借款人失业，已提供证明 (hardship: unemployed, evidence on file)',
    });
    expect(requested.status, requested.text).toBe(201);
    const body = requested.json as {
      approvalRequestId: string;
      approvalAction: string;
      waiver: { id: string; tier: string };
    };
    expect(body).toMatchObject({
      approvalAction: 'collections.approve-waiver-team-lead',
      waiver: { tier: 'team_lead', status: 'requested' },
    });
    // Nothing waived while it waits.
    expect(await count(database.db, 'servicing_transactions', sql`kind = 'waiver'`)).toBe(0);
    // The maker cannot approve it.
    const own = await staff(server, collector).send(
      'POST',
      `/api/v1/approvals/${body.approvalRequestId}/approve`,
      {},
    );
    expect(own.status).toBe(403);
    const approved = await staff(server, approver).send(
      'POST',
      `/api/v1/approvals/${body.approvalRequestId}/approve`,
      {},
    );
    expect(approved.status, approved.text).toBe(200);
    expect(approved.json).toMatchObject({ status: 'approved' });
    const tx = await sql<{ id: string; penalty_minor: bigint; entry_id: bigint | null }>`
      SELECT id, penalty_minor, entry_id FROM servicing_transactions
      WHERE source_ref = ${`collections-waiver:${body.waiver.id}`}`.execute(database.db);
    expect(tx.rows).toHaveLength(1);
    expect(tx.rows[0]?.penalty_minor).toBe(waivable.penaltyMinor);
    expect(tx.rows[0]?.entry_id).not.toBeNull();
    const { rows } = await servicing(database.db, loan.loanId);
    expect(rows.reduce((s, r) => s + r.penalty_waived, 0n)).toBe(waivable.penaltyMinor);
    const detail = await staff(server, collector).get(`/api/v1/collections/cases/${id}`);
    expect(detail.json).toMatchObject({
      waivers: [
        {
          id: body.waiver.id,
          status: 'applied',
          transactionId: tx.rows[0]?.id,
          penaltyMinor: String(waivable.penaltyMinor),
        },
      ],
    });
  });

  it('refuses a waiver of nothing or of more than is owed past due, writing nothing', async () => {
    const loan = loans[4] as SeededLoan;
    const id = await caseId(loan);
    const waivable = await waivableOf(database.db, loan.loanId);
    const before = await collectionsCounts(database.db);
    const zero = await staff(server, collector).send('POST', `/api/v1/collections/cases/${id}/waivers`, {
      penaltyMinor: '0',
      feeMinor: '0',
      interestMinor: '0',
      reason: 'nothing',
    });
    expectProblem(zero, 422, 'collections_waiver_invalid');
    const over = await staff(server, collector).send('POST', `/api/v1/collections/cases/${id}/waivers`, {
      penaltyMinor: '0',
      feeMinor: '0',
      interestMinor: String(waivable.interestMinor + 1n),
      reason: 'too much',
    });
    expect(
      (expectProblem(over, 422, 'collections_waiver_invalid').errors as { path: string }[])[0]?.path,
    ).toBe('interestMinor');
    expect(await collectionsCounts(database.db)).toEqual(before);
  });
});

describe('write-off', () => {
  it('writes the case off when close of business writes the loan off', async () => {
    // 31 days past the 2026-04-01 due date: the seeded loan's write-off DPD.
    await closeDaysThrough(database.db, '2026-05-02');
    await deliver(server, database.db);
    expect(await caseOfLoan(database.db, writeOff.loanId)).toMatchObject({ state: 'written_off' });
    const detail = await staff(server, collector).get(`/api/v1/collections/cases/${await caseId(writeOff)}`);
    expect(detail.json).toMatchObject({ case: { state: 'written_off', closeReason: 'written_off' } });
    // The other open cases moved to M2 with their loans.
    expect(await caseOfLoan(database.db, (loans[2] as SeededLoan).loanId)).toMatchObject({
      state: 'broken_promise',
    });
    const m2 = await staff(server, collector).get('/api/v1/collections/cases?bucket=M2&open=true');
    expect((m2.json as { items: unknown[] }).items.length).toBeGreaterThan(0);
  });
});
