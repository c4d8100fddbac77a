import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { requireConsents } from '../../src/modules/customers/service.ts';
import { residentIdCheckCharacter } from '../../src/modules/customers/validation.ts';
import { setInitialBusinessDate } from '../../src/platform/business-date.ts';
import { AppError, problemOf } from '../../src/platform/errors.ts';
import { createStaff, signIn, signInBorrower } from '../iam/support.ts';
import { type HttpResult, http, useTestServer } from '../support/server.ts';

// Consents (docs/kyc.md): the catalogue's current versions, a borrower's acceptances kept as
// evidence (time, business date, IP, user agent, device), and requireConsents — what the risk
// module asks before a credit application — naming each agreement missing, expired or superseded.

const businessDate = '2026-03-01';
const { database, server } = useTestServer({
  accessControl: 'iam',
  prepare: (db) => db.db.transaction().execute((trx) => setInitialBusinessDate(trx, businessDate)),
});

const key = () => ({ 'idempotency-key': crypto.randomUUID() });
const userAgent = { 'user-agent': 'FenqiH5/2.3 (iPhone; iOS 18.2)' };

let sequence = 700;
async function customer() {
  const borrower = await signInBorrower(database.db, server.config);
  sequence += 1;
  const first17 = `11010519900307${String(sequence).padStart(3, '0')}`;
  const created = await http(server.baseUrl, 'POST', '/api/v1/borrower/customers', {
    body: { name: '张三', idNumber: `${first17}${residentIdCheckCharacter(first17)}` },
    headers: { ...borrower.headers, ...key() },
  });
  expect(created.status).toBe(201);
  return { borrower, customerId: (created.json as { id: string }).id };
}

function accept(borrower: { headers: Record<string, string> }, body: unknown): Promise<HttpResult> {
  return http(server.baseUrl, 'POST', '/api/v1/borrower/consents', {
    body,
    headers: { ...borrower.headers, ...userAgent, ...key() },
  });
}

const consentRows = async () =>
  (await sql<{ n: number }>`SELECT count(*)::int AS n FROM customer_consents`.execute(database.db)).rows[0]
    ?.n;

/** The problem+json the HTTP layer would answer for what requireConsents threw. */
async function consentProblem(customerId: string, codes: string[], asOf: string) {
  try {
    await requireConsents(database.db, customerId, codes, asOf);
  } catch (error) {
    if (error instanceof AppError) return problemOf(error);
    throw error;
  }
  return undefined;
}

const titles = {
  credit_bureau_query: { titleZh: '征信查询授权书', titleEn: 'Credit bureau query authorization' },
  privacy_policy: { titleZh: '隐私政策', titleEn: 'Privacy policy' },
};

describe('the agreement catalogue', () => {
  it('lists every agreement at its current version, all missing for a new borrower', async () => {
    const borrower = await signInBorrower(database.db, server.config);
    const list = await http(server.baseUrl, 'GET', '/api/v1/borrower/agreements', {
      headers: borrower.headers,
    });
    expect(list.status).toBe(200);
    expect(list.json).toEqual([
      {
        code: 'card_debit_authorization',
        version: 1,
        titleZh: '代扣授权书',
        titleEn: 'Card debit authorization',
        validityDays: null,
        status: 'missing',
        acceptance: null,
      },
      {
        code: 'credit_bureau_query',
        version: 1,
        ...titles.credit_bureau_query,
        validityDays: 365,
        status: 'missing',
        acceptance: null,
      },
      {
        code: 'loan_contract',
        version: 1,
        titleZh: '借款合同',
        titleEn: 'Loan contract',
        validityDays: null,
        status: 'missing',
        acceptance: null,
      },
      {
        code: 'privacy_policy',
        version: 1,
        ...titles.privacy_policy,
        validityDays: null,
        status: 'missing',
        acceptance: null,
      },
    ]);
  });
});

