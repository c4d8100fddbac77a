import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  productVersionById,
  publishedProductVersion,
  quoteProductVersion,
} from '../../src/modules/products/service.ts';
import { failure } from '../support/failure.ts';
import { useTestServer } from '../support/server.ts';
import { flatFeeProduct, installmentProduct, promotionProduct, withCode } from './fixtures.ts';
import {
  calls,
  type ProductStaff,
  productStaff,
  publishProduct,
  requestPublish,
  rowCounts,
  writeDraft,
} from './support.ts';

// The life of a product version over HTTP: drafts written and rewritten, refused definitions that
// write nothing, maker-checker publication (the maker cannot approve their own), a newer version
// superseding the published one while the old one stays readable by id (loans pin it), withdrawal,
// retirement, and two publish requests of one code racing (one wins, the other is a 409).

const { database, server } = useTestServer({ accessControl: 'iam' });
let staff: ProductStaff;
let api: ReturnType<typeof calls>;

type Version = {
  id: string;
  code: string;
  version: number;
  status: string;
  definition: unknown;
  supersededBy: string | null;
};

beforeAll(async () => {
  staff = await productStaff(database.db, server.config);
  api = calls(server);
});

const version = async (id: string) =>
  (await api.get(staff.author, `/api/v1/products/versions/${id}`)).json as Version;

describe('drafts', () => {
  it('a draft is version 1 of its code, the next draft version 2, and a draft can be rewritten', async () => {
    const definition = withCode(installmentProduct, 'draft-numbers');
    const first = await api.post(staff.author, '/api/v1/products', { definition });
    expect(first.status, first.text).toBe(201);
    expect(first.json).toMatchObject({
      code: 'draft-numbers',
      version: 1,
      status: 'draft',
      definition,
      publishedAt: null,
    });
    const second = await api.post(staff.author, '/api/v1/products', { definition });
    expect(second.json).toMatchObject({ version: 2, status: 'draft' });
    const id = (first.json as Version).id;
    const rewritten = await api.put(staff.author, `/api/v1/products/versions/${id}`, {
      definition: { ...definition, termsOffered: [6, 12] },
    });
    expect(rewritten.status, rewritten.text).toBe(200);
    expect((rewritten.json as Version).definition).toMatchObject({ termsOffered: [6, 12] });
    const listed = await api.get(staff.author, '/api/v1/products?code=draft-numbers');
    expect((listed.json as Version[]).map((v) => [v.version, v.status])).toEqual([
      [2, 'draft'],
      [1, 'draft'],
    ]);
  });

  it('an invalid definition is a 422 naming every field, and writes nothing', async () => {
    const before = await rowCounts(database.db);
    const refused = await api.post(staff.author, '/api/v1/products', {
      definition: {
        ...installmentProduct,
        code: 'bad product',
        termsOffered: [3, 3],
        prices: [{ grade: 'A', kind: 'annual_rate', rate: '0.5x' }],
        penaltyMarkup: '0.9',
        amountMinMinor: '100.00',
      },
    });
    expect(refused.status).toBe(422);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.json).toMatchObject({
      code: 'product_invalid',
      detail: 'The product definition has 5 problem(s).',
      errors: [
        { in: 'body', path: 'definition/code', code: 'name_invalid' },
        {
          in: 'body',
          path: 'definition/termsOffered/1',
          code: 'duplicate_value',
          message: 'term 3 is offered twice',
        },
        { in: 'body', path: 'definition/prices/0/rate', code: 'decimal_invalid' },
        { in: 'body', path: 'definition/penaltyMarkup', code: 'rate_too_large' },
        { in: 'body', path: 'definition/amountMinMinor', code: 'minor_units_invalid' },
      ],
    });
    expect(await rowCounts(database.db)).toEqual(before);
  });

  it('a body that is not a definition is refused by the schema, and writes nothing', async () => {
    const before = await rowCounts(database.db);
    const refused = await api.post(staff.author, '/api/v1/products', { definition: 'pos', extra: 1 });
    expect(refused.status).toBe(400);
    expect(refused.json).toMatchObject({ code: 'validation_failed' });
    expect(await rowCounts(database.db)).toEqual(before);
  });

  it('a rewrite keeps the code, and a refused rewrite changes nothing', async () => {
    const id = await writeDraft(server, staff.author, withCode(installmentProduct, 'keeps-code'));
    const renamed = await api.put(staff.author, `/api/v1/products/versions/${id}`, {
      definition: withCode(installmentProduct, 'another-code'),
    });
    expect(renamed.json).toMatchObject({
      status: 400,
      code: 'validation_failed',
      errors: [{ path: 'definition/code', message: 'must stay keeps-code: a new code is a new product' }],
    });
    const invalid = await api.put(staff.author, `/api/v1/products/versions/${id}`, {
      definition: { ...withCode(installmentProduct, 'keeps-code'), graceDays: 99 },
    });
    expect(invalid.json).toMatchObject({
      status: 422,
      code: 'product_invalid',
      errors: [{ path: 'definition/graceDays' }],
    });
    expect((await version(id)).definition).toEqual(withCode(installmentProduct, 'keeps-code'));
  });

  it('an unknown version is a 404', async () => {
    const missing = await api.get(
      staff.author,
      '/api/v1/products/versions/00000000-0000-4000-8000-000000000000',
    );
    expect(missing.json).toMatchObject({ status: 404, code: 'not_found' });
  });
});

