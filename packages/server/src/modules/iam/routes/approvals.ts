import { z } from 'zod';
import { originOf } from '../../../platform/http/origin.ts';
import { commandRoute, queryRoute } from '../../../platform/http/route.ts';
import { decideApproval, findApproval, listApprovals, staffOf } from '../approvals.ts';
import * as s from '../schemas.ts';
import type { IamRegistries } from './context.ts';

// Maker-checker requests: reading them, and the checker's decision.

/** POST /api/v1/approvals/{id}/approve|reject: the checker's decision, in one transaction. */
function decisionRoute(
  iam: IamRegistries,
  decision: 'approve' | 'reject',
  body: typeof s.decisionBody | typeof s.rejectionBody,
  text: { summary: string; description?: string },
) {
  return commandRoute({
    method: 'POST',
    url: `/api/v1/approvals/:requestId/${decision}`,
    permission: 'approvals:decide',
    ...text,
    tags: ['approvals'],
    schema: { params: z.strictObject({ requestId: s.uuidParam }), body, response: { 200: s.approvalView } },
    handler: async ({ trx, caller, params, body: decisionInput, request, services }) => ({
      status: 200,
      body: await decideApproval(trx, services.config, iam.approvals, {
        id: params.requestId,
        decision,
        note: decisionInput.note,
        checker: staffOf(caller),
        origin: originOf(request),
      }),
    }),
  });
}

export function approvalRoutes(iam: IamRegistries) {
  return [
    queryRoute({
      method: 'GET',
      url: '/api/v1/approvals',
      permission: 'approvals:read',
      summary: 'Maker-checker requests, newest first',
      description:
        'Filter by status, action and maker; page with `limit` and `before` (the id of the last request of the previous page).',
      tags: ['approvals'],
      schema: { querystring: s.approvalListQuery, response: { 200: z.array(s.approvalView) } },
      handler: async ({ db, query }) => ({ status: 200, body: await listApprovals(db, query) }),
    }),
    queryRoute({
      method: 'GET',
      url: '/api/v1/approvals/actions',
      permission: 'approvals:read',
      summary: 'The actions that go through maker-checker, with their maker and checker permissions',
      tags: ['approvals'],
      schema: { response: { 200: z.array(s.approvalActionView) } },
      handler: async () => ({
        status: 200,
        body: iam.approvals.list().map((action) => ({
          name: action.name,
          summary: action.summary,
          makerPermission: action.makerPermission,
          checkerPermission: action.checkerPermission,
        })),
      }),
    }),
    queryRoute({
      method: 'GET',
      url: '/api/v1/approvals/:requestId',
      permission: 'approvals:read',
      summary: 'One maker-checker request',
      tags: ['approvals'],
      schema: { params: z.strictObject({ requestId: s.uuidParam }), response: { 200: s.approvalView } },
      handler: async ({ db, params }) => ({ status: 200, body: await findApproval(db, params.requestId) }),
    }),
    decisionRoute(iam, 'approve', s.decisionBody, {
      summary: "Approve a request: its action runs now, in this request's transaction",
      description:
        "Needs the action's checker permission, a different user from the maker, and — for a change to a user's own access — a user other than that one.",
    }),
    decisionRoute(iam, 'reject', s.rejectionBody, { summary: 'Reject a request (its action never runs)' }),
  ];
}
