import { policySchema } from '@fenqi/core';
import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import { originOf } from '../../platform/http/origin.ts';
import { commandRoute, queryRoute } from '../../platform/http/route.ts';
import { ownCustomerId } from '../customers/service.ts';
import { actorOf, approvalView, borrowerScope, requestApproval, staffOf } from '../iam/service.ts';
import { listApplications } from './application-list.ts';
import { applicationView, submitApplication } from './applications.ts';
import { backtest, replayDecision } from './decisions.ts';
import { simulatedExternalData } from './external-data.ts';
import { featureCatalogue } from './features.ts';
import {
  createDraft,
  getVersion,
  listVersions,
  pricingTermsDefault,
  publishPolicyApproval,
  retirePolicyApproval,
  updateDraft,
} from './policies.ts';
import { claimReview, decideReview, getReview, listReviews } from './reviews.ts';
import * as s from './schemas.ts';

// Borrowers apply for credit and read their own applications; analysts write policy drafts and ask
// for them to be published (a second person approves), work the review queue, replay decisions and
// backtest versions. Every decision is stored with its snapshot and trace.

async function borrowerCustomer(
  db: Parameters<typeof ownCustomerId>[0],
  caller: Parameters<typeof borrowerScope>[0],
) {
  const customerId = await ownCustomerId(db, borrowerScope(caller));
  if (customerId === undefined)
    throw new AppError(
      'customer_not_registered',
      'Register your customer profile before applying for credit.',
    );
  return customerId;
}

