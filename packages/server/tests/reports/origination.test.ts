import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGeneration } from '../../src/modules/bureau/service.ts';
import { reconcile } from '../../src/modules/payments/reconcile.ts';
import { merchantNo, useSim } from '../channel-sim/support.ts';
import { expectProblem } from '../collections/support.ts';
import { createStaff, type StaffCredentials, signIn } from '../iam/support.ts';
import {
  acceptedLoanId,
  type Borrower,
  borrowerWithLine,
  createOrder,
  loanInState,
  merchantWithWebhooks,
  startWorld,
  until,
  type World,
} from '../loans/support.ts';
import type { OnboardedMerchant } from '../merchants/support.ts';
import { type Applicant, applicant, apply, publishPolicy, testPolicy } from '../risk/support.ts';
import { closeDaysThrough, startOn } from '../servicing/support.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { http } from '../support/server.ts';

// The approval funnel and the console's read endpoints on real origination: credit applications
// decided by the published policy (two approved, one referred to review, one rejected), merchant
// orders accepted and disbursed through the channel simulator (its callbacks), the channel's
// statement reconciled, and bureau submissions of the records the disbursements gave.

const fixture = useSim();
let database: TestDatabase;
let world: World;
let merchant: OnboardedMerchant;
let operator: StaffCredentials;
let finance: StaffCredentials;
let analyst: StaffCredentials;
let first: Borrower;
let second: Borrower;
let referred: Applicant;
let rejected: Applicant;
const loanIds: string[] = [];
const date = '2026-01-15';

const get = (who: StaffCredentials, path: string) =>
  http(world.server.baseUrl, 'GET', path, { headers: who.headers(false) });
const post = (who: StaffCredentials, path: string, body: unknown) =>
  http(world.server.baseUrl, 'POST', path, {
    body,
    headers: { ...who.headers(true), 'idempotency-key': randomUUID() },
  });

async function ok<T>(who: StaffCredentials, path: string): Promise<T> {
  const response = await get(who, path);
  expect(response.status, response.text).toBe(200);
  return response.json as T;
}

beforeAll(async () => {
  database = await createTestDatabase();
  await startOn(database.db, date);
  world = await startWorld(database, fixture, { NOTIFICATIONS_PROVIDER: 'disabled' });
  // Orders finishing from now on settle on the business date (the statement reconciled below).
  expect((await fixture.client.admin('PUT', '/admin/settlement-date', { date })).status).toBe(200);
  const make = async (roles: string[]) =>
    signIn(database.db, world.server.config, await createStaff(database.db, world.server.config, roles));
  operator = await make(['operator']);
  finance = await make(['finance']);
  analyst = await make(['risk_analyst']);
  merchant = await merchantWithWebhooks(world);
  first = await borrowerWithLine(world, database.db);
  second = await borrowerWithLine(world, database.db);
  referred = await applicant(world.server, database.db, '1969-06-15'); // 56: the policy refers to review
  expect((await apply(world.server, referred)).json).toMatchObject({ status: 'in_review' });
  // The policy's second version rejects applicants under 20 (a rule, not the eligibility check).
  const base = testPolicy();
  await publishPolicy(
    world.server,
    world.staff,
    testPolicy(2, {
      rules: [
        ...(base.rules as unknown[]),
        {
          id: 'R004',
          when: { feature: 'age', op: '<', value: 20 },
          action: 'reject',
          reason: 'R004_TOO_YOUNG',
        },
      ],
    }),
  );
  rejected = await applicant(world.server, database.db, '2006-06-15'); // 19
  expect((await apply(world.server, rejected)).json).toMatchObject({ status: 'rejected' });
  for (const who of [first, second]) {
    const made = await createOrder(world, merchant, 300_000n);
    const loanId = await acceptedLoanId(world, who, made.checkoutToken, 3);
    await loanInState(world, loanId, 'active');
    loanIds.push(loanId);
  }
  await createOrder(world, merchant, 120_000n); // never accepted
}, 240_000);

afterAll(async () => {
  await world?.stop();
  await database?.drop();
});