describe('publishing (maker-checker)', () => {
  it('a publish request makes the draft pending; the maker cannot approve it; the checker publishes it', async () => {
    const id = await writeDraft(server, staff.author, withCode(flatFeeProduct, 'maker-checker'));
    const requestId = await requestPublish(server, staff.author, id);
    expect(await version(id)).toMatchObject({ status: 'pending', approvalRequestId: requestId });
    // Pending: frozen for the checker's eyes.
    const edit = await api.put(staff.author, `/api/v1/products/versions/${id}`, {
      definition: withCode(flatFeeProduct, 'maker-checker'),
    });
    expect(edit.json).toMatchObject({ status: 409, code: 'product_version_not_draft' });
    const self = await api.post(staff.author, `/api/v1/approvals/${requestId}/approve`, {});
    expect(self.status).toBe(403);
    const approved = await api.post(staff.checker, `/api/v1/approvals/${requestId}/approve`, {});
    expect(approved.status, approved.text).toBe(200);
    expect(approved.json).toMatchObject({
      status: 'approved',
      result: { versionId: id, code: 'maker-checker', version: 1, supersededVersionId: null },
    });
    expect(await version(id)).toMatchObject({ status: 'published', approvalRequestId: requestId });
    // The ledger posts the version's loans by its basis (accrual, the default).
    const posting = await sql<{ basis: string }>`
      SELECT basis FROM ledger_product_posting WHERE product_id = ${id}`.execute(database.db);
    expect(posting.rows).toEqual([{ basis: 'accrual' }]);
    const events = await sql<{ type: string; payload: Record<string, unknown> }>`
      SELECT type, payload FROM outbox_events WHERE subject_id = ${id} ORDER BY id`.execute(database.db);
    expect(events.rows).toEqual([
      {
        type: 'products.version-published',
        payload: {
          versionId: id,
          code: 'maker-checker',
          version: 1,
          supersededVersionId: null,
          makerId: expect.any(String),
          checkerId: expect.any(String),
        },
      },
    ]);
  });

  it('a new published version supersedes the old for new loans; the old stays readable by id', async () => {
    const v1 = await publishProduct(
      server,
      staff.author,
      staff.checker,
      withCode(installmentProduct, 'supersede'),
    );
    const current = await publishedProductVersion(database.db, 'supersede');
    expect(current).toMatchObject({ id: v1, version: 1, status: 'published' });
    const cheaper = {
      ...withCode(installmentProduct, 'supersede'),
      prices: [{ grade: 'A', kind: 'annual_rate' as const, rate: '0.0990' }],
      postingBasis: 'cash' as const,
    };
    const v2 = await publishProduct(server, staff.author, staff.checker, cheaper);
    expect(await publishedProductVersion(database.db, 'supersede')).toMatchObject({ id: v2, version: 2 });
    // A loan made under v1 still finds its product, and quotes under it as it did.
    const pinned = await productVersionById(database.db, v1);
    expect(pinned).toMatchObject({
      id: v1,
      status: 'retired',
      supersededBy: v2,
      code: 'supersede',
      version: 1,
    });
    const quoted = quoteProductVersion(pinned, {
      grade: 'C',
      termCount: 12,
      principalMinor: 1_200_000n,
      startDate: '2026-03-01',
    });
    expect(quoted.schedule.paymentMinor).toBe(111_737n);
    expect(quoted.terms.annualRate.toString()).toBe('0.21');
    const bases = await sql<{ product_id: string; basis: string }>`
      SELECT product_id, basis FROM ledger_product_posting WHERE product_id IN (${v1}, ${v2}) ORDER BY basis`.execute(
      database.db,
    );
    expect(bases.rows).toEqual([
      { product_id: v1, basis: 'accrual' },
      { product_id: v2, basis: 'cash' },
    ]);
    const retired = await sql<{ payload: Record<string, unknown> }>`
      SELECT payload FROM outbox_events WHERE type = 'products.version-retired' AND subject_id = ${v1}`.execute(
      database.db,
    );
    expect(retired.rows).toEqual([
      { payload: { versionId: v1, code: 'supersede', version: 1, supersededBy: v2 } },
    ]);
  });

  it('a rejected publish request leaves the version pending until the maker withdraws it', async () => {
    const id = await writeDraft(server, staff.author, withCode(installmentProduct, 'rejected'));
    const requestId = await requestPublish(server, staff.author, id);
    const rejected = await api.post(staff.checker, `/api/v1/approvals/${requestId}/reject`, {
      note: 'rates too high',
    });
    expect(rejected.status, rejected.text).toBe(200);
    expect(await version(id)).toMatchObject({ status: 'pending' });
    const withdrawn = await api.post(staff.author, `/api/v1/products/versions/${id}/withdraw`);
    expect(withdrawn.status, withdrawn.text).toBe(200);
    expect(withdrawn.json).toMatchObject({ status: 'draft', approvalRequestId: null, requestedAt: null });
    const again = await api.post(staff.author, `/api/v1/products/versions/${id}/withdraw`);
    expect(again.json).toMatchObject({ status: 409, code: 'product_version_not_pending' });
  });

  it('a withdrawn version cannot be published by its old request, only by a new one', async () => {
    const id = await writeDraft(server, staff.author, withCode(installmentProduct, 'withdrawn'));
    const stale = await requestPublish(server, staff.author, id);
    await api.post(staff.author, `/api/v1/products/versions/${id}/withdraw`);
    const edited = await api.put(staff.author, `/api/v1/products/versions/${id}`, {
      definition: { ...withCode(installmentProduct, 'withdrawn'), coolingOffDays: 14 },
    });
    expect(edited.status).toBe(200);
    const fresh = await requestPublish(server, staff.author, id);
    const before = await rowCounts(database.db);
    const refused = await api.post(staff.checker, `/api/v1/approvals/${stale}/approve`, {});
    expect(refused.json).toMatchObject({ status: 409, code: 'product_version_not_pending' });
    expect(await rowCounts(database.db)).toEqual(before);
    const approved = await api.post(staff.checker, `/api/v1/approvals/${fresh}/approve`, {});
    expect(approved.status, approved.text).toBe(200);
    expect((await publishedProductVersion(database.db, 'withdrawn')).product.coolingOffDays).toBe(14);
  });

  it('a published version cannot change or be asked to publish again', async () => {
    const id = await publishProduct(
      server,
      staff.author,
      staff.checker,
      withCode(promotionProduct, 'frozen'),
    );
    const edit = await api.put(staff.author, `/api/v1/products/versions/${id}`, {
      definition: withCode(promotionProduct, 'frozen'),
    });
    expect(edit.json).toMatchObject({ status: 409, code: 'product_version_not_draft' });
    const again = await api.post(staff.author, `/api/v1/products/versions/${id}/publish-requests`, {
      reason: 'again',
    });
    expect(again.json).toMatchObject({ status: 409, code: 'product_version_not_draft' });
    // The database holds it too: a published definition never changes.
    await expect(
      sql`UPDATE product_versions SET definition = '{}' WHERE id = ${id}`.execute(database.db),
    ).rejects.toThrow('its definition cannot change');
  });

  it('two publish requests for two versions of one code race: one is pending, the other a 409', async () => {
    const definition = withCode(installmentProduct, 'race');
    const a = await writeDraft(server, staff.author, definition);
    const b = await writeDraft(server, staff.author, definition);
    const before = await rowCounts(database.db);
    const [first, second] = await Promise.all(
      [a, b].map((id) =>
        api.post(staff.author, `/api/v1/products/versions/${id}/publish-requests`, { reason: 'race' }),
      ),
    );
    const statuses = [first?.status, second?.status].sort();
    expect(statuses).toEqual([201, 409]);
    const lost = [first, second].find((response) => response?.status === 409);
    expect(lost?.json).toMatchObject({
      code: 'product_publish_pending',
      pendingVersionId: expect.any(String),
    });
    const after = await rowCounts(database.db);
    // The winner wrote one approval request and its audit row; the loser nothing.
    expect(after.approvals).toBe((before.approvals ?? 0) + 1);
    const listed = (await api.get(staff.author, '/api/v1/products?code=race')).json as Version[];
    expect(listed.map((v) => v.status).sort()).toEqual(['draft', 'pending']);
  });

  it('two first drafts of a new code race: both are written, as versions 1 and 2', async () => {
    const definition = withCode(installmentProduct, 'first-race');
    const made = await Promise.all(
      [1, 2, 3].map(() => api.post(staff.author, '/api/v1/products', { definition })),
    );
    expect(made.map((response) => response.status)).toEqual([201, 201, 201]);
    expect(made.map((response) => (response.json as Version).version).sort()).toEqual([1, 2, 3]);
  });
});

