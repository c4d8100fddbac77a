import { z } from 'zod';
import { AppError } from '../../platform/errors.ts';
import { originOf } from '../../platform/http/origin.ts';
import { callbackRoute, commandRoute, queryRoute } from '../../platform/http/route.ts';
import { approvalView, borrowerScope, requestApproval, staffOf } from '../iam/service.ts';
import {
  applyForBinding,
  confirmWithChannel,
  ownAgreements,
  recordBindingApplication,
  recordBindingConfirmation,
  recordUnbinding,
  unbindWithChannel,
} from './agreements.ts';
import { handleCallback, verifyCallback } from './callbacks.ts';
import { adjustmentApproval, listExceptions, resolveWithoutAdjustment } from './exceptions.ts';
import { manualPayoutApproval } from './manual-payouts.ts';
import { getPaymentOrder, toPaymentOrder } from './orders.ts';
import { listCallbacks, listReconciliations, reconciliationDetail } from './reads.ts';
import { reconcile } from './reconcile.ts';
import * as s from './schemas.ts';
import * as store from './store.ts';
import type { PaymentsDb } from './tables.ts';

// Borrowers bind their cards (the channel's SMS in between); channels post callbacks; staff read
// orders and work the exception queue. Payment orders themselves come from other modules
// (createPaymentOrder), or from staff through a maker-checker manual payout: no single user can
// send money.