describe('accepting an agreement', () => {
  it('records the time, business date, IP, user agent and device; a 365-day authorisation expires on the 366th day', async () => {
    const borrower = await signInBorrower(database.db, server.config);
    const accepted = await accept(borrower, {
      code: 'credit_bureau_query',
      version: 1,
      deviceId: 'dev-7f3a.iphone',
    });
    expect(accepted.status).toBe(201);
    expect(accepted.json).toEqual({
      id: expect.any(String),
      code: 'credit_bureau_query',
      version: 1,
      acceptedAt: expect.any(String),
      acceptedOn: '2026-03-01',
      expiresOn: '2027-03-01',
      ip: '127.0.0.1',
      userAgent: 'FenqiH5/2.3 (iPhone; iOS 18.2)',
      deviceId: 'dev-7f3a.iphone',
    });
    const privacy = await accept(borrower, {
      code: 'privacy_policy',
      version: 1,
      deviceId: 'dev-7f3a.iphone',
    });
    expect(privacy.json).toMatchObject({ code: 'privacy_policy', expiresOn: null });
    const list = await http(server.baseUrl, 'GET', '/api/v1/borrower/agreements', {
      headers: borrower.headers,
    });
    const statuses = Object.fromEntries(
      (list.json as { code: string; status: string }[]).map((a) => [a.code, a.status]),
    );
    expect(statuses).toEqual({
      card_debit_authorization: 'missing',
      credit_bureau_query: 'current',
      loan_contract: 'missing',
      privacy_policy: 'current',
    });
    const own = await http(server.baseUrl, 'GET', '/api/v1/borrower/consents', { headers: borrower.headers });
    expect((own.json as { code: string }[]).map((c) => c.code)).toEqual([
      'privacy_policy',
      'credit_bureau_query',
    ]);
  });

  it('refuses a version that is not the current one (409), and writes nothing', async () => {
    const borrower = await signInBorrower(database.db, server.config);
    const before = await consentRows();
    const refused = await accept(borrower, { code: 'privacy_policy', version: 2, deviceId: 'dev-1' });
    expect(refused.status).toBe(409);
    const { instance, requestId, ...problem } = refused.json as Record<string, unknown>;
    expect(problem).toEqual({
      type: 'https://fenqi.dev/problems/consent_version_not_current',
      title: 'The agreement version is not the current one',
      status: 409,
      code: 'consent_version_not_current',
      detail: 'privacy_policy is at version 1; version 2 cannot be accepted. Read and accept version 1.',
      errors: [{ in: 'body', path: 'version', message: 'must be 1, the current version' }],
      currentVersion: 1,
    });
    expect(await consentRows()).toBe(before);
  });

  it('refuses an unknown agreement and a missing device id (400), and writes nothing', async () => {
    const borrower = await signInBorrower(database.db, server.config);
    const before = await consentRows();
    const unknown = await accept(borrower, { code: 'marketing', version: 1, deviceId: 'dev-1' });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toMatchObject({
      code: 'validation_failed',
      detail: 'The body is not valid: code: there is no agreement marketing',
      errors: [
        { in: 'body', path: 'code', message: 'there is no agreement marketing', code: 'agreement_unknown' },
      ],
    });
    const noDevice = await accept(borrower, { code: 'privacy_policy', version: 1 });
    expect(noDevice.status).toBe(400);
    expect(noDevice.json).toMatchObject({
      code: 'validation_failed',
      errors: [{ in: 'body', path: 'deviceId' }],
    });
    expect(await consentRows()).toBe(before);
  });

  it('is evidence: the database refuses to change or remove an acceptance', async () => {
    const borrower = await signInBorrower(database.db, server.config);
    const accepted = await accept(borrower, { code: 'loan_contract', version: 1, deviceId: 'dev-2' });
    const id = (accepted.json as { id: string }).id;
    await expect(
      sql`UPDATE customer_consents SET device_id = 'forged' WHERE id = ${id}`.execute(database.db),
    ).rejects.toThrow(/a consent is evidence/);
    await expect(sql`DELETE FROM customer_consents WHERE id = ${id}`.execute(database.db)).rejects.toThrow(
      /a consent is evidence/,
    );
  });

  it('staff read a customer’s acceptances (customers:read); a borrower only their own', async () => {
    const a = await customer();
    await accept(a.borrower, { code: 'privacy_policy', version: 1, deviceId: 'dev-a' });
    const operator = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['operator']),
    );
    const staffView = await http(server.baseUrl, 'GET', `/api/v1/customers/${a.customerId}/consents`, {
      headers: operator.headers(false),
    });
    expect(staffView.json).toEqual([expect.objectContaining({ code: 'privacy_policy', deviceId: 'dev-a' })]);
    const b = await signInBorrower(database.db, server.config);
    const theirs = await http(server.baseUrl, 'GET', '/api/v1/borrower/consents', { headers: b.headers });
    expect(theirs.json).toEqual([]);
    const forbidden = await http(server.baseUrl, 'GET', `/api/v1/customers/${a.customerId}/consents`, {
      headers: b.headers,
    });
    expect(forbidden.status).toBe(403);
  });
});

