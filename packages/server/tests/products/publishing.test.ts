import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/platform/config.ts';
import { startTestServer, type TestServer, testKeys, useTestServer } from '../support/server.ts';
import { flatFeeProduct, installmentProduct, pbocExampleProduct, withCode } from './fixtures.ts';
import { calls, type ProductStaff, productStaff, requestPublish, rowCounts, writeDraft } from './support.ts';

// The publication rules (PBOC 2021 No. 3; 商业银行互联网贷款管理暂行办法, 2020), at the maker's request
// and again at the checker's approval: an IRR above APR_CAP at any offered term and grade is
// refused naming each, a one-sum repayment over a year is refused naming the term, and a cap
// lowered between request and approval stops the approval. A refusal writes nothing.

const { database, server } = useTestServer({ accessControl: 'iam' });
let staff: ProductStaff;
let api: ReturnType<typeof calls>;
/** A second server on the same database whose APR_CAP is 20 %. */
let strict: TestServer;

beforeAll(async () => {
  staff = await productStaff(database.db, server.config);
  api = calls(server);
  strict = await startTestServer(database, { accessControl: 'iam', env: { APR_CAP: '0.20' } });
});

afterAll(async () => {
  await strict?.close();
});

const status = async (id: string) =>
  ((await api.get(staff.author, `/api/v1/products/versions/${id}`)).json as { status: string }).status;

describe('the APR cap', () => {
  it('refuses a publish request naming every term and grade above the cap, and writes nothing', async () => {
    const dear = {
      ...withCode(flatFeeProduct, 'too-dear'),
      prices: [
        { grade: 'A', kind: 'period_fee_rate' as const, rate: '0.0050' },
        { grade: 'B', kind: 'period_fee_rate' as const, rate: '0.0100' },
        { grade: 'C', kind: 'period_fee_rate' as const, rate: '0.0150' },
      ],
    };
    const id = await writeDraft(server, staff.author, dear);
    const before = await rowCounts(database.db);
    const refused = await api.post(staff.author, `/api/v1/products/versions/${id}/publish-requests`, {
      reason: 'dear',
    });
    expect(refused.status).toBe(422);
    expect(refused.json).toMatchObject({
      code: 'product_not_publishable',
      detail: 'Product too-dear v1 cannot be published: 3 term and grade problem(s) (APR cap 0.24).',
      aprCap: '0.24',
    });
    // 1.5 % a month is 30–37 % a year whatever the term (checked by hand against the cash flows);
    // 1 % a month stays just under the cap, at 23.70 % over 12 months.
    expect((refused.json as { errors: unknown[] }).errors).toEqual([
      {
        in: 'body',
        path: 'definition/prices/2/rate',
        code: 'apr_above_cap',
        message:
          'grade C at 3 installments (period_fee_rate 0.015) has an IRR of 30.35 % at 50000.00 CNY, above the cap of 24.00 %',
      },
      {
        in: 'body',
        path: 'definition/prices/2/rate',
        code: 'apr_above_cap',
        message:
          'grade C at 6 installments (period_fee_rate 0.015) has an IRR of 34.79 % at 600.00 CNY, above the cap of 24.00 %',
      },
      {
        in: 'body',
        path: 'definition/prices/2/rate',
        code: 'apr_above_cap',
        message:
          'grade C at 12 installments (period_fee_rate 0.015) has an IRR of 36.76 % at 50000.00 CNY, above the cap of 24.00 %',
      },
    ]);
    expect(await rowCounts(database.db)).toEqual(before);
    expect(await status(id)).toBe('draft');
  });

  it('refuses at approval when the cap was lowered after the request; the request stays pending', async () => {
    // Grade C at 21 % nominal is 23.14 % IRR: within 24 %, above 20 %.
    const id = await writeDraft(server, staff.author, withCode(installmentProduct, 'cap-lowered'));
    const requestId = await requestPublish(server, staff.author, id);
    const before = await rowCounts(database.db);
    const refused = await calls(strict).post(staff.checker, `/api/v1/approvals/${requestId}/approve`, {});
    expect(refused.status).toBe(422);
    expect(refused.json).toMatchObject({ code: 'product_not_publishable', aprCap: '0.20' });
    expect(
      (refused.json as { errors: { path: string; message: string }[] }).errors.map(
        (error) => `${error.path} ${error.message.slice(0, error.message.indexOf(' has'))}`,
      ),
    ).toEqual([
      'definition/prices/2/rate grade C at 3 installments (annual_rate 0.21)',
      'definition/prices/2/rate grade C at 6 installments (annual_rate 0.21)',
      'definition/prices/2/rate grade C at 12 installments (annual_rate 0.21)',
    ]);
    expect(await rowCounts(database.db)).toEqual(before);
    expect(await status(id)).toBe('pending');
    const approval = await api.get(staff.checker, `/api/v1/approvals/${requestId}`);
    expect(approval.json).toMatchObject({ status: 'pending' });
    // Under the 24 % cap the same request goes through.
    const approved = await api.post(staff.checker, `/api/v1/approvals/${requestId}/approve`, {});
    expect(approved.status, approved.text).toBe(200);
    expect(await status(id)).toBe('published');
  });

  it('a request under the lowered cap is refused at once', async () => {
    const id = await writeDraft(server, staff.author, withCode(installmentProduct, 'cap-strict'));
    const refused = await calls(strict).post(
      staff.author,
      `/api/v1/products/versions/${id}/publish-requests`,
      {
        reason: 'strict',
      },
    );
    expect(refused.json).toMatchObject({ status: 422, code: 'product_not_publishable', aprCap: '0.20' });
    expect(await status(id)).toBe('draft');
  });

  it('publishes the PBOC worked example (13.58 % IRR) under the 24 % cap', async () => {
    const id = await writeDraft(server, staff.author, pbocExampleProduct);
    const requestId = await requestPublish(server, staff.author, id);
    const approved = await api.post(staff.checker, `/api/v1/approvals/${requestId}/approve`, {});
    expect(approved.status, approved.text).toBe(200);
  });
});

