import { localDate, parseProduct, quoteProduct } from '@fenqi/core';
import { Decimal } from 'decimal.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestServer } from '../support/server.ts';
import { flatFeeProduct, installmentProduct, withCode } from './fixtures.ts';
import { calls, type ProductStaff, productStaff, rowCounts, writeDraft } from './support.ts';

// The reads the console's product pages use: versions page by page on the server (a keyset over
// code and version), and the preview of a definition that is not saved yet — the editor's live
// preview — exact against core's quote, with the publication check, writing nothing.

const { database, server } = useTestServer({ accessControl: 'iam' });
let staff: ProductStaff;
let api: ReturnType<typeof calls>;

beforeAll(async () => {
  staff = await productStaff(database.db, server.config);
  api = calls(server);
});

type Version = { id: string; code: string; version: number; status: string };

describe('product versions, page by page', () => {
  it('pages with limit and after in list order, filtered by code and status', async () => {
    for (const code of ['page-a', 'page-b', 'page-c'])
      for (let n = 0; n < 2; n += 1)
        await writeDraft(server, staff.author, withCode(installmentProduct, code));
    const all = (await api.get(staff.author, '/api/v1/products?status=draft')).json as Version[];
    const listed = all.filter((v) => v.code.startsWith('page-')).map((v) => `${v.code}@${v.version}`);
    expect(listed).toEqual(['page-a@2', 'page-a@1', 'page-b@2', 'page-b@1', 'page-c@2', 'page-c@1']);
    const pages: string[][] = [];
    let after: string | undefined;
    for (;;) {
      const query = `/api/v1/products?status=draft&limit=4${after ? `&after=${after}` : ''}`;
      const page = (await api.get(staff.author, query)).json as Version[];
      if (page.length === 0) break;
      pages.push(page.map((v) => `${v.code}@${v.version}`));
      after = page[page.length - 1]?.id;
      if (page.length < 4) break;
    }
    expect(pages.flat()).toEqual(all.map((v) => `${v.code}@${v.version}`));
    expect(pages[0]).toHaveLength(4);
    const one = (await api.get(staff.author, '/api/v1/products?code=page-b&limit=1')).json as Version[];
    expect(one.map((v) => `${v.code}@${v.version}`)).toEqual(['page-b@2']);
    const bad = await api.get(staff.author, '/api/v1/products?limit=0');
    expect(bad.status).toBe(400);
  });
});

describe('preview of an unsaved definition', () => {
  const body = (definition: unknown, extra: Record<string, unknown> = {}) => ({
    definition,
    grade: 'B',
    termCount: 6,
    principalMinor: '1200000',
    startDate: '2026-03-15',
    ...extra,
  });

  it('answers the schedule and both rates exactly as core quotes them, and writes nothing', async () => {
    const before = await rowCounts(database.db);
    const answer = await api.post(staff.author, '/api/v1/products/preview', body(installmentProduct));
    expect(answer.status, answer.text).toBe(200);
    const parsed = parseProduct(installmentProduct);
    if (!parsed.ok) throw new Error('fixture does not parse');
    const quoted = quoteProduct(parsed.value, {
      grade: 'B',
      termCount: 6,
      principalMinor: 1_200_000n,
      startDate: localDate('2026-03-15'),
    });
    if (!quoted.ok) throw new Error('core refused the quote');
    const { schedule, rates } = quoted.value;
    const preview = answer.json as {
      code: string;
      quote: {
        annualRate: string;
        installments: { dueDate: string; totalMinor: string; balanceMinor: string }[];
        totals: { totalMinor: string };
        rates: { simple: string; irr: string };
        withinCap: boolean;
      };
      grid: { publishable: boolean; cells: unknown[]; issues: unknown[] };
    };
    expect(preview.code).toBe('test-installment');
    expect(preview.quote.annualRate).toBe('0.18');
    expect(preview.quote.installments.map((i) => [i.dueDate, i.totalMinor, i.balanceMinor])).toEqual(
      schedule.installments.map((i) => [i.dueDate, String(i.totalMinor), String(i.balanceMinor)]),
    );
    expect(preview.quote.totals.totalMinor).toBe(String(schedule.totals.totalMinor));
    expect(preview.quote.rates.simple).toBe(rates.simple.toFixed(10, Decimal.ROUND_HALF_UP));
    expect(preview.quote.rates.irr).toBe(rates.irr.toFixed(10, Decimal.ROUND_HALF_UP));
    expect(preview.quote.withinCap).toBe(true);
    expect(preview.grid.publishable).toBe(true);
    expect(preview.grid.cells).toHaveLength(9);
    expect(await rowCounts(database.db)).toEqual(before);
  });

  it('reports every term and grade above the APR cap, as a publish request would', async () => {
    const dear = {
      ...withCode(flatFeeProduct, 'dear-flat'),
      prices: [{ grade: 'A', kind: 'period_fee_rate', rate: '0.0150' }],
    };
    const answer = await api.post(
      staff.author,
      '/api/v1/products/preview',
      body(dear, { grade: 'A', termCount: 12, principalMinor: '600000' }),
    );
    expect(answer.status, answer.text).toBe(200);
    const preview = answer.json as {
      quote: { withinCap: boolean; aprCap: string; rates: { irr: string } };
      grid: { publishable: boolean; issues: { path: string; code: string; message: string }[] };
    };
    expect(preview.quote.withinCap).toBe(false);
    expect(preview.quote.aprCap).toBe('0.24');
    expect(preview.grid.publishable).toBe(false);
    expect(preview.grid.issues.map((i) => [i.path, i.code])).toEqual([
      ['definition/prices/0/rate', 'apr_above_cap'],
      ['definition/prices/0/rate', 'apr_above_cap'],
      ['definition/prices/0/rate', 'apr_above_cap'],
    ]);
    expect(preview.grid.issues[2]?.message).toContain('12 installments');
  });

  it('refuses a definition with every problem at its field, and a loan the product does not offer', async () => {
    const before = await rowCounts(database.db);
    const invalid = await api.post(
      staff.author,
      '/api/v1/products/preview',
      body({ ...installmentProduct, termsOffered: [3, 3], amountMinMinor: '1.5' }),
    );
    expect(invalid.status, invalid.text).toBe(422);
    const problem = invalid.json as { code: string; errors: { path: string; code: string }[] };
    expect(problem.code).toBe('product_invalid');
    expect(problem.errors.map((e) => e.path)).toEqual(
      expect.arrayContaining(['definition/termsOffered/1', 'definition/amountMinMinor']),
    );
    const notOffered = await api.post(
      staff.author,
      '/api/v1/products/preview',
      body(installmentProduct, { termCount: 9 }),
    );
    expect(notOffered.status).toBe(400);
    expect((notOffered.json as { errors: { path: string }[] }).errors.map((e) => e.path)).toEqual([
      'termCount',
    ]);
    expect(await rowCounts(database.db)).toEqual(before);
  });
});
