import { formatFrequency } from '@fenqi/core';
import { z } from 'zod';
import { getBusinessDate } from '../../platform/business-date.ts';
import { originOf } from '../../platform/http/origin.ts';
import { commandRoute, computeRoute, queryRoute } from '../../platform/http/route.ts';
import { actorOf, approvalView, staffOf } from '../iam/service.ts';
import { requestPublish } from './publishing.ts';
import * as s from './schemas.ts';
import type { definitionPreviewTask, previewGridTask, previewTask } from './tasks.ts';
import { productTasks } from './tasks.ts';
import {
  createDraft,
  getVersion,
  listVersions,
  type ProductVersion,
  publishedVersions,
  retireVersion,
  updateDraft,
  withdrawPublish,
} from './versions.ts';

// Operators write product drafts and ask for them to be published (a checker approves through
// /api/v1/approvals), preview any version's schedule and rates, and retire the published one.
// Anyone may read the catalogue of published products.

/** What the compute task needs of a stored version: plain data, structured-cloned to the worker. */
function stored(version: ProductVersion, aprCap: string) {
  return { versionId: version.id, status: version.status, definition: version.definition, aprCap };
}

function publishedAt(version: ProductVersion): Date {
  if (version.publishedAt === null)
    throw new Error(`published version ${version.id} has no publication time`);
  return version.publishedAt;
}

const versionOf = (version: ProductVersion) => ({
  versionId: version.id,
  code: version.code,
  version: version.version,
  status: version.status,
});