export const riskRoutes = [
  commandRoute({
    method: 'POST',
    url: '/api/v1/borrower/credit-applications',
    permission: 'borrower:self',
    summary: 'Apply for a credit line; decided at once, or sent to manual review',
    description:
      'Needs a real-name verified profile and current consents to the credit-bureau query and the privacy policy. An approval grants a credit line at the grade’s limit, within the per-person exposure cap.',
    tags: ['risk'],
    schema: { body: s.applyBody, response: { 201: s.application } },
    // External data is bought before the transaction opens: no lock is held while a vendor answers.
    prepare: async ({ db, caller }) => {
      const customerId = await borrowerCustomer(db, caller);
      return { customerId, external: await simulatedExternalData.fetch({ customerId }) };
    },
    handler: async ({ trx, body, prepared, services }) => ({
      status: 201,
      body: await submitApplication(trx, services.config, { ...prepared, deviceId: body.deviceId }),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/borrower/credit-applications/:applicationId',
    permission: 'borrower:self',
    summary: 'One of the borrower’s own credit applications',
    tags: ['risk'],
    schema: { params: s.applicationParams, response: { 200: s.application } },
    handler: async ({ db, caller, params }) => ({
      status: 200,
      body: await applicationView(db, params.applicationId, await borrowerCustomer(db, caller)),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/risk/applications',
    permission: 'risk:read',
    summary:
      'Credit applications with their deciding evaluation, newest first (filter by customer, status, outcome, dates)',
    description:
      '`decision.id` names the evaluation whose trace `GET /api/v1/risk/decisions/{decisionId}/replay` re-runs. Pages: `before` = the `next` of the previous page.',
    tags: ['risk'],
    schema: { querystring: s.applicationListQuery, response: { 200: s.applicationPage } },
    handler: async ({ db, query }) => {
      if (query.from !== undefined && query.to !== undefined && query.from > query.to)
        throw new AppError('validation_failed', 'from must not be after to.', {
          errors: [{ in: 'query', path: 'from', message: 'must not be after to' }],
        });
      return { status: 200, body: await listApplications(db, query) };
    },
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/risk/applications/:applicationId',
    permission: 'risk:read',
    summary: 'A credit application with its deciding evaluation',
    tags: ['risk'],
    schema: { params: s.applicationParams, response: { 200: s.application } },
    handler: async ({ db, params }) => ({
      status: 200,
      body: await applicationView(db, params.applicationId),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/risk/decisions/:decisionId/replay',
    permission: 'risk:read',
    summary: 'Re-evaluate a stored snapshot against the decision’s pinned policy version',
    description:
      '`matches` is true when the replay’s canonical JSON equals the stored decision byte for byte.',
    tags: ['risk'],
    schema: { params: s.decisionParams, response: { 200: s.replay } },
    handler: async ({ db, params }) => ({ status: 200, body: await replayDecision(db, params.decisionId) }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/risk/policies',
    permission: 'risk:author',
    summary: 'Write a policy draft',
    description:
      'The document is checked as `fenqi policy validate` checks it; every issue is a field error.',
    tags: ['risk'],
    schema: { body: s.policyBody, response: { 201: s.policyVersion } },
    handler: async ({ trx, caller, body }) => ({
      status: 201,
      body: await createDraft(trx, { document: body.document, actor: actorOf(caller).id }),
    }),
  }),
  commandRoute({
    method: 'PUT',
    url: '/api/v1/risk/policies/:versionId',
    permission: 'risk:author',
    summary: 'Rewrite a policy draft (a published version never changes)',
    tags: ['risk'],
    schema: { params: s.versionParams, body: s.policyBody, response: { 200: s.policyVersion } },
    handler: async ({ trx, params, body }) => ({
      status: 200,
      body: await updateDraft(trx, { versionId: params.versionId, document: body.document }),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/risk/policies',
    permission: 'risk:read',
    summary: 'Policy versions, newest first per policy, with which one decides',
    description:
      'Filter by policy id and status; page with `limit` and `after` (the id of the last version of the previous page).',
    tags: ['risk'],
    schema: { querystring: s.policyListQuery, response: { 200: z.array(s.policyVersion) } },
    handler: async ({ db, query }) => ({
      status: 200,
      body: await listVersions(db, query),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/risk/policy-schema',
    permission: 'risk:read',
    summary: 'What a policy document may contain: its JSON Schema and the features Fenqi computes',
    description:
      'The schema is core’s `policySchema` (docs/risk.md); a document it accepts may still be refused for what only the validator checks (declared features, bins, grades), each a field error of POST /api/v1/risk/policies.',
    tags: ['risk'],
    schema: { response: { 200: s.policySchemaView } },
    handler: async ({ services }) => ({
      status: 200,
      body: {
        schema: policySchema as unknown as Record<string, unknown>,
        features: featureCatalogue,
        pricingTerms: [...pricingTermsDefault],
        aprCap: services.config.aprCap,
      },
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/risk/policies/:versionId',
    permission: 'risk:read',
    summary: 'One policy version',
    tags: ['risk'],
    schema: { params: s.versionParams, response: { 200: s.policyVersion } },
    handler: async ({ db, params }) => ({ status: 200, body: await getVersion(db, params.versionId) }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/risk/policies/:versionId/publish-requests',
    permission: 'risk:author',
    summary: 'Ask for a draft to be published as the champion or a challenger (maker)',
    description:
      'Refused at once when the document is invalid, names a feature Fenqi does not compute, or prices any grade above the APR cap (24 %) for any term; another user with risk:publish approves it through /api/v1/approvals.',
    tags: ['risk'],
    schema: { params: s.versionParams, body: s.publishBody, response: { 201: approvalView } },
    handler: async ({ trx, caller, params, body, request, services }) => {
      const { reason, ...rest } = body;
      return {
        status: 201,
        body: await requestApproval(trx, services.config, {
          action: publishPolicyApproval,
          payload: { versionId: params.versionId, ...rest },
          reason,
          maker: staffOf(caller),
          origin: originOf(request),
        }),
      };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/risk/policies/:versionId/retire-requests',
    permission: 'risk:author',
    summary: 'Ask for a published version to be retired (maker); the champion cannot be',
    tags: ['risk'],
    schema: { params: s.versionParams, body: s.retireBody, response: { 201: approvalView } },
    handler: async ({ trx, caller, params, body, request, services }) => ({
      status: 201,
      body: await requestApproval(trx, services.config, {
        action: retirePolicyApproval,
        payload: { versionId: params.versionId },
        reason: body.reason,
        maker: staffOf(caller),
        origin: originOf(request),
      }),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/risk/policies/:versionId/backtest',
    permission: 'risk:read',
    summary: 'How a version would have decided the applications of a period, against what was decided',
    tags: ['risk'],
    schema: { params: s.versionParams, querystring: s.backtestQuery, response: { 200: s.backtestReport } },
    handler: async ({ db, params, query }) => {
      if (query.from > query.to)
        throw new AppError('validation_failed', 'The period ends before it starts.', {
          errors: [{ in: 'query', path: 'to', message: 'must not be before from' }],
        });
      return { status: 200, body: await backtest(db, { versionId: params.versionId, ...query }) };
    },
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/risk/reviews',
    permission: 'risk:review',
    summary: 'The manual review queue, oldest first, with each item’s SLA',
    description:
      'Without `status`, every review not yet decided. Page with `limit` and `after` (the application id of the last review of the previous page).',
    tags: ['risk'],
    schema: { querystring: s.reviewListQuery, response: { 200: z.array(s.review) } },
    handler: async ({ db, query }) => ({
      status: 200,
      body: await listReviews(db, query),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/risk/reviews/:applicationId',
    permission: 'risk:review',
    summary: 'One review',
    tags: ['risk'],
    schema: { params: s.applicationParams, response: { 200: s.review } },
    handler: async ({ db, params }) => ({ status: 200, body: await getReview(db, params.applicationId) }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/risk/reviews/:applicationId/claim',
    permission: 'risk:review',
    summary: 'Claim a review (no one else may decide it meanwhile)',
    tags: ['risk'],
    schema: { params: s.applicationParams, response: { 200: s.review } },
    handler: async ({ trx, caller, params }) => ({
      status: 200,
      body: await claimReview(trx, { applicationId: params.applicationId, analyst: staffOf(caller).userId }),
    }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/risk/reviews/:applicationId/decision',
    permission: 'risk:review',
    summary: 'Decide a claimed review with a reason code',
    description:
      'An approval above RISK_REVIEW_APPROVAL_LIMIT waits for a second person (risk:review-approve) through /api/v1/approvals; the review is then awaiting_approval.',
    tags: ['risk'],
    schema: { params: s.applicationParams, body: s.reviewDecisionBody, response: { 200: s.review } },
    handler: async ({ trx, caller, params, body, request, services }) => ({
      status: 200,
      body: await decideReview(trx, services.config, {
        applicationId: params.applicationId,
        decision: body.decision,
        reasonCode: body.reasonCode,
        ...(body.note === undefined ? {} : { note: body.note }),
        ...(body.limitMinor === undefined ? {} : { limitMinor: body.limitMinor }),
        analyst: staffOf(caller),
        origin: originOf(request),
      }),
    }),
  }),
];
