import { z } from 'zod';
import { originOf } from '../../platform/http/origin.ts';
import { commandRoute, queryRoute } from '../../platform/http/route.ts';
import { approvalView, borrowerScope, staffOf } from '../iam/service.ts';
import * as s from './schemas.ts';
import * as service from './service.ts';

// Borrowers read their own lines (the customer id comes from their access token through the
// customers module). Staff read any customer's lines with their exposure and a line's history,
// freeze, unfreeze and close lines, and ask for limit adjustments, which a different user approves
// at POST /api/v1/approvals/{id}/approve. Grants, reservations and restores have no route: the
// risk, origination and servicing modules call the service in their own transactions.

/** Freeze, unfreeze and close share a shape: a staff user, a reason, the line as it now is. */
function statusChangeRoute(
  verb: 'freeze' | 'unfreeze' | 'close',
  change: typeof service.freezeLine,
  text: { summary: string; description?: string },
) {
  return commandRoute({
    method: 'POST',
    url: `/api/v1/credit-lines/:lineId/${verb}`,
    permission: 'credit:manage',
    ...text,
    tags: ['credit'],
    schema: { params: s.lineParams, body: s.statusChangeBody, response: { 200: s.creditLineView } },
    handler: async ({ trx, caller, params, body, request, services }) => ({
      status: 200,
      body: await change(trx, services.config, {
        lineId: params.lineId,
        reason: body.reason,
        actor: { kind: 'staff', id: staffOf(caller).userId },
        origin: originOf(request),
      }),
    }),
  });
}

export const creditRoutes = [
  queryRoute({
    method: 'GET',
    url: '/api/v1/borrower/credit-lines',
    permission: 'borrower:self',
    summary: 'The signed-in borrower’s own credit lines',
    description: 'Empty until the borrower has a customer profile and a line was granted.',
    tags: ['credit'],
    schema: { response: { 200: z.array(s.borrowerCreditLine) } },
    handler: async ({ db, caller }) => ({
      status: 200,
      body: await service.ownLines(db, borrowerScope(caller)),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/credit-lines',
    permission: 'credit:read',
    summary: 'A customer’s credit lines and their exposure under the per-person cap',
    tags: ['credit'],
    schema: { querystring: s.customerQuery, response: { 200: s.customerCreditView } },
    handler: async ({ db, query, services }) => {
      const credit = await service.customerCredit(db, services.config, query.customerId);
      return { status: 200, body: { ...credit.exposure, lines: credit.lines } };
    },
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/credit-lines/:lineId',
    permission: 'credit:read',
    summary: 'A credit line with its history, newest first',
    tags: ['credit'],
    schema: { params: s.lineParams, querystring: s.historyQuery, response: { 200: s.creditLineDetail } },
    handler: async ({ db, params, query }) => ({
      status: 200,
      body: await service.lineWithHistory(db, params.lineId, query),
    }),
  }),
  statusChangeRoute('freeze', service.freezeLine, {
    summary: 'Freeze an active line: nothing new can be reserved on it',
    description:
      'What orders already hold stays held and can still be used. The line keeps counting towards the exposure with its limit.',
  }),
  statusChangeRoute('unfreeze', service.unfreezeLine, { summary: 'Unfreeze a frozen line' }),
  statusChangeRoute('close', service.closeLine, {
    summary: 'Close a line for good',
    description:
      'Refused while an order holds a reservation on it (credit_line_has_reservations). Loans drawn from it run on; it then counts towards the exposure only with what is owed on it.',
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/credit-lines/:lineId/limit-adjustments',
    permission: 'credit:adjust',
    summary: 'Ask for a new limit (maker-checker)',
    description:
      'Checked now as the approval will check it: a decrease may not go below used + reserved, an increase must fit the headroom under the cap. The limit changes when a different user with credit:approve approves at POST /api/v1/approvals/{id}/approve, checked again then.',
    tags: ['credit'],
    schema: { params: s.lineParams, body: s.limitAdjustmentBody, response: { 201: approvalView } },
    handler: async ({ trx, caller, params, body, request, services }) => ({
      status: 201,
      body: await service.requestLimitAdjustment(trx, services.config, {
        lineId: params.lineId,
        limitMinor: BigInt(body.limitMinor),
        reason: body.reason,
        maker: staffOf(caller),
        origin: originOf(request),
      }),
    }),
  }),
];
