import { localDate, type ProductDefinition, parseProduct, quoteProduct } from '@fenqi/core';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { productVersionById, quoteProductVersion } from '../../src/modules/products/service.ts';
import { getBusinessDate } from '../../src/platform/business-date.ts';
import { failure } from '../support/failure.ts';
import { useTestServer } from '../support/server.ts';
import {
  flatFeeProduct,
  installmentProduct,
  pbocExampleProduct,
  promotionProduct,
  revolvingDailyProduct,
  withCode,
} from './fixtures.ts';
import { calls, type ProductStaff, productStaff, publishProduct, rowCounts, writeDraft } from './support.ts';

// Previews over HTTP: one loan's schedule and both annualized rates under any version (drafts too),
// exact to the fen against core's own quote; the grid of every term and grade with what a publish
// request would find; and the loan requests a product refuses, field by field, writing nothing.

const { database, server } = useTestServer({ accessControl: 'iam' });
let staff: ProductStaff;
let api: ReturnType<typeof calls>;
const ids: Record<string, string> = {};

beforeAll(async () => {
  staff = await productStaff(database.db, server.config);
  api = calls(server);
  ids.installment = await writeDraft(server, staff.author, installmentProduct);
  ids.pboc = await publishProduct(server, staff.author, staff.checker, pbocExampleProduct);
  ids.promotion = await writeDraft(server, staff.author, promotionProduct);
  ids.daily = await writeDraft(server, staff.author, revolvingDailyProduct);
  ids.flat = await writeDraft(server, staff.author, flatFeeProduct);
});

type Preview = {
  status: string;
  paymentMinor: string | null;
  installments: {
    number: number;
    dueDate: string;
    principalMinor: string;
    interestMinor: string;
    feeMinor: string;
    totalMinor: string;
    balanceMinor: string;
  }[];
  totals: Record<string, string>;
  rates: { periodic: string; simple: string; irr: string };
  withinCap: boolean;
  [field: string]: unknown;
};

const preview = (id: string | undefined, body: Record<string, unknown>) =>
  api.post(staff.author, `/api/v1/products/versions/${id}/preview`, body);

/** Core's own quote, written as the preview writes it: the oracle of every figure. */
function coreQuote(
  definition: ProductDefinition,
  request: { grade: string; termCount: number; principalMinor: bigint; startDate: string },
) {
  const product = parseProduct(definition);
  if (!product.ok) throw new Error('fixture does not parse');
  const quoted = quoteProduct(product.value, { ...request, startDate: localDate(request.startDate) });
  if (!quoted.ok) throw new Error(JSON.stringify(quoted.issues));
  const { schedule, rates } = quoted.value;
  const text = (rate: Decimal) => rate.toFixed(10, Decimal.ROUND_HALF_UP);
  return {
    paymentMinor: schedule.paymentMinor === null ? null : String(schedule.paymentMinor),
    installments: schedule.installments.map((i) => ({
      number: i.number,
      periodStart: i.periodStart,
      dueDate: i.dueDate,
      principalMinor: String(i.principalMinor),
      interestMinor: String(i.interestMinor),
      feeMinor: String(i.feeMinor),
      totalMinor: String(i.totalMinor),
      balanceMinor: String(i.balanceMinor),
    })),
    totals: Object.fromEntries(Object.entries(schedule.totals).map(([key, value]) => [key, String(value)])),
    disbursedMinor: String(schedule.disbursedMinor),
    rates: { periodic: text(rates.periodic), simple: text(rates.simple), irr: text(rates.irr) },
  };
}

