import { policySchema } from '@fenqi/core';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { featureCatalogue } from '../../src/modules/risk/features.ts';
import { http, useTestServer } from '../support/server.ts';
import {
  applicant,
  apply,
  publishPolicy,
  riskStaff,
  type Staff,
  staffCalls,
  testPolicy,
  write,
} from './support.ts';

// The reads the console's risk pages use: policy versions and the review queue page by page on the
// server (keysets in list order), the schema a policy editor validates against before it submits,
// and a replay that names its application (the decision trace page links both).

const { database, server } = useTestServer({ accessControl: 'iam' });
let staff: Staff;
let api: ReturnType<typeof staffCalls>;
let year: number;
let businessDate: string;

beforeAll(async () => {
  staff = await riskStaff(database.db, server.config);
  api = staffCalls(server);
  businessDate = (
    await sql<{ d: string }>`SELECT business_date::text AS d FROM business_date`.execute(database.db)
  ).rows[0]?.d as string;
  year = Number(businessDate.slice(0, 4));
  await publishPolicy(server, staff, testPolicy(1));
});

const bornYearsAgo = (age: number) => `${year - age}${businessDate.slice(4)}`;

type Version = { id: string; policyId: string; version: number; status: string; role: string | null };

describe('policy versions, page by page', () => {
  it('pages with limit and after in list order, filtered by status', async () => {
    for (const version of [2, 3, 4]) {
      const draft = await api.post(staff.analyst, '/api/v1/risk/policies', { document: testPolicy(version) });
      expect(draft.status, draft.text).toBe(201);
    }
    const other = await api.post(staff.analyst, '/api/v1/risk/policies', {
      document: { ...testPolicy(1), id: 'another-policy' },
    });
    expect(other.status, other.text).toBe(201);
    const all = (await api.get(staff.analyst, '/api/v1/risk/policies')).json as Version[];
    expect(all.map((v) => `${v.policyId}@${v.version}:${v.status}`)).toEqual([
      'another-policy@1:draft',
      'consumer-test@4:draft',
      'consumer-test@3:draft',
      'consumer-test@2:draft',
      'consumer-test@1:published',
    ]);
    const first = (await api.get(staff.analyst, '/api/v1/risk/policies?limit=2')).json as Version[];
    const second = (await api.get(staff.analyst, `/api/v1/risk/policies?limit=2&after=${first[1]?.id}`))
      .json as Version[];
    const third = (await api.get(staff.analyst, `/api/v1/risk/policies?limit=2&after=${second[1]?.id}`))
      .json as Version[];
    expect([...first, ...second, ...third].map((v) => v.id)).toEqual(all.map((v) => v.id));
    expect(third).toHaveLength(1);
    const published = (await api.get(staff.analyst, '/api/v1/risk/policies?status=published'))
      .json as Version[];
    expect(published.map((v) => [v.version, v.role])).toEqual([[1, 'champion']]);
  });
});

describe('the policy schema', () => {
  it('is core’s JSON Schema with the features Fenqi computes, the default terms and the cap', async () => {
    const answer = await api.get(staff.analyst, '/api/v1/risk/policy-schema');
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json).toEqual({
      schema: JSON.parse(JSON.stringify(policySchema)),
      features: JSON.parse(JSON.stringify(featureCatalogue)),
      pricingTerms: [3, 6, 9, 12, 18, 24, 36],
      aprCap: '0.24',
    });
  });
});

describe('the review queue and replays', () => {
  it('pages the queue oldest first with after, and a replay names its application', async () => {
    const reviewed: string[] = [];
    for (let n = 0; n < 3; n += 1) {
      const who = await applicant(server, database.db, bornYearsAgo(57));
      const applied = await apply(server, who);
      expect(applied.status, applied.text).toBe(201);
      const body = applied.json as { id: string; status: string; decision: { id: string } };
      expect(body.status).toBe('in_review');
      reviewed.push(body.id);
      if (n === 0) {
        const replay = await api.get(staff.analyst, `/api/v1/risk/decisions/${body.decision.id}/replay`);
        expect(replay.json).toMatchObject({ applicationId: body.id, matches: true });
      }
    }
    const all = (await api.get(staff.analyst, '/api/v1/risk/reviews')).json as { applicationId: string }[];
    expect(all.map((r) => r.applicationId)).toEqual(reviewed);
    const first = (await api.get(staff.analyst, '/api/v1/risk/reviews?limit=2')).json as {
      applicationId: string;
    }[];
    const rest = (
      await api.get(
        staff.analyst,
        `/api/v1/risk/reviews?status=open&limit=2&after=${first[1]?.applicationId}`,
      )
    ).json as { applicationId: string }[];
    expect([...first, ...rest].map((r) => r.applicationId)).toEqual(reviewed);
    const claimed = await http(server.baseUrl, 'POST', `/api/v1/risk/reviews/${reviewed[1]}/claim`, {
      headers: write(staff.analyst),
    });
    expect(claimed.status, claimed.text).toBe(200);
    const open = (await api.get(staff.analyst, '/api/v1/risk/reviews?status=open')).json as {
      applicationId: string;
    }[];
    expect(open.map((r) => r.applicationId)).toEqual([reviewed[0], reviewed[2]]);
  });
});