describe('one-sum repayment', () => {
  it('refuses a bullet product offering more than 12 months, naming the term, and writes nothing', async () => {
    const bullet = {
      ...withCode(installmentProduct, 'long-bullet'),
      method: 'bullet' as const,
      termsOffered: [6, 12, 18],
      prices: [{ grade: 'A', kind: 'annual_rate' as const, rate: '0.0800' }],
    };
    const id = await writeDraft(server, staff.author, bullet);
    const before = await rowCounts(database.db);
    const refused = await api.post(staff.author, `/api/v1/products/versions/${id}/publish-requests`, {
      reason: 'long',
    });
    expect(refused.json).toMatchObject({
      status: 422,
      code: 'product_not_publishable',
      errors: [
        {
          in: 'body',
          path: 'definition/termsOffered/2',
          code: 'unsupported_combination',
          message:
            '18 installments of a bullet product run past one year: principal repaid in one sum at maturity may be lent for at most one year (商业银行互联网贷款管理暂行办法, 2020)',
        },
      ],
    });
    expect(await rowCounts(database.db)).toEqual(before);
    // Twelve months is the most: the same product without 18 is published.
    const fixed = await api.put(staff.author, `/api/v1/products/versions/${id}`, {
      definition: { ...bullet, termsOffered: [6, 12] },
    });
    expect(fixed.status, fixed.text).toBe(200);
    const requestId = await requestPublish(server, staff.author, id);
    const approved = await api.post(staff.checker, `/api/v1/approvals/${requestId}/approve`, {});
    expect(approved.status, approved.text).toBe(200);
  });
});

describe('APR_CAP', () => {
  const env = (value: string) => ({ ...testKeys, APR_CAP: value });

  it('defaults to 0.24 and takes a fraction up to 1 with at most 4 places', () => {
    expect(loadConfig({ ...testKeys }).aprCap).toBe('0.24');
    expect(loadConfig(env('0.1358')).aprCap).toBe('0.1358');
    expect(loadConfig(env('1')).aprCap).toBe('1');
  });

  it('refuses anything else at start-up, naming the variable', () => {
    for (const value of ['0', '24', '0.24%', '0.12345', '-0.1', '1.5'])
      expect(() => loadConfig(env(value)), value).toThrow(ConfigError);
    try {
      loadConfig(env('24'));
    } catch (error) {
      expect((error as ConfigError).problems.map((problem) => problem.variable)).toEqual(['APR_CAP']);
    }
  });
});
