import { z } from 'zod';
import { originOf } from '../../platform/http/origin.ts';
import { commandRoute, computeRoute, queryRoute } from '../../platform/http/route.ts';
import { actorOf, borrowerScope } from '../iam/service.ts';
import * as s from './schemas.ts';
import * as service from './service.ts';

// Borrower routes (/api/v1/borrower/customers…) act on the caller's own profile only: the scope
// comes from the access token, and another borrower's ids answer 404. Staff routes read masked
// data; the unmasked view needs customers:unmask and writes an audit row.

const customerParams = z.strictObject({ customerId: z.uuid() });

export const customerRoutes = [
  commandRoute({
    method: 'POST',
    url: '/api/v1/borrower/customers',
    permission: 'borrower:self',
    summary:
      "Register the signed-in borrower's customer profile: name and resident ID number, verified by the identity register",
    description:
      'The ID number is checked (GB 11643: form, check character, birth date not after the business date, region), then the identity register is asked (real-name verification) before anything is written: the profile is created at KYC level real_name, or the request is refused (real_name_mismatch, real_name_not_found, real_name_unavailable) and writes nothing. The phone is the one the borrower signed in with. Personal data is encrypted at rest and answered masked.',
    tags: ['customers'],
    schema: { body: s.registerCustomerBody, response: { 201: s.customerMasked } },
    prepare: ({ db, caller, body, request, services }) =>
      service.prepareRegistration(db, services.config, borrowerScope(caller), body, request.log),
    handler: async ({ trx, caller, body, prepared, request, services }) => ({
      status: 201,
      body: await service.registerCustomer(trx, services.config, borrowerScope(caller), {
        ...body,
        verified: prepared,
        origin: originOf(request),
      }),
    }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/borrower/customers/:customerId/real-name-verification',
    permission: 'borrower:self',
    summary: 'Verify the real name of a profile still at phone_verified (made before real-name verification)',
    description:
      'The stored name and ID number go to the identity register; on a match the profile becomes real_name (card_bound if a card agreement is active). A profile already verified is answered as it is.',
    tags: ['customers'],
    schema: { params: customerParams, response: { 200: s.customerMasked } },
    prepare: ({ db, caller, params, request, services }) =>
      service.prepareRealNameVerification(
        db,
        services.config,
        borrowerScope(caller),
        params.customerId,
        request.log,
      ),
    handler: async ({ trx, caller, prepared, request, services }) => ({
      status: 200,
      body: await service.recordRealNameVerification(
        trx,
        services.config,
        borrowerScope(caller),
        prepared,
        originOf(request),
      ),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/borrower/customers',
    permission: 'borrower:self',
    summary: 'The signed-in borrower’s own customer profile, masked: an empty list before they register',
    description:
      'How an app signed in on a new device finds the profile id (and whether real-name registration is still to do).',
    tags: ['customers'],
    schema: { response: { 200: z.array(s.customerMasked) } },
    handler: async ({ db, caller, services }) => ({
      status: 200,
      body: await service.ownCustomers(db, services.config, borrowerScope(caller)),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/borrower/customers/:customerId',
    permission: 'borrower:self',
    summary: 'The borrower’s own customer profile, masked',
    tags: ['customers'],
    schema: { params: customerParams, response: { 200: s.customerMasked } },
    handler: async ({ db, caller, params, services }) => ({
      status: 200,
      body: await service.ownCustomer(db, services.config, borrowerScope(caller), params.customerId),
    }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/borrower/customers/:customerId/cards',
    permission: 'borrower:self',
    summary: 'Bind a bank card to the borrower’s own profile',
    tags: ['customers'],
    schema: { params: customerParams, body: s.bindCardBody, response: { 201: s.cardMasked } },
    handler: async ({ trx, caller, params, body, request, services }) => ({
      status: 201,
      body: await service.bindCard(trx, services.config, borrowerScope(caller), params.customerId, {
        cardNumber: body.cardNumber,
        bankName: body.bankName,
        reservedPhone: body.reservedPhone,
        origin: originOf(request),
      }),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/borrower/customers/:customerId/cards',
    permission: 'borrower:self',
    summary: 'The borrower’s own bank cards, masked',
    tags: ['customers'],
    schema: { params: customerParams, response: { 200: z.array(s.cardMasked) } },
    handler: async ({ db, caller, params, services }) => ({
      status: 200,
      body: await service.ownCards(db, services.config, borrowerScope(caller), params.customerId),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/borrower/customers/:customerId/cards/:cardId',
    permission: 'borrower:self',
    summary: 'One of the borrower’s own bank cards, masked',
    tags: ['customers'],
    schema: { params: customerParams.extend({ cardId: z.uuid() }), response: { 200: s.cardMasked } },
    handler: async ({ db, caller, params, services }) => ({
      status: 200,
      body: await service.ownCard(
        db,
        services.config,
        borrowerScope(caller),
        params.customerId,
        params.cardId,
      ),
    }),
  }),
  computeRoute({
    method: 'POST',
    url: '/api/v1/customers/search',
    permission: 'customers:read',
    summary: 'Find customers by exact phone, ID number or card number (masked results)',
    description:
      'A POST so that the personal data searched for travels in the body, never in a URL that proxies and access logs keep. Matches through keyed blind indexes; nothing is decrypted to search.',
    tags: ['customers'],
    schema: { body: s.searchBody, response: { 200: z.array(s.customerMasked) } },
    handler: async ({ body, services }) => ({
      status: 200,
      body: await service.searchCustomers(services.db, services.config, body),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/customers/:customerId',
    permission: 'customers:read',
    summary: 'A customer with their KYC level and cards, masked',
    tags: ['customers'],
    schema: { params: customerParams, response: { 200: s.customerDetail } },
    handler: async ({ db, params, services }) => ({
      status: 200,
      body: await service.customerForStaff(db, services.config, params.customerId),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/customers/:customerId/unmasked',
    permission: 'customers:unmask',
    summary: 'A customer’s full name, ID number, phone and card numbers (audited)',
    description:
      'Every call writes an audit row (customers.unmasked) with the reason, in the same transaction as the read.',
    tags: ['customers'],
    schema: { params: customerParams, querystring: s.unmaskQuery, response: { 200: s.customerUnmasked } },
    handler: async ({ db, caller, params, query, request, services }) => ({
      status: 200,
      headers: { 'cache-control': 'no-store' },
      body: await service.unmaskCustomer(db, services.config, {
        customerId: params.customerId,
        reason: query.reason,
        actor: actorOf(caller),
        origin: originOf(request),
      }),
    }),
  }),
];
