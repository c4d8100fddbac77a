import { z } from 'zod';
import { originOf } from '../../../platform/http/origin.ts';
import { commandRoute, queryRoute } from '../../../platform/http/route.ts';
import { borrowerScope } from '../../iam/service.ts';
import * as s from './schemas.ts';
import * as service from './service.ts';

// Consents belong to the signed-in borrower (they may come before the customer profile: the
// privacy policy is accepted before a name and ID number are given). Staff read them as they are:
// they hold no C2 data.

export const consentRoutes = [
  queryRoute({
    method: 'GET',
    url: '/api/v1/borrower/agreements',
    permission: 'borrower:self',
    summary: 'Every agreement’s current version, and whether the borrower’s acceptance of it counts today',
    tags: ['customers'],
    schema: { response: { 200: z.array(s.agreementView) } },
    handler: async ({ db, caller }) => ({
      status: 200,
      body: await service.agreementsFor(db, borrowerScope(caller)),
    }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/borrower/consents',
    permission: 'borrower:self',
    summary: 'Accept the current version of an agreement',
    description:
      'Recorded with the time, the business date, the client IP, the User-Agent and the deviceId of the body. An acceptance is never changed; accepting again records a new one (a renewal).',
    tags: ['customers'],
    schema: { body: s.acceptBody, response: { 201: s.consentView } },
    handler: async ({ trx, caller, body, request }) => ({
      status: 201,
      body: await service.acceptAgreement(trx, borrowerScope(caller), { ...body, origin: originOf(request) }),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/borrower/consents',
    permission: 'borrower:self',
    summary: 'The borrower’s own acceptances, newest first',
    tags: ['customers'],
    schema: { response: { 200: z.array(s.consentView) } },
    handler: async ({ db, caller }) => ({
      status: 200,
      body: await service.ownConsents(db, borrowerScope(caller)),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/customers/:customerId/consents',
    permission: 'customers:read',
    summary: 'A customer’s acceptances of agreements, newest first (the evidence of each)',
    tags: ['customers'],
    schema: { params: z.strictObject({ customerId: z.uuid() }), response: { 200: z.array(s.consentView) } },
    handler: async ({ db, params }) => ({
      status: 200,
      body: await service.consentsOfCustomer(db, params.customerId),
    }),
  }),
];