export const productRoutes = [
  commandRoute({
    method: 'POST',
    url: '/api/v1/products',
    permission: 'products:author',
    summary: 'Write a product draft (the next version of its code)',
    description:
      'The definition is checked field by field (docs/products.md); every problem is a field error under `definition/…` and nothing is written.',
    tags: ['products'],
    schema: { body: s.definitionBody, response: { 201: s.productVersion } },
    handler: async ({ trx, caller, body }) => ({
      status: 201,
      body: await createDraft(trx, { definition: body.definition, actor: actorOf(caller).id }),
    }),
  }),
  commandRoute({
    method: 'PUT',
    url: '/api/v1/products/versions/:versionId',
    permission: 'products:author',
    summary: 'Rewrite a product draft (a pending, published or retired version never changes)',
    tags: ['products'],
    schema: { params: s.versionParams, body: s.definitionBody, response: { 200: s.productVersion } },
    handler: async ({ trx, params, body }) => ({
      status: 200,
      body: await updateDraft(trx, { versionId: params.versionId, definition: body.definition }),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/products',
    permission: 'products:read',
    summary: 'Product versions, by code and newest version first',
    description:
      'Filter by code and status; page with `limit` and `after` (the id of the last version of the previous page).',
    tags: ['products'],
    schema: { querystring: s.listQuery, response: { 200: z.array(s.productVersion) } },
    handler: async ({ db, query }) => ({ status: 200, body: await listVersions(db, query) }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/products/versions/:versionId',
    permission: 'products:read',
    summary: 'One product version, superseded and retired ones included',
    tags: ['products'],
    schema: { params: s.versionParams, response: { 200: s.productVersion } },
    handler: async ({ db, params }) => ({ status: 200, body: await getVersion(db, params.versionId) }),
  }),
  computeRoute({
    method: 'POST',
    url: '/api/v1/products/versions/:versionId/preview',
    permission: 'products:read',
    summary: 'The schedule, totals and both annualized rates of one loan under a version',
    description:
      'For any version, drafts included: the loan a borrower of the grade would get for the term and amount — every installment, the totals, the simple (单利) and compound (IRR) annualized rates of PBOC announcement 2021 No. 3 and whether the IRR is within APR_CAP.',
    tags: ['products'],
    schema: { params: s.versionParams, body: s.previewBody, response: { 200: s.previewResponse } },
    handler: async ({ params, body, services, compute }) => {
      const version = await getVersion(services.db, params.versionId);
      const quoted = await compute.run<ReturnType<typeof previewTask>>(productTasks, 'previewTask', {
        ...stored(version, services.config.aprCap),
        request: {
          grade: body.grade,
          termCount: body.termCount,
          principalMinor: BigInt(body.principalMinor),
          startDate: body.startDate ?? (await getBusinessDate(services.db)),
          merchantDiscountRate: body.merchantDiscountRate,
        },
      });
      return { status: 200, body: { ...versionOf(version), ...quoted } };
    },
  }),
  computeRoute({
    method: 'POST',
    url: '/api/v1/products/preview',
    permission: 'products:read',
    summary: 'Preview a definition before it is saved: one loan, every term and grade, the publication check',
    description:
      'The definition is checked as POST /api/v1/products checks it (422 product_invalid, a field error per problem under `definition/…`) but not stored. Answers the loan asked for — schedule, totals, nominal rate, simple and compound annualized rates (PBOC 2021 No. 3), whether the IRR is within APR_CAP — and the grid of every offered term at every grade’s price at the largest amount with what a publish request would find (`publishable`, `issues`).',
    tags: ['products'],
    schema: { body: s.definitionPreviewBody, response: { 200: s.definitionPreviewResponse } },
    handler: async ({ body, services, compute }) => {
      const { definition, ...request } = body;
      const previewed = await compute.run<ReturnType<typeof definitionPreviewTask>>(
        productTasks,
        'definitionPreviewTask',
        {
          definition,
          aprCap: services.config.aprCap,
          request: {
            grade: request.grade,
            termCount: request.termCount,
            principalMinor: BigInt(request.principalMinor),
            startDate: request.startDate ?? (await getBusinessDate(services.db)),
            merchantDiscountRate: request.merchantDiscountRate,
          },
        },
      );
      return { status: 200, body: previewed };
    },
  }),
  computeRoute({
    method: 'POST',
    url: '/api/v1/products/versions/:versionId/preview-grid',
    permission: 'products:read',
    summary: 'Every offered term at every grade’s price, with what a publish request would find',
    tags: ['products'],
    schema: { params: s.versionParams, body: s.gridBody, response: { 200: s.gridResponse } },
    handler: async ({ params, body, services, compute }) => {
      const version = await getVersion(services.db, params.versionId);
      const grid = await compute.run<ReturnType<typeof previewGridTask>>(productTasks, 'previewGridTask', {
        ...stored(version, services.config.aprCap),
        request: {
          principalMinor: body.principalMinor === undefined ? undefined : BigInt(body.principalMinor),
          startDate: body.startDate ?? (await getBusinessDate(services.db)),
        },
      });
      return { status: 200, body: { ...versionOf(version), ...grid } };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/products/versions/:versionId/publish-requests',
    permission: 'products:author',
    summary: 'Ask for a draft to be published (maker); it is pending until decided',
    description:
      'Refused at once, naming each term and grade, when an offered term at a grade’s price has an IRR above APR_CAP or a one-sum repayment runs past a year; another user with products:publish approves it through /api/v1/approvals, where the same checks run again.',
    tags: ['products'],
    schema: { params: s.versionParams, body: s.publishBody, response: { 201: approvalView } },
    handler: async ({ trx, caller, params, body, request, services }) => {
      const { approval } = await requestPublish(trx, services.config, {
        versionId: params.versionId,
        reason: body.reason,
        maker: staffOf(caller),
        origin: originOf(request),
      });
      return { status: 201, body: approval };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/products/versions/:versionId/withdraw',
    permission: 'products:author',
    summary: 'Take a pending version back to draft; its publish request can no longer publish it',
    tags: ['products'],
    schema: { params: s.versionParams, response: { 200: s.productVersion } },
    handler: async ({ trx, caller, params, request, services }) => ({
      status: 200,
      body: await withdrawPublish(trx, services.config, {
        versionId: params.versionId,
        actor: staffOf(caller).userId,
        origin: originOf(request),
      }),
    }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/products/versions/:versionId/retire',
    permission: 'products:publish',
    summary: 'Retire the published version: no new loans under the code until another is published',
    description: 'Loans made under it keep it (they pin the version id).',
    tags: ['products'],
    schema: { params: s.versionParams, body: s.retireBody, response: { 200: s.productVersion } },
    handler: async ({ trx, caller, params, body, request, services }) => ({
      status: 200,
      body: await retireVersion(trx, services.config, {
        versionId: params.versionId,
        reason: body.reason,
        actor: staffOf(caller).userId,
        origin: originOf(request),
      }),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/catalogue/products',
    permission: 'public',
    summary: 'The products on offer: every code’s published version',
    tags: ['products'],
    schema: { response: { 200: z.array(s.catalogueProduct) } },
    handler: async ({ db }) => ({
      status: 200,
      body: (await publishedVersions(db)).map((version) => ({
        code: version.code,
        versionId: version.id,
        version: version.version,
        name: version.product.name,
        method: version.product.method,
        termsOffered: [...version.product.termsOffered],
        frequency: formatFrequency(version.product.frequency),
        amountMinMinor: version.product.amountMinMinor,
        amountMaxMinor: version.product.amountMaxMinor,
        revolving: version.product.revolving,
        coolingOffDays: version.product.coolingOffDays,
        prepaymentAllowed: version.product.prepayment.allowed,
        publishedAt: publishedAt(version),
      })),
    }),
  }),
];