describe('preview of one loan', () => {
  it('a draft: 12,000.00 at grade B over 12 months is 11 × 1,100.16 and 1,100.19, 18 % simple, 19.56 % IRR', async () => {
    const request = { grade: 'B', termCount: 12, principalMinor: '1200000', startDate: '2026-03-01' };
    const answer = await preview(ids.installment, request);
    expect(answer.status, answer.text).toBe(200);
    const body = answer.json as Preview;
    expect(body).toMatchObject({
      versionId: ids.installment,
      code: 'test-installment',
      version: 1,
      status: 'draft',
      grade: 'B',
      termCount: 12,
      method: 'equal_installment',
      startDate: '2026-03-01',
      price: { kind: 'annual_rate', rate: '0.18' },
      annualRate: '0.18',
      periodFeeRate: '0',
      penaltyRate: '0.27',
      principalMinor: '1200000',
      upfrontFeeMinor: '0',
      upfrontFeeMode: 'deducted',
      merchantDiscountMinor: '0',
      financedPrincipalMinor: '1200000',
      disbursedMinor: '1200000',
      merchantPayoutMinor: '1200000',
      paymentMinor: '110016',
      totals: { principalMinor: '1200000', interestMinor: '120195', feeMinor: '0', totalMinor: '1320195' },
      costMinor: '120195',
      aprCap: '0.24',
      withinCap: true,
    });
    expect(body.installments.map((i) => i.totalMinor)).toEqual([...Array(11).fill('110016'), '110019']);
    expect(body.installments[0]).toEqual({
      number: 1,
      periodStart: '2026-03-01',
      dueDate: '2026-04-01',
      principalMinor: '92016',
      interestMinor: '18000',
      feeMinor: '0',
      totalMinor: '110016',
      balanceMinor: '1107984',
    });
    expect(body.rates.simple.slice(0, 6)).toBe('0.1800');
    expect(body.rates.irr.slice(0, 6)).toBe('0.1956');
    expect(body).toMatchObject(coreQuote(installmentProduct, { ...request, principalMinor: 1_200_000n }));
  });

  it('the PBOC 2021 No. 3 example: 100,000 borrowed, 1,000 up front, 12 × 8,833.33 → 12.80 % simple, 13.58 % IRR', async () => {
    const answer = await preview(ids.pboc, {
      grade: 'A',
      termCount: 12,
      principalMinor: '10000000',
      startDate: '2026-01-15',
    });
    const body = answer.json as Preview;
    expect(body).toMatchObject({
      status: 'published',
      upfrontFeeMinor: '100000',
      disbursedMinor: '9900000',
      paymentMinor: '883333',
      totals: { principalMinor: '10000000', interestMinor: '0', feeMinor: '599996', totalMinor: '10599996' },
      // 600,000 of fees less the 4 fen the last installment gives back, plus the 1,000.00 up front.
      costMinor: '699996',
      withinCap: true,
    });
    expect(body.installments.map((i) => i.totalMinor)).toEqual(Array(12).fill('883333'));
    expect(new Decimal(body.rates.simple).toFixed(4)).toBe('0.1280');
    expect(new Decimal(body.rates.irr).toFixed(4)).toBe('0.1358');
  });

  it('a 0 % promotion with the merchant’s own discount: the borrower pays the price, the merchant the 贴息', async () => {
    const answer = await preview(ids.promotion, {
      grade: 'C',
      termCount: 6,
      principalMinor: '600000',
      startDate: '2026-03-01',
      merchantDiscountRate: '0.005',
    });
    expect(answer.json).toMatchObject({
      paymentMinor: '100000',
      merchantDiscountMinor: '24000',
      merchantPayoutMinor: '576000',
      costMinor: '0',
      rates: { periodic: '0.0000000000', simple: '0.0000000000', irr: '0.0000000000' },
      withinCap: true,
    });
  });

  it('starts on the business date when no start date is given', async () => {
    const answer = await preview(ids.daily, { grade: 'A', termCount: 3, principalMinor: '300000' });
    expect(answer.status, answer.text).toBe(200);
    expect((answer.json as Preview).startDate).toBe(await getBusinessDate(database.db));
  });

  it('is exact to the fen against core for any grade, term and amount (oracle)', async () => {
    const product = { definition: flatFeeProduct, id: () => ids.flat };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('A', 'B', 'C'),
        fc.constantFrom(3, 6, 12),
        fc.bigInt({ min: 60_000n, max: 5_000_000n }),
        fc.integer({ min: 0, max: 364 }),
        async (grade, termCount, principalMinor, day) => {
          const startDate = new Date(Date.UTC(2026, 0, 1 + day)).toISOString().slice(0, 10);
          const request = { grade, termCount, principalMinor, startDate };
          const answer = await preview(product.id(), { ...request, principalMinor: String(principalMinor) });
          expect(answer.status, answer.text).toBe(200);
          expect(answer.json).toMatchObject(coreQuote(product.definition, request));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('refuses a loan the product does not offer, field by field, and writes nothing', async () => {
    const before = await rowCounts(database.db);
    const refused = await preview(ids.installment, {
      grade: 'D',
      termCount: 9,
      principalMinor: '99999',
      startDate: '2026-03-01',
      merchantDiscountRate: '1.5',
    });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({
      code: 'validation_failed',
      errors: [
        {
          in: 'body',
          path: 'grade',
          code: 'value_not_allowed',
          message: 'grade D has no price in product test-installment (priced: A, B, C)',
        },
        {
          in: 'body',
          path: 'termCount',
          code: 'value_not_allowed',
          message: 'product test-installment offers 3, 6, 12 installments, not 9',
        },
        {
          in: 'body',
          path: 'principal',
          code: 'value_not_allowed',
          message: 'product test-installment lends from 1000.00 to 50000.00 CNY, not 999.99',
        },
        { in: 'body', path: 'merchantDiscountRate', code: 'rate_too_large' },
      ],
    });
    const malformed = await preview(ids.installment, {
      grade: 'A',
      termCount: 3,
      principalMinor: '1000.00',
      startDate: '2026-02-30',
      merchantDiscountRate: 'half',
    });
    expect(malformed.status).toBe(400);
    expect(
      (malformed.json as { errors: { path: string }[] }).errors.map((error) => error.path).sort(),
    ).toEqual(['principalMinor', 'startDate']);
    const discount = await preview(ids.installment, {
      grade: 'A',
      termCount: 3,
      principalMinor: '100000',
      merchantDiscountRate: 'half',
    });
    expect(discount.json).toMatchObject({
      status: 400,
      errors: [{ path: 'merchantDiscountRate', code: 'decimal_invalid' }],
    });
    expect(await rowCounts(database.db)).toEqual(before);
  });

  it('an unknown version is a 404', async () => {
    const missing = await preview('00000000-0000-4000-8000-000000000000', {
      grade: 'A',
      termCount: 3,
      principalMinor: '100000',
    });
    expect(missing.json).toMatchObject({ status: 404, code: 'not_found' });
  });
});

describe('preview grid', () => {
  it('every offered term at every grade, each cell as its own preview says, and publishable', async () => {
    const answer = await api.post(staff.author, `/api/v1/products/versions/${ids.installment}/preview-grid`, {
      principalMinor: '1200000',
      startDate: '2026-03-01',
    });
    expect(answer.status, answer.text).toBe(200);
    const grid = answer.json as {
      cells: {
        termCount: number;
        grade: string;
        paymentMinor: string;
        rates: { irr: string };
        withinCap: boolean;
        costMinor: string;
      }[];
      publishable: boolean;
      issues: unknown[];
      principalMinor: string;
    };
    expect(grid).toMatchObject({ principalMinor: '1200000', publishable: true, issues: [], aprCap: '0.24' });
    expect(grid.cells.map((cell) => `${cell.termCount}${cell.grade}`)).toEqual([
      '3A',
      '3B',
      '3C',
      '6A',
      '6B',
      '6C',
      '12A',
      '12B',
      '12C',
    ]);
    expect(grid.cells.map((cell) => new Decimal(cell.rates.irr).toFixed(4))).toEqual([
      '0.1268',
      '0.1956',
      '0.2314',
      '0.1268',
      '0.1956',
      '0.2314',
      '0.1268',
      '0.1956',
      '0.2314',
    ]);
    const single = (
      await preview(ids.installment, {
        grade: 'B',
        termCount: 12,
        principalMinor: '1200000',
        startDate: '2026-03-01',
      })
    ).json as Preview;
    expect(grid.cells[7]).toMatchObject({
      paymentMinor: single.paymentMinor,
      costMinor: single.costMinor,
      rates: single.rates,
      withinCap: true,
    });
  });

  it('shows a draft’s problems before anyone asks to publish it; the amount defaults to the largest', async () => {
    const dear = await writeDraft(server, staff.author, {
      ...withCode(installmentProduct, 'grid-dear'),
      prices: [
        { grade: 'A', kind: 'annual_rate', rate: '0.1200' },
        { grade: 'B', kind: 'annual_rate', rate: '0.2400' },
      ],
    });
    const answer = await api.post(staff.author, `/api/v1/products/versions/${dear}/preview-grid`, {
      startDate: '2026-03-01',
    });
    const grid = answer.json as {
      principalMinor: string;
      publishable: boolean;
      issues: { path: string; code: string }[];
      cells: { grade: string; withinCap: boolean }[];
    };
    expect(grid.principalMinor).toBe('5000000');
    expect(grid.publishable).toBe(false);
    expect(grid.issues.map((issue) => `${issue.code}@${issue.path}`)).toEqual(
      Array(3).fill('apr_above_cap@definition/prices/1/rate'),
    );
    expect(grid.cells.filter((cell) => !cell.withinCap).map((cell) => cell.grade)).toEqual(['B', 'B', 'B']);
  });
});

describe('quoteProductVersion (for the loans module)', () => {
  it('quotes under a version as the preview does, and refuses what does not fit with field errors', async () => {
    const version = await productVersionById(database.db, ids.pboc ?? '');
    const quoted = quoteProductVersion(version, {
      grade: 'A',
      termCount: 12,
      principalMinor: 10_000_000n,
      startDate: '2026-01-15',
    });
    expect(quoted.schedule.disbursedMinor).toBe(9_900_000n);
    expect(quoted.rates.irr.toFixed(4)).toBe('0.1358');
    expect(
      await failure(async () =>
        quoteProductVersion(version, {
          grade: 'A',
          termCount: 6,
          principalMinor: 10_000_000n,
          startDate: '2026-13-01',
        }),
      ),
    ).toEqual({
      code: 'validation_failed',
      detail: 'The loan does not fit the product: startDate: must be a date YYYY-MM-DD',
      errors: [{ in: 'body', path: 'startDate', message: 'must be a date YYYY-MM-DD', code: 'date_invalid' }],
    });
    const refused = await failure(async () =>
      quoteProductVersion(version, {
        grade: 'A',
        termCount: 6,
        principalMinor: 10_000_000n,
        startDate: '2026-01-15',
      }),
    );
    expect(refused).toMatchObject({
      code: 'validation_failed',
      errors: [{ path: 'termCount', code: 'value_not_allowed' }],
    });
  });
});
