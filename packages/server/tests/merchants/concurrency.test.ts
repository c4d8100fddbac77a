import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { createStaff, type StaffCredentials, signIn } from '../iam/support.ts';
import { http, useTestServer } from '../support/server.ts';
import { merchantBody, rowCounts, socialCreditCode, staffCall } from './support.ts';

// Races decided by the database: one unified social credit code, one merchant; one status change
// of many at once. The losers are 409s with the catalogue's body, never 500s, and leave nothing.

const { database, server } = useTestServer({ accessControl: 'iam' });
let operator: StaffCredentials;

beforeAll(async () => {
  operator = await signIn(
    database.db,
    server.config,
    await createStaff(database.db, server.config, ['operator']),
  );
});

const racers = 12;

describe('concurrent registrations of one unified social credit code', () => {
  it('make one merchant: one 201 and the others 409 social_credit_code_registered', async () => {
    const code = socialCreditCode();
    const before = await rowCounts(database.db);
    const responses = await Promise.all(
      Array.from({ length: racers }, (_, i) =>
        http(server.baseUrl, 'POST', '/api/v1/merchants', {
          body: merchantBody({ socialCreditCode: code, name: `racer ${i}` }),
          headers: { ...operator.headers(), 'idempotency-key': randomUUID() },
        }),
      ),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([201, ...Array(racers - 1).fill(409)]);
    for (const loser of responses.filter((r) => r.status === 409))
      expect(loser.json).toEqual({
        type: 'https://fenqi.dev/problems/social_credit_code_registered',
        title: 'A merchant with this unified social credit code is already registered',
        status: 409,
        code: 'social_credit_code_registered',
        detail: 'A merchant with this unified social credit code is already registered.',
        errors: [{ in: 'body', path: 'socialCreditCode', message: 'is registered to another merchant' }],
        instance: '/api/v1/merchants',
        requestId: expect.any(String),
      });
    const rows = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM merchants WHERE social_credit_code = ${code}`.execute(database.db);
    expect(rows.rows[0]?.n).toBe(1);
    // The winner wrote its merchant, its data key and its audit row; the losers nothing.
    const after = await rowCounts(database.db);
    expect(after).toEqual({
      ...before,
      merchants: before.merchants + 1,
      data_keys: before.data_keys + 1,
      audit: before.audit + 1,
    });
  });
});

describe('concurrent suspensions of one merchant', () => {
  it('suspend it once: one 200 and the others 409 merchant_status_conflict', async () => {
    const created = await staffCall(server, operator, 'POST', '/api/v1/merchants', merchantBody());
    const id = (created.json as { id: string }).id;
    expect(
      (await staffCall(server, operator, 'POST', `/api/v1/merchants/${id}/activate`, { reason: 'go' }))
        .status,
    ).toBe(200);
    const responses = await Promise.all(
      Array.from({ length: racers }, () =>
        staffCall(server, operator, 'POST', `/api/v1/merchants/${id}/suspend`, { reason: 'fraud alert' }),
      ),
    );
    expect(responses.map((r) => r.status).sort()).toEqual([200, ...Array(racers - 1).fill(409)]);
    for (const loser of responses.filter((r) => r.status === 409))
      expect(loser.json).toMatchObject({ code: 'merchant_status_conflict', merchantStatus: 'suspended' });
    const history = await database.tables
      .selectFrom('merchant_status_history')
      .select(['from_status', 'to_status'])
      .where('merchant_id', '=', id)
      .orderBy('id')
      .execute();
    expect(history).toEqual([
      { from_status: 'onboarding', to_status: 'active' },
      { from_status: 'active', to_status: 'suspended' },
    ]);
  });
});
