import { originOf } from '../../platform/http/origin.ts';
import { commandRoute, queryRoute } from '../../platform/http/route.ts';
import { actorOf, partnerScope } from '../iam/service.ts';
import * as s from './schemas.ts';
import * as service from './service.ts';

// Staff register merchants, change them, move them through onboarding → active ↔ suspended (each
// with a reason, audited), and — with merchants:unmask — read the settlement account in clear
// (audited). A merchant reads its own profile with its signed API key; the key itself is issued by
// IAM (POST /api/v1/iam/api-clients with ownerKind merchant and the merchant's id), and the
// merchant registers its webhook endpoints itself (POST /api/v1/partner/webhook-endpoints).

/** Activate, suspend and reinstate share a shape: a staff user, a reason, the merchant as it now is. */
function statusChangeRoute(
  verb: 'activate' | 'suspend' | 'reinstate',
  change: typeof service.activateMerchant,
  text: { summary: string; description: string },
) {
  return commandRoute({
    method: 'POST',
    url: `/api/v1/merchants/:merchantId/${verb}`,
    permission: 'merchants:manage',
    ...text,
    tags: ['merchants'],
    schema: { params: s.merchantParams, body: s.statusChangeBody, response: { 200: s.merchantDetail } },
    handler: async ({ trx, caller, params, body, request, services }) => ({
      status: 200,
      body: await change(trx, services.config, {
        merchantId: params.merchantId,
        reason: body.reason,
        actor: actorOf(caller),
        origin: originOf(request),
      }),
    }),
  });
}

export const merchantRoutes = [
  commandRoute({
    method: 'POST',
    url: '/api/v1/merchants',
    permission: 'merchants:manage',
    summary: 'Register a merchant (onboarding)',
    description:
      'The unified social credit code is checked (GB 32100-2015: form, check character, registration authority and category, region) and must be new (social_credit_code_registered). The settlement account may follow later with PATCH; activation needs it and at least one product. The account number is stored encrypted and answered masked.',
    tags: ['merchants'],
    schema: { body: s.createMerchantBody, response: { 201: s.merchantDetail } },
    handler: async ({ trx, caller, body, request, services }) => ({
      status: 201,
      body: await service.createMerchant(trx, services.config, {
        ...body,
        actor: actorOf(caller),
        origin: originOf(request),
      }),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/merchants',
    permission: 'merchants:read',
    summary: 'Merchants, newest first, by status and scenario',
    tags: ['merchants'],
    schema: { querystring: s.listQuery, response: { 200: s.merchantPage } },
    handler: async ({ db, query }) => ({ status: 200, body: await service.listMerchants(db, query) }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/merchants/:merchantId',
    permission: 'merchants:read',
    summary: 'A merchant with its status history, masked',
    tags: ['merchants'],
    schema: { params: s.merchantParams, response: { 200: s.merchantDetail } },
    handler: async ({ db, params }) => ({
      status: 200,
      body: await service.merchantDetail(db, params.merchantId),
    }),
  }),
  commandRoute({
    method: 'PATCH',
    url: '/api/v1/merchants/:merchantId',
    permission: 'merchants:manage',
    summary: "Change a merchant's names, scenario, discount rate, products or settlement account",
    description:
      'Only the fields given change; every change is audited (the account masked). The unified social credit code cannot change. A merchant once activated keeps at least one product.',
    tags: ['merchants'],
    schema: { params: s.merchantParams, body: s.updateMerchantBody, response: { 200: s.merchantDetail } },
    handler: async ({ trx, caller, params, body, request, services }) => ({
      status: 200,
      body: await service.updateMerchant(trx, services.config, {
        merchantId: params.merchantId,
        changes: body,
        actor: actorOf(caller),
        origin: originOf(request),
      }),
    }),
  }),
  statusChangeRoute('activate', service.activateMerchant, {
    summary: 'Activate an onboarding merchant: it may create orders from now on',
    description:
      'Refused (merchant_not_ready) until the merchant has a settlement account and at least one product. The merchant hears of it as the event merchants.activated on its webhooks.',
  }),
  statusChangeRoute('suspend', service.suspendMerchant, {
    summary: 'Suspend an active merchant: it can create no orders',
    description:
      'Orders already accepted and their loans run on. The merchant hears of it as merchants.suspended (without the reason).',
  }),
  statusChangeRoute('reinstate', service.reinstateMerchant, {
    summary: 'Reinstate a suspended merchant',
    description: 'The merchant is active again; it hears of it as merchants.reinstated.',
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/merchants/:merchantId/settlement-account',
    permission: 'merchants:unmask',
    summary: "A merchant's settlement account in clear (audited)",
    description:
      'Every call writes an audit row (merchants.settlement-account-unmasked) with the reason, in the same transaction as the read.',
    tags: ['merchants'],
    schema: {
      params: s.merchantParams,
      querystring: s.unmaskQuery,
      response: { 200: s.settlementAccountUnmasked },
    },
    handler: async ({ db, caller, params, query, request, services }) => ({
      status: 200,
      headers: { 'cache-control': 'no-store' },
      body: await service.unmaskSettlementAccount(db, services.config, {
        merchantId: params.merchantId,
        reason: query.reason,
        actor: actorOf(caller),
        origin: originOf(request),
      }),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/merchant/profile',
    permission: 'partner:self',
    summary: "The calling merchant's own profile (signed request)",
    description: "Scoped to the API key's merchant: a merchant sees only itself. Staff notes are left out.",
    tags: ['merchants'],
    schema: { response: { 200: s.merchantProfile } },
    handler: async ({ db, caller }) => ({
      status: 200,
      body: await service.ownMerchantProfile(db, partnerScope(caller)),
    }),
  }),
];