describe('GET /api/v1/reports/funnel on real applications and orders', () => {
  it('counts each stage of the day', async () => {
    expect(await ok(operator, `/api/v1/reports/funnel?from=${date}&to=${date}`)).toEqual({
      from: date,
      to: date,
      stages: [
        { stage: 'applications', count: 4 },
        { stage: 'approved', count: 2 },
        { stage: 'referred', count: 1 },
        { stage: 'rejected', count: 1 },
        { stage: 'orders', count: 3 },
        { stage: 'accepted', count: 2 },
        { stage: 'disbursed', count: 2 },
      ],
      inReview: 1,
      drawdownsDisbursed: 0,
    });
    // The default range is the 30 days to today.
    expect(await ok(operator, '/api/v1/reports/funnel')).toMatchObject({ from: '2025-12-17', to: date });
    const disbursed = await ok<{ today: unknown }>(operator, '/api/v1/reports/disbursements?days=1');
    expect(disbursed.today).toEqual({ loans: 2, amountMinor: '600000' });
  });
});

type Application = {
  id: string;
  customerId: string;
  status: string;
  decision: { id: string; outcome: string; grade: string | null };
};

describe('GET /api/v1/risk/applications', () => {
  it('lists a customer’s applications with their decision, whose trace replays', async () => {
    const page = await ok<{ applications: Application[]; next: string | null }>(
      analyst,
      `/api/v1/risk/applications?customerId=${first.customerId}`,
    );
    expect(page.next).toBeNull();
    expect(page.applications).toHaveLength(1);
    expect(page.applications[0]).toMatchObject({
      customerId: first.customerId,
      status: 'approved',
      lineId: first.lineId,
      decision: { outcome: 'approve', grade: 'A' },
    });
    const replay = await ok<{ matches: boolean }>(
      analyst,
      `/api/v1/risk/decisions/${page.applications[0]?.decision.id}/replay`,
    );
    expect(replay.matches).toBe(true);
  });

  it('filters by status and outcome, newest first, a page at a time', async () => {
    const inReview = await ok<{ applications: Application[] }>(
      analyst,
      '/api/v1/risk/applications?status=in_review',
    );
    expect(inReview.applications.map((a) => a.customerId)).toEqual([referred.customerId]);
    expect(inReview.applications[0]?.decision.outcome).toBe('review');
    const rejects = await ok<{ applications: Application[] }>(
      analyst,
      '/api/v1/risk/applications?outcome=reject',
    );
    expect(rejects.applications.map((a) => a.customerId)).toEqual([rejected.customerId]);
    const all = await ok<{ applications: Application[] }>(analyst, '/api/v1/risk/applications');
    // Newest first: the order they were made in, reversed.
    expect(all.applications.map((a) => a.customerId)).toEqual([
      rejected.customerId,
      referred.customerId,
      second.customerId,
      first.customerId,
    ]);
    const one = await ok<{ applications: Application[]; next: string }>(
      analyst,
      '/api/v1/risk/applications?limit=3',
    );
    expect(one.applications).toEqual(all.applications.slice(0, 3));
    expect(one.next).toBe(all.applications[2]?.id);
    const rest = await ok<{ applications: Application[]; next: string | null }>(
      analyst,
      `/api/v1/risk/applications?limit=3&before=${one.next}`,
    );
    expect(rest).toEqual({ applications: all.applications.slice(3), next: null });
    const none = await ok<{ applications: Application[] }>(
      analyst,
      `/api/v1/risk/applications?to=2026-01-14`,
    );
    expect(none.applications).toEqual([]);
  });

  it('refuses bad filters and callers without risk:read', async () => {
    for (const path of [
      '/api/v1/risk/applications?customerId=nobody',
      '/api/v1/risk/applications?status=granted',
      '/api/v1/risk/applications?limit=201',
      `/api/v1/risk/applications?before=${randomUUID()}`,
      '/api/v1/risk/applications?from=2026-01-16&to=2026-01-15',
    ])
      expectProblem(await get(analyst, path), 400, 'validation_failed');
    expectProblem(await get(operator, '/api/v1/risk/applications'), 403, 'forbidden');
  });
});

type Callback = {
  channel: string;
  txnId: string;
  status: string;
  orderNo: string;
  outcome: string;
  amountMinor: string;
};

