import { z } from 'zod';
import { queryRoute } from '../../../platform/http/route.ts';
import { findOwnApiClient, listOwnApiClients } from '../partners.ts';
import * as s from '../schemas.ts';
import { partnerScope } from '../scope.ts';

// A merchant's or funder's view of its own API keys (signed requests; another owner's is 404).

export const partnerRoutes = [
  queryRoute({
    method: 'GET',
    url: '/api/v1/partner/api-keys',
    permission: 'partner:self',
    summary: "The calling merchant's or funder's own API keys",
    tags: ['partner'],
    schema: { response: { 200: z.array(s.apiClientView) } },
    handler: async ({ caller, db }) => ({
      status: 200,
      body: await listOwnApiClients(db, partnerScope(caller)),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/partner/api-keys/:clientId',
    permission: 'partner:self',
    summary: "One of the caller's own API keys (another owner's is 404)",
    tags: ['partner'],
    schema: { params: z.strictObject({ clientId: s.uuidParam }), response: { 200: s.apiClientView } },
    handler: async ({ caller, db, params }) => ({
      status: 200,
      body: await findOwnApiClient(db, partnerScope(caller), params.clientId),
    }),
  }),
];
