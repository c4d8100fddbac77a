import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { challengerBucket } from '../../src/modules/risk/applications.ts';
import { signInBorrower } from '../iam/support.ts';
import { http, startTestServer, testKeys, useTestServer } from '../support/server.ts';

const fenqiBin = fileURLToPath(new URL('../../bin/fenqi.js', import.meta.url));
function fenqi(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [fenqiBin, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

import {
  accept,
  applicant,
  apply,
  publishPolicy,
  riskStaff,
  type Staff,
  testPolicy,
  write,
} from './support.ts';

// Credit applications end to end over HTTP: policies written and published through maker-checker
// (and refused above the APR cap), applications approved with a line, rejected, sent to review and
// decided there; champion and challenger both evaluated; every stored decision replayed exactly;
// the per-person cap held under 20 concurrent applications; and refused applications write nothing.

const { database, server } = useTestServer({ accessControl: 'iam' });
let staff: Staff;
let businessDate: string;
let year: number;

/** A birth date that makes the applicant `age` on the business date. */
const bornYearsAgo = (age: number) => `${year - age}${businessDate.slice(4)}`;

type Application = {
  id: string;
  status: string;
  reasons: string[];
  lineId: string | null;
  limitMinor: string | null;
  decision: {
    id: string;
    outcome: string;
    score: number;
    grade: string | null;
    role: string;
    price: unknown;
    products: string[];
  };
};

const counts = async () =>
  (
    await sql<{ applications: number; decisions: number; snapshots: number; reviews: number }>`
      SELECT (SELECT count(*)::int FROM risk_applications) AS applications,
             (SELECT count(*)::int FROM risk_decisions) AS decisions,
             (SELECT count(*)::int FROM risk_snapshots) AS snapshots,
             (SELECT count(*)::int FROM risk_reviews) AS reviews`.execute(database.db)
  ).rows[0];

beforeAll(async () => {
  staff = await riskStaff(database.db, server.config);
  businessDate = String(
    (await sql<{ d: string }>`SELECT business_date::text AS d FROM business_date`.execute(database.db))
      .rows[0]?.d,
  );
  year = Number(businessDate.slice(0, 4));
});

describe('policies', () => {
  it('before any policy is published an application is refused, and nothing is written', async () => {
    const who = await applicant(server, database.db, bornYearsAgo(35));
    const before = await counts();
    const refused = await apply(server, who);
    expect(refused.json).toMatchObject({ status: 409, code: 'risk_policy_missing' });
    expect(await counts()).toEqual(before);
  });

  it('a draft with mistakes is refused with every issue at its path', async () => {
    const bad = testPolicy(90, { grades: [{ grade: 'A', minScore: 'high' }], offers: [] });
    const refused = await http(server.baseUrl, 'POST', '/api/v1/risk/policies', {
      body: {
        document: { ...bad, features: { ...(bad.features as object), courtExecutee: { type: 'boolean' } } },
      },
      headers: write(staff.analyst),
    });
    expect(refused.status).toBe(422);
    expect(refused.json).toMatchObject({ code: 'policy_invalid' });
    const paths = (refused.json as { errors: { path: string }[] }).errors.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['document/grades/0/minScore', 'document/offers']));
  });

  it('a policy naming a feature Fenqi does not compute is refused, naming it', async () => {
    const policy = testPolicy(91);
    const refused = await http(server.baseUrl, 'POST', '/api/v1/risk/policies', {
      body: {
        document: {
          ...policy,
          features: { ...(policy.features as object), courtExecutee: { type: 'boolean' } },
        },
      },
      headers: write(staff.analyst),
    });
    expect(refused.json).toMatchObject({
      status: 422,
      code: 'policy_invalid',
      errors: [
        {
          path: 'document/features/courtExecutee',
          message: 'courtExecutee: not a feature Fenqi computes',
          code: 'feature_not_computed',
        },
      ],
    });
  });

  it('a policy above the APR cap cannot be published: the request names the grade and term', async () => {
    const policy = testPolicy(92);
    const offers = (policy.offers as { grade: string; price: object }[]).map((offer) =>
      offer.grade === 'C' ? { ...offer, price: { kind: 'period_fee_rate', rate: '0.0200' } } : offer,
    );
    const draft = await http(server.baseUrl, 'POST', '/api/v1/risk/policies', {
      body: { document: { ...policy, offers } },
      headers: write(staff.analyst),
    });
    expect(draft.status).toBe(201);
    const versionId = (draft.json as { id: string }).id;
    const refused = await http(
      server.baseUrl,
      'POST',
      `/api/v1/risk/policies/${versionId}/publish-requests`,
      {
        body: { role: 'champion', terms: [12], reason: 'too dear' },
        headers: write(staff.analyst),
      },
    );
    expect(refused.json).toMatchObject({ status: 422, code: 'policy_above_apr_cap' });
    const errors = (refused.json as { errors: { path: string; message: string }[] }).errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]?.path).toBe('document/offers/2/price/rate');
    expect(errors[0]?.message).toContain('grade C');
    expect(errors[0]?.message).toContain('12');
    const version = await http(server.baseUrl, 'GET', `/api/v1/risk/policies/${versionId}`, {
      headers: staff.analyst.headers(false),
    });
    expect(version.json).toMatchObject({ status: 'draft', role: null });
  });

  it('keeps the same APR_CAP as loan products: under a cap of 16 % the 18 % grades are refused', async () => {
    const capped = await startTestServer(database, { accessControl: 'iam', env: { APR_CAP: '0.16' } });
    try {
      const draft = await http(capped.baseUrl, 'POST', '/api/v1/risk/policies', {
        body: { document: testPolicy(94) },
        headers: write(staff.analyst),
      });
      expect(draft.status, draft.text).toBe(201);
      const refused = await http(
        capped.baseUrl,
        'POST',
        `/api/v1/risk/policies/${(draft.json as { id: string }).id}/publish-requests`,
        {
          body: { role: 'champion', terms: [12], reason: 'under a lower cap' },
          headers: write(staff.analyst),
        },
      );
      expect(refused.json).toMatchObject({ status: 422, code: 'policy_above_apr_cap' });
      const paths = (refused.json as { errors: { path: string }[] }).errors.map((e) => e.path);
      // Grade A (14.40 %: IRR 15.39 %) fits; B (18 %) and C (0.75 % a month) do not.
      expect(paths).toEqual(['document/offers/1/price/rate', 'document/offers/2/price/rate']);
    } finally {
      await capped.close();
    }
  });

  it('the maker cannot approve their own publish request', async () => {
    const draft = await http(server.baseUrl, 'POST', '/api/v1/risk/policies', {
      body: { document: testPolicy(93) },
      headers: write(staff.analyst),
    });
    const request = await http(
      server.baseUrl,
      'POST',
      `/api/v1/risk/policies/${(draft.json as { id: string }).id}/publish-requests`,
      { body: { role: 'champion', reason: 'mine' }, headers: write(staff.analyst) },
    );
    const self = await http(
      server.baseUrl,
      'POST',
      `/api/v1/approvals/${(request.json as { id: string }).id}/approve`,
      {
        body: {},
        headers: write(staff.analyst),
      },
    );
    expect(self.status).toBe(403);
  });
});