describe('GET /api/v1/payments/callbacks', () => {
  it('lists the channel’s callbacks, by order, a page at a time', async () => {
    const loan = await ok<{ disbursementOrderNo: string }>(operator, `/api/v1/loans/${loanIds[0]}`);
    const orderNo = loan.disbursementOrderNo;
    const ofOrder = await until(async () => {
      const page = await ok<{ callbacks: Callback[] }>(
        operator,
        `/api/v1/payments/callbacks?orderNo=${orderNo}`,
      );
      return page.callbacks.length > 0 ? page.callbacks : false;
    });
    expect(ofOrder.every((c) => c.orderNo === orderNo)).toBe(true);
    expect(ofOrder).toContainEqual(expect.objectContaining({ channel: 'simulated', outcome: 'applied' }));
    const all = await ok<{ callbacks: Callback[]; next: string | null }>(
      operator,
      '/api/v1/payments/callbacks',
    );
    expect(all.callbacks.length).toBeGreaterThanOrEqual(2);
    const firstPage = await ok<{ callbacks: Callback[]; next: string }>(
      operator,
      '/api/v1/payments/callbacks?limit=1',
    );
    expect(firstPage.callbacks).toEqual(all.callbacks.slice(0, 1));
    const secondPage = await ok<{ callbacks: Callback[] }>(
      operator,
      `/api/v1/payments/callbacks?limit=1&before=${firstPage.next}`,
    );
    expect(secondPage.callbacks).toEqual(all.callbacks.slice(1, 2));
    expectProblem(
      await get(operator, '/api/v1/payments/callbacks?before=not-a-cursor'),
      400,
      'validation_failed',
    );
    expectProblem(await get(operator, '/api/v1/payments/callbacks?orderNo=X1'), 400, 'validation_failed');
    expectProblem(await get(analyst, '/api/v1/payments/callbacks'), 403, 'forbidden');
  });
});

/** A statement file in the simulator's format (docs/payments.md), its digest computed. */
function statementText(day: string, rows: { txnId: string; orderNo: string; amountFen: bigint }[]): string {
  const gross = rows.reduce((sum, row) => sum + row.amountFen, 0n);
  const lines = [
    `# FQSIM STATEMENT v1,${merchantNo},${day}`,
    'txn_id,order_no,kind,status,amount_fen,fee_fen,finished_at',
    ...rows.map((r) =>
      [r.txnId, r.orderNo, 'COLLECT', 'SUCCEEDED', r.amountFen, 0, `${day}T02:00:00.000Z`].join(','),
    ),
    `# SUMMARY,count=${rows.length},gross_fen=${gross},fee_fen=0,refund_fen=0,net_fen=${gross}`,
  ];
  const body = lines.map((line) => `${line}\n`).join('');
  return `${body}# SHA256,${createHash('sha256').update(body).digest('hex')}\n`;
}

type Reconciliation = {
  id: string;
  statementDate: string;
  rows: number;
  matched: number;
  differences: number;
  ledger: { ok: boolean };
};

describe('GET /api/v1/payments/reconciliations', () => {
  it('lists the reconciliations, the latest statement first, each with its differences', async () => {
    const made = await post(operator, '/api/v1/payments/reconciliations', { channel: 'simulated', date });
    expect(made.status, made.text).toBe(200);
    const report = made.json as { rows: number; matched: number };
    expect(report.rows).toBeGreaterThanOrEqual(2);
    // A statement of the next day with a collection Fenqi never made: a channel_only difference.
    await reconcile(world.services, {
      channel: 'simulated',
      date: '2026-01-16',
      text: statementText('2026-01-16', [
        { txnId: 'T-NOT-OURS-1', orderNo: 'FQ20260116NOTOURS0001', amountFen: 5_000n },
      ]),
    });
    const page = await ok<{ reconciliations: Reconciliation[]; next: string | null }>(
      operator,
      '/api/v1/payments/reconciliations',
    );
    expect(page.next).toBeNull();
    expect(page.reconciliations.map((r) => r.statementDate)).toEqual(['2026-01-16', date]);
    expect(page.reconciliations[1]).toMatchObject({
      statementDate: date,
      rows: report.rows,
      matched: report.matched,
      differences: 0,
      ledger: { ok: true },
    });
    expect(page.reconciliations[0]).toMatchObject({
      rows: 1,
      matched: 0,
      grossMinor: '5000',
      differences: 1,
    });

    const [latest, earlier] = page.reconciliations;
    const detail = await ok<{
      differencesByKind: Record<string, number>;
      exceptions: { kind: string; orderNo: string; statementId: string }[];
    }>(operator, `/api/v1/payments/reconciliations/${latest?.id}`);
    expect(detail).toMatchObject({ ...latest });
    expect(detail.differencesByKind).toEqual({
      channel_only: 1,
      ours_only: 0,
      amount_mismatch: 0,
      status_mismatch: 0,
      bounced_payout: 0,
      ledger_mismatch: 0,
    });
    expect(detail.exceptions).toEqual([
      expect.objectContaining({
        kind: 'channel_only',
        orderNo: 'FQ20260116NOTOURS0001',
        statementId: latest?.id,
      }),
    ]);
    const clean = await ok<{ exceptions: unknown[] }>(
      operator,
      `/api/v1/payments/reconciliations/${earlier?.id}`,
    );
    expect(clean.exceptions).toEqual([]);

    const paged = await ok<{ reconciliations: Reconciliation[]; next: string }>(
      operator,
      '/api/v1/payments/reconciliations?limit=1',
    );
    expect(paged.reconciliations.map((r) => r.id)).toEqual([latest?.id]);
    const rest = await ok<{ reconciliations: Reconciliation[]; next: string | null }>(
      operator,
      `/api/v1/payments/reconciliations?limit=1&before=${paged.next}`,
    );
    expect(rest.reconciliations.map((r) => r.id)).toEqual([earlier?.id]);
    const filtered = await ok<{ reconciliations: Reconciliation[] }>(
      operator,
      `/api/v1/payments/reconciliations?channel=simulated&to=${date}`,
    );
    expect(filtered.reconciliations.map((r) => r.id)).toEqual([earlier?.id]);

    expectProblem(await get(operator, '/api/v1/payments/reconciliations/999999'), 404, 'not_found');
    expectProblem(await get(operator, '/api/v1/payments/reconciliations/x'), 400, 'validation_failed');
    expectProblem(
      await get(operator, '/api/v1/payments/reconciliations?before=999999'),
      400,
      'validation_failed',
    );
    expectProblem(
      await get(operator, '/api/v1/payments/reconciliations?from=2026-01-16&to=2026-01-15'),
      400,
      'validation_failed',
    );
    expectProblem(await get(analyst, '/api/v1/payments/reconciliations'), 403, 'forbidden');
  });
});