describe('requireConsents (called before a credit application: credit_bureau_query + privacy_policy)', () => {
  const needed = ['credit_bureau_query', 'privacy_policy'];

  it('names every agreement never accepted', async () => {
    const { customerId } = await customer();
    expect(await consentProblem(customerId, needed, businessDate)).toEqual({
      type: 'https://fenqi.dev/problems/consent_required',
      title: 'The current version of an agreement must be accepted first',
      status: 409,
      code: 'consent_required',
      detail:
        'Accept the current version of: credit_bureau_query version 1 (not accepted); privacy_policy version 1 (not accepted).',
      consents: [
        { code: 'credit_bureau_query', version: 1, reason: 'missing', ...titles.credit_bureau_query },
        { code: 'privacy_policy', version: 1, reason: 'missing', ...titles.privacy_policy },
      ],
    });
  });

  it('passes once both are accepted, and names the bureau authorisation expired 365 days later', async () => {
    const { borrower, customerId } = await customer();
    await accept(borrower, { code: 'credit_bureau_query', version: 1, deviceId: 'dev-3' });
    await accept(borrower, { code: 'privacy_policy', version: 1, deviceId: 'dev-3' });
    const before = await consentRows();
    expect(await consentProblem(customerId, needed, businessDate)).toBeUndefined();
    expect(await consentProblem(customerId, needed, '2027-02-28')).toBeUndefined();
    expect(await consentProblem(customerId, needed, '2027-03-01')).toEqual({
      type: 'https://fenqi.dev/problems/consent_required',
      title: 'The current version of an agreement must be accepted first',
      status: 409,
      code: 'consent_required',
      detail: 'Accept the current version of: credit_bureau_query version 1 (expired on 2027-03-01).',
      consents: [
        {
          code: 'credit_bureau_query',
          version: 1,
          reason: 'expired',
          ...titles.credit_bureau_query,
          expiredOn: '2027-03-01',
        },
      ],
    });
    expect(await consentRows()).toBe(before);
  });

  it('is answered 404 for a customer that does not exist', async () => {
    expect(await consentProblem(crypto.randomUUID(), needed, businessDate)).toMatchObject({
      status: 404,
      code: 'not_found',
    });
  });

  // Last in the file: it publishes a new privacy policy, as a release's migration would.
  it('names a consent to a superseded version, until the new one is accepted', async () => {
    const { borrower, customerId } = await customer();
    await accept(borrower, { code: 'credit_bureau_query', version: 1, deviceId: 'dev-4' });
    await accept(borrower, { code: 'privacy_policy', version: 1, deviceId: 'dev-4' });
    await database.tables
      .insertInto('customer_agreement_versions')
      .values({
        code: 'privacy_policy',
        version: 2,
        title_zh: '隐私政策',
        title_en: 'Privacy policy',
        validity_days: null,
      })
      .execute();
    expect(await consentProblem(customerId, needed, businessDate)).toEqual({
      type: 'https://fenqi.dev/problems/consent_required',
      title: 'The current version of an agreement must be accepted first',
      status: 409,
      code: 'consent_required',
      detail: 'Accept the current version of: privacy_policy version 2 (version 1 was accepted).',
      consents: [
        {
          code: 'privacy_policy',
          version: 2,
          reason: 'superseded',
          ...titles.privacy_policy,
          acceptedVersion: 1,
        },
      ],
    });
    const list = await http(server.baseUrl, 'GET', '/api/v1/borrower/agreements', {
      headers: borrower.headers,
    });
    expect((list.json as { code: string }[]).find((a) => a.code === 'privacy_policy')).toMatchObject({
      version: 2,
      status: 'superseded',
      acceptance: { version: 1 },
    });
    const old = await accept(borrower, { code: 'privacy_policy', version: 1, deviceId: 'dev-4' });
    expect(old.json).toMatchObject({ code: 'consent_version_not_current', currentVersion: 2 });
    expect((await accept(borrower, { code: 'privacy_policy', version: 2, deviceId: 'dev-4' })).status).toBe(
      201,
    );
    expect(await consentProblem(customerId, needed, businessDate)).toBeUndefined();
  });
});
