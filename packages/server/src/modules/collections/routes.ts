import { agencyReviewLapsed, localDate, minuteOfDay } from '@fenqi/core';
import { z } from 'zod';
import { getBusinessDate } from '../../platform/business-date.ts';
import { AppError } from '../../platform/errors.ts';
import { originOf } from '../../platform/http/origin.ts';
import { commandRoute, queryRoute } from '../../platform/http/route.ts';
import { wallClock } from '../../platform/services.ts';
import { staffOf } from '../iam/service.ts';
import {
  addAgencyMember,
  assignCase,
  createAgency,
  createQueue,
  createStrategyVersion,
  listAgencies,
  listStrategies,
  publishStrategy,
  setQueueMember,
  updateAgency,
} from './admin.ts';
import { caseInScope } from './cases.ts';
import {
  addTarget,
  markDoNotContact,
  markTargetInvalid,
  type RecordedAttempt,
  recordContactAttempt,
  setContactWindow,
} from './contacts.ts';
import { contactRefused } from './problems.ts';
import { createPromise } from './promises.ts';
import { caseDetail, listCases } from './reads.ts';
import * as s from './schemas.ts';
import { collectionsScope, inHouseScope } from './scope.ts';
import { requestWaiver, waiverTiers } from './waivers.ts';

// Collections over HTTP (docs/collections.md). Staff routes only; agency staff reach their
// agency's cases and nothing else. Every change is a command (Idempotency-Key); a contact attempt
// is checked against the conduct rules and logged before the answer, refusals included.

const tags = ['collections'];

function windowOf(body: z.output<typeof s.contactWindowBody>) {
  if ((body.from === undefined) !== (body.to === undefined))
    throw new AppError('validation_failed', 'Give both from and to, or neither (back to 08:00–22:00).', {
      errors: [
        { in: 'body', path: body.from === undefined ? 'from' : 'to', message: 'is required with the other' },
      ],
    });
  if (body.from === undefined || body.to === undefined) return null;
  return { fromMinute: minuteOfDay(body.from) ?? 0, toMinute: minuteOfDay(body.to) ?? 0 };
}