describe('retiring', () => {
  it('retiring the published version leaves the code with nothing to lend; its loans keep it', async () => {
    const id = await publishProduct(
      server,
      staff.author,
      staff.checker,
      withCode(installmentProduct, 'retire'),
    );
    const author = await api.post(staff.author, `/api/v1/products/versions/${id}/retire`, {
      reason: 'end of campaign',
    });
    expect(author.status).toBe(403);
    const retired = await api.post(staff.checker, `/api/v1/products/versions/${id}/retire`, {
      reason: 'end of campaign',
    });
    expect(retired.status, retired.text).toBe(200);
    expect(retired.json).toMatchObject({
      status: 'retired',
      supersededBy: null,
      retiredAt: expect.any(String),
    });
    expect(await failure(() => publishedProductVersion(database.db, 'retire'))).toEqual({
      code: 'product_not_available',
      detail: 'Product retire has no published version: nothing can be lent under it.',
      extensions: { productCode: 'retire' },
    });
    expect(await productVersionById(database.db, id)).toMatchObject({ status: 'retired' });
    const twice = await api.post(staff.checker, `/api/v1/products/versions/${id}/retire`, {
      reason: 'again',
    });
    expect(twice.json).toMatchObject({ status: 409, code: 'product_version_not_published' });
  });

  it('a code never published has no version to lend under', async () => {
    expect((await failure(() => publishedProductVersion(database.db, 'never-written'))).code).toBe(
      'product_not_available',
    );
  });
});

describe('the public catalogue', () => {
  it('lists every code’s published version to anyone, without prices or internals', async () => {
    await publishProduct(server, staff.author, staff.checker, withCode(promotionProduct, 'catalogue-zero'));
    const listed = await fetch(`${server.baseUrl}/api/v1/catalogue/products`);
    expect(listed.status).toBe(200);
    const products = (await listed.json()) as { code: string }[];
    expect(products.find((product) => product.code === 'catalogue-zero')).toEqual({
      code: 'catalogue-zero',
      versionId: expect.any(String),
      version: 1,
      name: { zh: '免息分期', en: 'Interest-free installments' },
      method: 'equal_installment',
      termsOffered: [3, 6, 12],
      frequency: 'monthly',
      amountMinMinor: '30000',
      amountMaxMinor: '3000000',
      revolving: false,
      coolingOffDays: 7,
      prepaymentAllowed: true,
      publishedAt: expect.any(String),
    });
    expect(products.some((product) => product.code === 'draft-numbers')).toBe(false);
  });
});