type Submission = { id: string; rangeFrom: string; rangeTo: string; records: number; excludedCount: number };

describe('GET /api/v1/bureau/submissions', () => {
  it('lists the submissions, newest first, without identities or files', async () => {
    // The bureau's consumer queues each disbursement (the outbox delivers it); the T+1 generation
    // of the day after makes their new-account records.
    await until(async () => {
      const queued = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM bureau_events WHERE kind = 'disbursed'`.execute(database.db);
      return (queued.rows[0]?.n ?? 0) >= 2;
    });
    await closeDaysThrough(database.db, date);
    const generated = await runGeneration(world.services, { date: '2026-01-16', now: new Date() });
    expect(generated.records).toBe(2);
    const made: Submission[] = [];
    for (const range of [
      { from: date, to: date },
      { from: '2026-01-16', to: '2026-01-31' },
    ]) {
      const file = await post(finance, '/api/v1/bureau/submissions', range);
      expect(file.status, file.text).toBe(201);
      made.push(file.json as Submission);
    }
    expect(made[0]?.records).toBe(2);
    const page = await ok<{ submissions: Record<string, unknown>[]; next: string | null }>(
      operator,
      '/api/v1/bureau/submissions',
    );
    expect(page.next).toBeNull();
    expect(page.submissions.map((s) => s.id)).toEqual([made[1]?.id, made[0]?.id]);
    expect(page.submissions[1]).toMatchObject({
      rangeFrom: date,
      rangeTo: date,
      records: 2,
      excludedCount: 0,
      corrects: null,
    });
    expect(page.submissions[1]).not.toHaveProperty('excluded');
    const one = await ok<{ submissions: Submission[]; next: string }>(
      operator,
      '/api/v1/bureau/submissions?limit=1',
    );
    expect(one.submissions.map((s) => s.id)).toEqual([made[1]?.id]);
    const rest = await ok<{ submissions: Submission[]; next: string | null }>(
      operator,
      `/api/v1/bureau/submissions?limit=1&before=${one.next}`,
    );
    expect(rest.submissions.map((s) => s.id)).toEqual([made[0]?.id]);
    const ofDay = await ok<{ submissions: Submission[] }>(operator, `/api/v1/bureau/submissions?to=${date}`);
    expect(ofDay.submissions.map((s) => s.id)).toEqual([made[0]?.id]);
    expectProblem(
      await get(operator, `/api/v1/bureau/submissions?before=${randomUUID()}`),
      400,
      'validation_failed',
    );
    expectProblem(
      await get(operator, '/api/v1/bureau/submissions?corrections=maybe'),
      400,
      'validation_failed',
    );
    expectProblem(await get(analyst, '/api/v1/bureau/submissions'), 403, 'forbidden');
  });
});