describe('applications', () => {
  let championId: string;
  beforeAll(async () => {
    championId = await publishPolicy(server, staff, testPolicy(1));
  });

  it('approve: age 35 scores 660, grade A, a 50,000.00 line at 14.40 %', async () => {
    const who = await applicant(server, database.db, bornYearsAgo(35));
    const applied = await apply(server, who);
    expect(applied.status, applied.text).toBe(201);
    const body = applied.json as Application;
    expect(body).toMatchObject({
      status: 'approved',
      reasons: [],
      limitMinor: '5000000',
      decision: {
        policyVersionId: championId,
        role: 'champion',
        outcome: 'approve',
        score: 660,
        grade: 'A',
        price: { kind: 'annual_rate', rate: '0.1440' },
        products: ['cash-line', 'pos-installment'],
      },
    });
    expect(body.lineId).toEqual(expect.any(String));
    const own = await http(server.baseUrl, 'GET', `/api/v1/borrower/credit-applications/${body.id}`, {
      headers: who.borrower.headers,
    });
    expect(own.json).toEqual(body);
    const other = await applicant(server, database.db, bornYearsAgo(30));
    const foreign = await http(server.baseUrl, 'GET', `/api/v1/borrower/credit-applications/${body.id}`, {
      headers: other.borrower.headers,
    });
    expect(foreign.status).toBe(404);
  });

  it('ages 25 and 50 score 630 and 610: grade B, 20,000.00', async () => {
    for (const [age, score] of [
      [25, 630],
      [50, 610],
    ] as const) {
      const applied = (await apply(server, await applicant(server, database.db, bornYearsAgo(age))))
        .json as Application;
      expect(applied).toMatchObject({
        status: 'approved',
        limitMinor: '2000000',
        decision: { score, grade: 'B' },
      });
    }
  });

  it('age 57 goes to review; the analyst claims it and approves a lower limit', async () => {
    const who = await applicant(server, database.db, bornYearsAgo(57));
    const applied = (await apply(server, who)).json as Application;
    expect(applied).toMatchObject({
      status: 'in_review',
      reasons: ['R001_OLDER_APPLICANT_REVIEW'],
      lineId: null,
      decision: { outcome: 'review', score: 610, grade: 'B' },
    });
    const queue = await http(server.baseUrl, 'GET', '/api/v1/risk/reviews', {
      headers: staff.analyst.headers(false),
    });
    expect((queue.json as { applicationId: string }[]).map((r) => r.applicationId)).toContain(applied.id);
    const early = await http(server.baseUrl, 'POST', `/api/v1/risk/reviews/${applied.id}/decision`, {
      body: { decision: 'approve', reasonCode: 'V002_INCOME_VERIFIED' },
      headers: write(staff.analyst),
    });
    expect(early.json).toMatchObject({ status: 409, code: 'review_not_claimed' });
    const claimed = await http(server.baseUrl, 'POST', `/api/v1/risk/reviews/${applied.id}/claim`, {
      headers: write(staff.analyst),
    });
    expect(claimed.json).toMatchObject({ status: 'claimed', overdue: false });
    const taken = await http(server.baseUrl, 'POST', `/api/v1/risk/reviews/${applied.id}/claim`, {
      headers: write(staff.approver),
    });
    expect(taken.json).toMatchObject({ status: 409, code: 'review_not_open' });
    const tooHigh = await http(server.baseUrl, 'POST', `/api/v1/risk/reviews/${applied.id}/decision`, {
      body: { decision: 'approve', reasonCode: 'V002_INCOME_VERIFIED', limitMinor: '2000001' },
      headers: write(staff.analyst),
    });
    expect(tooHigh.json).toMatchObject({ status: 400, code: 'validation_failed' });
    const decided = await http(server.baseUrl, 'POST', `/api/v1/risk/reviews/${applied.id}/decision`, {
      body: { decision: 'approve', reasonCode: 'V002_INCOME_VERIFIED', limitMinor: '1500000' },
      headers: write(staff.analyst),
    });
    expect(decided.json).toMatchObject({ status: 'decided', decision: 'approve', limitMinor: null });
    const after = await http(server.baseUrl, 'GET', `/api/v1/borrower/credit-applications/${applied.id}`, {
      headers: who.borrower.headers,
    });
    expect(after.json).toMatchObject({
      status: 'approved',
      limitMinor: '1500000',
      decision: { price: { kind: 'annual_rate', rate: '0.1800' }, products: ['pos-installment'] },
    });
  });

  it('a review approval above the review limit waits for a second person', async () => {
    // RISK_REVIEW_APPROVAL_LIMIT is 50,000.00 by default; grade B offers 20,000.00, so lower it here.
    const who = await applicant(server, database.db, bornYearsAgo(58));
    const applied = (await apply(server, who)).json as Application;
    await http(server.baseUrl, 'POST', `/api/v1/risk/reviews/${applied.id}/claim`, {
      headers: write(staff.analyst),
    });
    const saved = server.config.risk.reviewApprovalLimitMinor;
    (server.config.risk as { reviewApprovalLimitMinor: bigint }).reviewApprovalLimitMinor = 1_000_000n;
    try {
      const asked = await http(server.baseUrl, 'POST', `/api/v1/risk/reviews/${applied.id}/decision`, {
        body: { decision: 'approve', reasonCode: 'V001_DOCUMENTS_VERIFIED' },
        headers: write(staff.analyst),
      });
      expect(asked.json).toMatchObject({ status: 'awaiting_approval', limitMinor: '2000000' });
      const requestId = (asked.json as { approvalRequestId: string }).approvalRequestId;
      const still = await http(server.baseUrl, 'GET', `/api/v1/risk/applications/${applied.id}`, {
        headers: staff.analyst.headers(false),
      });
      expect(still.json).toMatchObject({ status: 'in_review', lineId: null });
      const approved = await http(server.baseUrl, 'POST', `/api/v1/approvals/${requestId}/approve`, {
        body: {},
        headers: write(staff.approver),
      });
      expect(approved.status, approved.text).toBe(200);
      const after = await http(server.baseUrl, 'GET', `/api/v1/risk/applications/${applied.id}`, {
        headers: staff.analyst.headers(false),
      });
      expect(after.json).toMatchObject({ status: 'approved', limitMinor: '2000000' });
    } finally {
      (server.config.risk as { reviewApprovalLimitMinor: bigint }).reviewApprovalLimitMinor = saved;
    }
  });

  it('refused before evaluation, writing nothing: under age, over age, missing consent, no profile', async () => {
    const young = await applicant(server, database.db, bornYearsAgo(17));
    const old = await applicant(server, database.db, bornYearsAgo(61));
    const noConsent = await applicant(server, database.db, bornYearsAgo(35), {
      consents: ['privacy_policy'],
    });
    const unregistered = await signInBorrower(database.db, server.config);
    const before = await counts();
    const noProfile = await http(server.baseUrl, 'POST', '/api/v1/borrower/credit-applications', {
      body: { deviceId: 'device-no-profile' },
      headers: { ...unregistered.headers, 'idempotency-key': crypto.randomUUID() },
    });
    expect(noProfile.json).toMatchObject({ status: 409, code: 'customer_not_registered' });
    expect((await apply(server, young)).json).toMatchObject({
      status: 422,
      code: 'age_out_of_window',
      detail: 'Applicants must be 18 to 60 years old on the application date; you are 17.',
    });
    expect((await apply(server, old)).json).toMatchObject({ status: 422, code: 'age_out_of_window' });
    const missing = await apply(server, noConsent);
    expect(missing.json).toMatchObject({ code: 'consent_required' });
    expect(JSON.stringify(missing.json)).toContain('credit_bureau_query');
    expect(await counts()).toEqual(before);
    // Accepting the missing consent lets the same borrower apply.
    await accept(server, noConsent.borrower, 'credit_bureau_query');
    expect((await apply(server, noConsent)).json).toMatchObject({ status: 'approved' });
  });

  it('the challenger decides its share of customers; both are evaluated and stored', async () => {
    // The challenger grants grade A only 30,000.00 and takes half of the customers.
    const challenger = testPolicy(2, {
      offers: (testPolicy().offers as { grade: string }[]).map((offer) =>
        offer.grade === 'A' ? { ...offer, creditLimit: '3000000' } : offer,
      ),
    });
    const challengerId = await publishPolicy(server, staff, challenger, {
      role: 'challenger',
      challengerShareBp: 5000,
    });
    const seen = { champion: 0, challenger: 0 };
    for (let i = 0; i < 12; i += 1) {
      const who = await applicant(server, database.db, bornYearsAgo(35));
      const applied = (await apply(server, who)).json as Application;
      const onChallenger = challengerBucket(who.customerId) < 5000;
      expect(applied.decision.role).toBe(onChallenger ? 'challenger' : 'champion');
      expect(applied.limitMinor).toBe(onChallenger ? '3000000' : '5000000');
      seen[onChallenger ? 'challenger' : 'champion'] += 1;
      const stored = await sql<{
        role: string;
        assigned: boolean;
        policy_version_id: string;
        credit_limit_minor: string;
      }>`
        SELECT role, assigned, policy_version_id, credit_limit_minor::text FROM risk_decisions
        WHERE application_id = ${applied.id} ORDER BY role`.execute(database.db);
      expect(stored.rows).toEqual([
        {
          role: 'challenger',
          assigned: onChallenger,
          policy_version_id: challengerId,
          credit_limit_minor: '3000000',
        },
        {
          role: 'champion',
          assigned: !onChallenger,
          policy_version_id: championId,
          credit_limit_minor: '5000000',
        },
      ]);
    }
    // Retiring the challenger (maker-checker) sends everyone back to the champion.
    const retire = await http(
      server.baseUrl,
      'POST',
      `/api/v1/risk/policies/${challengerId}/retire-requests`,
      {
        body: { reason: 'test over' },
        headers: write(staff.analyst),
      },
    );
    const approved = await http(
      server.baseUrl,
      'POST',
      `/api/v1/approvals/${(retire.json as { id: string }).id}/approve`,
      {
        body: {},
        headers: write(staff.approver),
      },
    );
    expect(approved.status, approved.text).toBe(200);
    const champion = await http(
      server.baseUrl,
      'POST',
      `/api/v1/risk/policies/${championId}/retire-requests`,
      {
        body: { reason: 'no' },
        headers: write(staff.analyst),
      },
    );
    expect(champion.json).toMatchObject({ status: 409, code: 'policy_is_champion' });
  });

  it('20 concurrent applications by one person at the cap: the lines add up to 200,000.00 exactly', async () => {
    const who = await applicant(server, database.db, bornYearsAgo(35));
    const results = await Promise.all(Array.from({ length: 20 }, () => apply(server, who)));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    const bodies = results.map((r) => r.json as Application);
    const approved = bodies.filter((b) => b.status === 'approved');
    const total = approved.reduce((sum, b) => sum + BigInt(b.limitMinor ?? '0'), 0n);
    expect(total).toBe(20_000_000n);
    expect(approved).toHaveLength(4);
    expect(bodies.filter((b) => b.status === 'rejected').map((b) => b.reasons)).toEqual(
      Array(16).fill(['C001_EXPOSURE_CAP_REACHED']),
    );
  });

  it('every stored decision replays to the same bytes: outcome, score, grade, limit and trace', async () => {
    const ids = await sql<{ id: string }>`SELECT id FROM risk_decisions ORDER BY created_at`.execute(
      database.db,
    );
    expect(ids.rows.length).toBeGreaterThan(30);
    for (const { id } of ids.rows) {
      const replay = await http(server.baseUrl, 'GET', `/api/v1/risk/decisions/${id}/replay`, {
        headers: staff.analyst.headers(false),
      });
      expect(replay.status).toBe(200);
      const body = replay.json as { matches: boolean; stored: unknown; replayed: unknown };
      expect(body.matches, id).toBe(true);
      expect(body.replayed).toEqual(body.stored);
    }
  });

  it('a backtest of the champion over the day reproduces what it decided; a stricter version shows the change', async () => {
    const same = await http(
      server.baseUrl,
      'GET',
      `/api/v1/risk/policies/${championId}/backtest?from=${businessDate}&to=${businessDate}`,
      { headers: staff.analyst.headers(false) },
    );
    expect(same.status, same.text).toBe(200);
    const report = same.json as {
      applications: number;
      outcomeChanged: number;
      gradeChanged: number;
      confusion: Record<string, Record<string, number>>;
      limits: { higher: number; lower: number; same: number };
    };
    expect(report.applications).toBeGreaterThan(30);
    // Challenger-decided applications differ from the champion in limit only.
    expect(report.outcomeChanged).toBe(0);
    expect(report.confusion.approve?.reject).toBe(0);
    // A version that rejects everyone from 45 years of age changes those approvals to rejections.
    const strict = testPolicy(3, {
      rules: [
        ...(testPolicy().rules as object[]),
        { id: 'R004', when: { feature: 'age', op: '>=', value: 45 }, action: 'reject', reason: 'R004_AGE' },
      ],
    });
    const draft = await http(server.baseUrl, 'POST', '/api/v1/risk/policies', {
      body: { document: strict },
      headers: write(staff.analyst),
    });
    const stricter = await http(
      server.baseUrl,
      'GET',
      `/api/v1/risk/policies/${(draft.json as { id: string }).id}/backtest?from=${businessDate}&to=${businessDate}`,
      { headers: staff.analyst.headers(false) },
    );
    const changed = stricter.json as typeof report;
    const older = await sql<{ approve: number; review: number }>`
      SELECT count(*) FILTER (WHERE d.outcome = 'approve')::int AS approve,
             count(*) FILTER (WHERE d.outcome = 'review')::int AS review
      FROM risk_decisions d JOIN risk_snapshots s ON s.application_id = d.application_id
      WHERE d.assigned AND (s.features::jsonb ->> 'age')::int >= 45`.execute(database.db);
    expect(changed.confusion.approve?.reject).toBe(older.rows[0]?.approve);
    expect(changed.confusion.review?.reject).toBe(older.rows[0]?.review);

    // The same report from the command line, against the same database.
    const cli = await fenqi(
      [
        'policy',
        'backtest',
        '--version',
        (draft.json as { id: string }).id,
        '--from',
        businessDate,
        '--to',
        businessDate,
      ],
      { ...testKeys, DATABASE_URL: database.url, LOG_LEVEL: 'silent' },
    );
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toContain(`over ${changed.applications} applications`);
    expect(cli.stdout).toContain(
      `outcome changed ${changed.outcomeChanged}, grade changed ${changed.gradeChanged}`,
    );
  });
});