export const collectionsRoutes = [
  queryRoute({
    method: 'GET',
    url: '/api/v1/collections/cases',
    permission: 'collections:read',
    summary:
      'Collections cases by queue, agent (`me`: the caller’s own), agency, customer, state or bucket, a page at a time',
    description:
      'Ordered by id; `next` is the `after` of the next page. Agency staff see their agency’s cases only, at most 20 a page.',
    tags,
    schema: { querystring: s.caseListQuery, response: { 200: s.casePageView } },
    handler: async ({ db, caller, query }) => {
      const scope = await collectionsScope(db, caller);
      const agentId = query.agentId === 'me' ? scope.userId : query.agentId;
      const page = await listCases(db, scope, { ...query, agentId });
      return { status: 200, body: { items: page.items.map(s.toCase), next: page.next } };
    },
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/collections/cases/:caseId',
    permission: 'collections:read',
    summary: 'A case with its history, contact targets (masked), contact log, promises and waivers',
    tags,
    schema: { params: s.caseParams, response: { 200: s.caseDetailView } },
    handler: async ({ db, caller, params }) => {
      const d = await caseDetail(db, await collectionsScope(db, caller), params.caseId);
      return {
        status: 200,
        body: {
          case: s.toCase(d.row),
          history: d.history.map((h) => ({
            fromState: h.from_state,
            toState: h.to_state,
            event: h.event,
            actor: h.actor,
            reason: h.reason,
            at: h.at,
          })),
          targets: d.targets.map(s.toTarget),
          contacts: d.contacts.map(s.toAttempt),
          promises: d.promises.map(s.toPromise),
          waivers: d.waivers.map(s.toWaiver),
        },
      };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/collections/cases/:caseId/assign',
    permission: 'collections:manage',
    summary: 'Assign a case to an agent of a queue, or to an agency',
    description:
      'An agency whose last review is over a year old is 409 agency_review_lapsed; a suspended one 409 agency_suspended; an agent who is not an active member of the queue 422 collections_assignee_invalid.',
    tags,
    schema: { params: s.caseParams, body: s.assignBody, response: { 200: s.caseView } },
    handler: async ({ trx, caller, params, body }) => {
      const scope = await inHouseScope(trx, caller);
      const row = await assignCase(trx, scope, params.caseId, {
        ...body,
        actor: { kind: 'staff', id: caller.id },
      });
      return { status: 200, body: s.toCase(row) };
    },
  }),
  commandRoute<
    { params: typeof s.caseParams; body: typeof s.attemptBody; response: { 201: typeof s.attemptView } },
    RecordedAttempt
  >({
    method: 'POST',
    url: '/api/v1/collections/cases/:caseId/contacts',
    permission: 'collections:work',
    summary: 'Record a contact attempt: checked against the conduct rules first, logged either way',
    description:
      'An attempt that would break a conduct rule is refused with 422 contact_refused, the rule named in `rule` (all broken ones in `rules`), and the refusal stays in the contact log (`attemptId`). Rules: do_not_contact, number_invalid, contact_person_while_reachable, not_debtor_disclosure, quiet_hours (22:00–08:00 debtor local time unless agreed), connected_voice_limit (3 a day), unanswered_dial_limit (6 a number a day).',
    tags,
    schema: { params: s.caseParams, body: s.attemptBody, response: { 201: s.attemptView } },
    // The check and the log commit in their own transaction before the answer (contacts.ts): a
    // refusal must be logged though the request fails. One Idempotency-Key is one log row.
    prepare: async ({ db, caller, params, body, services, request }) => {
      const scope = await collectionsScope(db, caller);
      const recorded = await recordContactAttempt(db, scope, {
        caseId: params.caseId,
        targetId: body.targetId,
        channel: body.channel,
        outcome: body.outcome,
        note: body.note,
        recordingRef: body.recordingRef,
        agentId: caller.id,
        now: wallClock(services),
        requestKey: `${caller.kind}:${caller.id}:${String(request.headers['idempotency-key'])}`,
      });
      const { attempt } = recorded;
      if (attempt.outcome === 'refused' && attempt.refused_rule !== null)
        throw contactRefused(
          attempt.refused_rule as never,
          (attempt.refused_rules ?? [attempt.refused_rule]) as never,
          attempt.id,
        );
      return recorded;
    },
    handler: async ({ prepared }) => ({ status: 201, body: s.toAttempt(prepared.attempt) }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/collections/cases/:caseId/promises',
    permission: 'collections:work',
    summary: 'Record a promise to pay: a date (today to 30 days ahead) and an amount',
    tags,
    schema: { params: s.caseParams, body: s.promiseBody, response: { 201: s.promiseView } },
    handler: async ({ trx, caller, params, body }) => {
      const scope = await collectionsScope(trx, caller);
      const promise = await createPromise(trx, scope, params.caseId, { ...body, agentId: caller.id });
      return { status: 201, body: s.toPromise(promise) };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/collections/cases/:caseId/targets',
    permission: 'collections:work',
    summary: 'Add a number of the debtor’s own or of a contact person',
    tags,
    schema: { params: s.caseParams, body: s.targetBody, response: { 201: s.targetView } },
    handler: async ({ trx, caller, params, body, services }) => {
      const row = await caseInScope(trx, await collectionsScope(trx, caller), params.caseId);
      const target = await addTarget(trx, services.config, {
        customerId: row.customer_id,
        role: body.role,
        relation: body.relation,
        phone: body.phone,
        source: 'agent',
        createdBy: `staff:${caller.id}`,
        ifExists: 'refuse',
      });
      return { status: 201, body: s.toTarget(target) };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/collections/targets/:targetId/invalid',
    permission: 'collections:work',
    summary: 'Mark a number invalid (not in service, wrong person)',
    tags,
    schema: { params: s.targetParams, response: { 200: s.targetView } },
    handler: async ({ trx, caller, params }) => ({
      status: 200,
      body: s.toTarget(await markTargetInvalid(trx, await collectionsScope(trx, caller), params.targetId)),
    }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/collections/targets/:targetId/do-not-contact',
    permission: 'collections:work',
    summary: 'Mark a target “do not contact” — permanently',
    tags,
    schema: { params: s.targetParams, body: s.doNotContactBody, response: { 200: s.targetView } },
    handler: async ({ trx, caller, params, body, services }) => ({
      status: 200,
      body: s.toTarget(
        await markDoNotContact(trx, await collectionsScope(trx, caller), params.targetId, {
          reason: body.reason,
          now: wallClock(services),
        }),
      ),
    }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/collections/cases/:caseId/contact-window',
    permission: 'collections:work',
    summary: 'Record the contact window the debtor agreed to (or clear it), and their time zone',
    tags,
    schema: { params: s.caseParams, body: s.contactWindowBody, response: { 200: s.caseView } },
    handler: async ({ trx, caller, params, body }) => ({
      status: 200,
      body: s.toCase(
        await setContactWindow(trx, await collectionsScope(trx, caller), params.caseId, {
          window: windowOf(body),
          timeZone: body.timeZone,
          note: body.note,
        }),
      ),
    }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/collections/cases/:caseId/waivers',
    permission: 'collections:waive-request',
    summary: 'Ask for a waiver of penalty, fee or interest (maker); approved by the amount’s tier',
    description: `Tiers by total: ${waiverTiers
      .map((t) => `${t.upToMinor === null ? 'above' : `≤ ${t.upToMinor} fen`}: ${t.checkerPermission}`)
      .join(
        '; ',
      )}. The checker approves at POST /api/v1/approvals/{id}/approve; only then is it applied to the loan.`,
    tags,
    schema: { params: s.caseParams, body: s.waiverBody, response: { 201: s.waiverRequestView } },
    handler: async ({ trx, caller, params, body, services, request }) => {
      const scope = await collectionsScope(trx, caller);
      const { waiver, approval } = await requestWaiver(trx, services.config, scope, {
        caseId: params.caseId,
        penaltyMinor: BigInt(body.penaltyMinor),
        feeMinor: BigInt(body.feeMinor),
        interestMinor: BigInt(body.interestMinor),
        reason: body.reason,
        maker: staffOf(caller),
        origin: originOf(request),
      });
      return {
        status: 201,
        body: { waiver: s.toWaiver(waiver), approvalRequestId: approval.id, approvalAction: approval.action },
      };
    },
  }),

  // ---- management (in-house) ----
  queryRoute({
    method: 'GET',
    url: '/api/v1/collections/strategies',
    permission: 'collections:read',
    summary: 'Every strategy version (drafts, the published one, retired ones)',
    tags,
    schema: { response: { 200: z.array(s.strategyView) } },
    handler: async ({ db, caller }) => {
      await inHouseScope(db, caller);
      return { status: 200, body: (await listStrategies(db)).map(s.toStrategy) };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/collections/strategies',
    permission: 'collections:manage',
    summary: 'Save a new version of a strategy (a draft until published)',
    tags,
    schema: { body: s.strategyBody, response: { 201: s.strategyView } },
    handler: async ({ trx, caller, body }) => {
      await inHouseScope(trx, caller);
      const row = await createStrategyVersion(trx, { ...body, createdBy: caller.id });
      return { status: 201, body: s.toStrategy(row) };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/collections/strategies/:code/versions/:version/publish',
    permission: 'collections:manage',
    summary: 'Publish a draft version: new and re-bucketed cases follow it',
    tags,
    schema: { params: s.strategyVersionParams, response: { 200: s.strategyView } },
    handler: async ({ trx, caller, params }) => {
      await inHouseScope(trx, caller);
      const row = await publishStrategy(trx, { ...params, publishedBy: caller.id });
      return { status: 200, body: s.toStrategy(row) };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/collections/queues',
    permission: 'collections:manage',
    summary: 'Create a queue',
    tags,
    schema: { body: s.queueBody, response: { 201: s.queueView } },
    handler: async ({ trx, caller, body }) => {
      await inHouseScope(trx, caller);
      return { status: 201, body: await createQueue(trx, body) };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/collections/queues/:queue/members',
    permission: 'collections:manage',
    summary: 'Add an agent to a queue, or change their capacity (open cases they may hold)',
    tags,
    schema: { params: s.queueParams, body: s.queueMemberBody, response: { 200: s.queueMemberView } },
    handler: async ({ trx, caller, params, body }) => {
      await inHouseScope(trx, caller);
      const row = await setQueueMember(trx, { queue: params.queue, ...body });
      return {
        status: 200,
        body: { queue: row.queue_code, agentId: row.agent_id, capacity: row.capacity, active: row.active },
      };
    },
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/collections/agencies',
    permission: 'collections:read',
    summary: 'Outsourced agencies, with whether their annual review lapsed',
    tags,
    schema: { response: { 200: z.array(s.agencyView) } },
    handler: async ({ db, caller }) => {
      await inHouseScope(db, caller);
      const today = localDate(await getBusinessDate(db));
      return {
        status: 200,
        body: (await listAgencies(db)).map((a) =>
          s.toAgency(a, agencyReviewLapsed(localDate(a.review_date), today)),
        ),
      };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/collections/agencies',
    permission: 'collections:manage',
    summary: 'Register an outsourced agency with its queue, capacity and last review date',
    tags,
    schema: { body: s.agencyBody, response: { 201: s.agencyView } },
    handler: async ({ trx, caller, body }) => {
      await inHouseScope(trx, caller);
      const row = await createAgency(trx, body);
      const today = localDate(await getBusinessDate(trx));
      return { status: 201, body: s.toAgency(row, agencyReviewLapsed(localDate(row.review_date), today)) };
    },
  }),
  commandRoute({
    method: 'PATCH',
    url: '/api/v1/collections/agencies/:agencyId',
    permission: 'collections:manage',
    summary: 'Rename, suspend or reactivate an agency, or change its capacity',
    tags,
    schema: { params: s.agencyParams, body: s.agencyPatch, response: { 200: s.agencyView } },
    handler: async ({ trx, caller, params, body }) => {
      await inHouseScope(trx, caller);
      const row = await updateAgency(trx, params.agencyId, body);
      const today = localDate(await getBusinessDate(trx));
      return { status: 200, body: s.toAgency(row, agencyReviewLapsed(localDate(row.review_date), today)) };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/collections/agencies/:agencyId/review',
    permission: 'collections:manage',
    summary: 'Record an agency’s annual review (it takes new cases for a year from it)',
    tags,
    schema: { params: s.agencyParams, body: s.agencyReviewBody, response: { 200: s.agencyView } },
    handler: async ({ trx, caller, params, body }) => {
      await inHouseScope(trx, caller);
      const today = await getBusinessDate(trx);
      if (body.reviewDate > today)
        throw new AppError('validation_failed', 'A review is recorded once it took place.', {
          errors: [{ in: 'body', path: 'reviewDate', message: `must be ${today} or earlier` }],
        });
      const row = await updateAgency(trx, params.agencyId, { reviewDate: body.reviewDate });
      return {
        status: 200,
        body: s.toAgency(row, agencyReviewLapsed(localDate(row.review_date), localDate(today))),
      };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/collections/agencies/:agencyId/members',
    permission: 'collections:manage',
    summary: 'Make a staff user a member of an agency: they then see its assigned cases only',
    tags,
    schema: { params: s.agencyParams, body: s.agencyMemberBody, response: { 200: s.agencyMemberView } },
    handler: async ({ trx, caller, params, body }) => {
      await inHouseScope(trx, caller);
      const row = await addAgencyMember(trx, params.agencyId, body.staffUserId);
      return { status: 200, body: { staffUserId: row.staff_user_id, agencyId: row.agency_id } };
    },
  }),
];