export const paymentRoutes = [
  commandRoute({
    method: 'POST',
    url: '/api/v1/borrower/card-bindings',
    permission: 'borrower:self',
    summary: 'Start binding one of the borrower’s cards for repayments: the channel sends an SMS code',
    description:
      'The card holder’s name, ID number, card number and bank-reserved phone go to the channel (an audited disclosure). A refusal names the wrong element (card_binding_rejected) and records nothing. In the demo only (DEMO_SHOW_CODES with the sim adapter, refused in production) the answer also carries the SMS code, demoSmsCode.',
    tags: ['payments'],
    schema: { body: s.bindingApplyBody, response: { 201: s.cardBindingStarted } },
    prepare: ({ db, caller, body, request, services }) =>
      applyForBinding(db, services.config, borrowerScope(caller), {
        cardId: body.cardId,
        channel: body.channel,
        origin: originOf(request),
      }),
    handler: async ({ trx, prepared }) => {
      const binding = await recordBindingApplication(trx, prepared);
      const { demoSmsCode } = prepared;
      return { status: 201, body: demoSmsCode === undefined ? binding : { ...binding, demoSmsCode } };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/borrower/card-bindings/:bindingId/confirm',
    permission: 'borrower:self',
    summary: 'Confirm a card binding with the SMS code; the card agreement is stored',
    description: 'Binding a card again voids its previous agreement (the channel does the same).',
    tags: ['payments'],
    schema: { params: s.bindingParams, body: s.bindingConfirmBody, response: { 200: s.bindingConfirmed } },
    prepare: ({ db, caller, params, body, services }) =>
      confirmWithChannel(db, services.config, borrowerScope(caller), {
        bindingId: params.bindingId,
        smsCode: body.smsCode,
      }),
    handler: async ({ trx, caller, prepared, services }) => ({
      status: 200,
      body: await recordBindingConfirmation(trx, services.config, borrowerScope(caller), prepared),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/borrower/card-agreements',
    permission: 'borrower:self',
    summary: 'The borrower’s card agreements, newest first',
    tags: ['payments'],
    schema: { response: { 200: z.array(s.cardAgreementView) } },
    handler: async ({ db, caller }) => ({
      status: 200,
      body: await ownAgreements(db, borrowerScope(caller)),
    }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/borrower/card-agreements/:agreementId/unbind',
    permission: 'borrower:self',
    summary: 'End a card agreement: no collection can use it afterwards',
    tags: ['payments'],
    schema: { params: s.agreementParams, response: { 200: s.cardAgreementView } },
    prepare: ({ db, caller, params, services }) =>
      unbindWithChannel(db, services.config, borrowerScope(caller), params.agreementId),
    handler: async ({ trx, caller, params }) => ({
      status: 200,
      body: await recordUnbinding(trx, borrowerScope(caller), params.agreementId),
    }),
  }),
  callbackRoute({
    method: 'POST',
    url: '/api/v1/payments/callbacks/:channel',
    summary: 'A payment channel’s notice about one of our orders (signed by the channel)',
    description:
      'Authenticated by the channel’s own signature (docs/payments.md), not by Fenqi credentials; a bad, stale or replayed signature is 401 and records nothing. Deduplicated by the channel’s transaction id and status in the transaction of its effect; answered with the acknowledgement the channel expects (`SUCCESS`).',
    tags: ['payments'],
    // One channel sends every notice from a few addresses; a forged flood is refused by the HMAC
    // before any database work, so the per-address limit would only throttle the channel.
    rateLimit: false,
    schema: {
      params: s.channelParams,
      response: { 200: z.string().describe('The acknowledgement, e.g. SUCCESS') },
    },
    verify: ({ params, request, services }) =>
      verifyCallback(
        services.config,
        params.channel,
        {
          method: request.method,
          path: request.url,
          headers: request.headers,
          rawBody: request.fenqiRawBody ?? Buffer.alloc(0),
        },
        Date.now(),
      ),
    handler: ({ trx, verified, services }) => handleCallback(trx, services.config, verified),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/payments/orders',
    permission: 'payments:read',
    summary: 'Payment orders, newest first (filter by state, kind, purpose, channel, source or loan)',
    tags: ['payments'],
    schema: { querystring: s.orderListQuery, response: { 200: s.orderPage } },
    handler: async ({ db, query }) => {
      const rows = await store.listOrders(db as PaymentsDb, query);
      const last = rows.length === query.limit ? rows[rows.length - 1] : undefined;
      return { status: 200, body: { orders: rows.map(toPaymentOrder), cursor: last?.id ?? null } };
    },
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/payments/orders/:orderNo',
    permission: 'payments:read',
    summary: 'A payment order with every transition it went through',
    tags: ['payments'],
    schema: { params: s.orderParams, response: { 200: s.paymentOrderDetail } },
    handler: async ({ db, params }) => {
      const row = await store.findOrder(db as PaymentsDb, params.orderNo);
      if (!row) throw new AppError('not_found', `There is no payment order ${params.orderNo}.`);
      const transitions = await store.transitionsOf(db as PaymentsDb, row.id);
      return {
        status: 200,
        body: {
          ...toPaymentOrder(row),
          transitions: transitions.map((t) => ({
            seq: t.seq,
            from: t.from_state,
            to: t.to_state,
            source: t.source,
            channelStatus: t.channel_status,
            code: t.code,
            at: t.at,
          })),
        },
      };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/payments/orders/:orderNo/query',
    permission: 'payments:manage',
    summary: 'Ask the channel about an unresolved order at once (instead of at its next back-off)',
    description:
      'Never sends the order again: the query job decides that, and only for an order the channel has not seen.',
    tags: ['payments'],
    schema: { params: s.orderParams, response: { 202: s.paymentOrderView } },
    handler: async ({ trx, params }) => {
      const row = await store.lockOrder(trx, params.orderNo);
      if (!row) throw new AppError('not_found', `There is no payment order ${params.orderNo}.`);
      if (['submitted', 'processing', 'unknown'].includes(row.state))
        await store.scheduleOrder(trx, row.id, new Date());
      return { status: 202, body: await getPaymentOrder(trx, params.orderNo) };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/payments/manual-payouts',
    permission: 'payments:initiate',
    summary: 'Ask for a payout by hand (maker-checker): it is created when another user approves',
    tags: ['payments'],
    schema: { body: s.manualPayoutBody, response: { 201: approvalView } },
    handler: async ({ trx, caller, body, request, services }) => {
      const { reason, ...payout } = body;
      const view = await requestApproval(trx, services.config, {
        action: manualPayoutApproval,
        payload: { ...payout, amountMinor: String(payout.amountMinor) },
        reason,
        maker: staffOf(caller),
        origin: originOf(request),
      });
      return { status: 201, body: view };
    },
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/payments/exceptions',
    permission: 'payments:read',
    summary: 'The exception queue: differences and contradictions for operations, newest first',
    tags: ['payments'],
    schema: { querystring: s.exceptionListQuery, response: { 200: z.array(s.exceptionView) } },
    handler: async ({ db, query }) => ({ status: 200, body: await listExceptions(db, query) }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/payments/exceptions/:exceptionId/resolve',
    permission: 'payments:resolve',
    summary: 'Close an exception item that needs no money to move, with what explains it',
    tags: ['payments'],
    schema: { params: s.exceptionParams, body: s.resolveBody, response: { 200: s.exceptionView } },
    handler: async ({ trx, caller, params, body, request, services }) => ({
      status: 200,
      body: await resolveWithoutAdjustment(trx, services.config, {
        id: params.exceptionId,
        note: body.note,
        staffId: staffOf(caller).userId,
        origin: originOf(request),
      }),
    }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/payments/exceptions/:exceptionId/adjustments',
    permission: 'payments:resolve',
    summary: 'Ask to resolve an exception with a ledger adjustment (maker-checker)',
    description:
      'The journal is checked now exactly as posting would check it; it is posted, and the item resolved, when a different user with payments:approve approves at POST /api/v1/approvals/{id}/approve.',
    tags: ['payments'],
    schema: { params: s.exceptionParams, body: s.adjustmentBody, response: { 201: approvalView } },
    handler: async ({ trx, caller, params, body, request, services }) => ({
      status: 201,
      body: await requestApproval(trx, services.config, {
        action: adjustmentApproval,
        payload: { exceptionId: String(params.exceptionId), note: body.note, journal: body.journal },
        reason: body.reason,
        maker: staffOf(caller),
        origin: originOf(request),
      }),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/payments/callbacks',
    permission: 'payments:read',
    summary: 'Channel callbacks as received, newest first (filter by order, channel or outcome)',
    tags: ['payments'],
    schema: { querystring: s.callbackListQuery, response: { 200: s.callbackPage } },
    handler: async ({ db, query }) => ({ status: 200, body: await listCallbacks(db, query) }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/payments/reconciliations',
    permission: 'payments:read',
    summary: 'Reconciliations of the channels’ statements, the latest statement date first',
    tags: ['payments'],
    schema: { querystring: s.reconciliationListQuery, response: { 200: s.reconciliationPage } },
    handler: async ({ db, query }) => {
      if (query.from !== undefined && query.to !== undefined && query.from > query.to)
        throw new AppError('validation_failed', 'from must not be after to.', {
          errors: [{ in: 'query', path: 'from', message: 'must not be after to' }],
        });
      return { status: 200, body: await listReconciliations(db, query) };
    },
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/payments/reconciliations/:statementId',
    permission: 'payments:read',
    summary: 'A reconciliation with its differences by kind and the exception items it raised',
    tags: ['payments'],
    schema: { params: s.reconciliationParams, response: { 200: s.reconciliationDetail } },
    handler: async ({ db, params }) => ({
      status: 200,
      body: await reconciliationDetail(db, params.statementId),
    }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/payments/reconciliations',
    permission: 'payments:reconcile',
    summary: 'Reconcile a channel’s statement of one settlement date (as the daily job does)',
    description:
      'Fetches the statement, checks it, matches it with our orders and the clearing account, posts the fees and raises every difference as an exception item. Running it again for the same file changes nothing (alreadyImported); a different file for the same date is statement_changed.',
    tags: ['payments'],
    schema: { body: s.reconcileBody, response: { 200: s.reconciliationReport } },
    prepare: ({ body, services }) => reconcile(services, body),
    handler: async ({ prepared }) => ({ status: 200, body: prepared }),
  }),
];
