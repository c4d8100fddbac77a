import { z } from 'zod';
import { originOf } from '../../../platform/http/origin.ts';
import { commandRoute, computeRoute, queryRoute } from '../../../platform/http/route.ts';
import { staffOf } from '../../iam/service.ts';
import { blacklistCheckerPermission, blacklistMakerPermission } from './actions.ts';
import * as imports from './imports.ts';
import * as s from './schemas.ts';
import * as service from './service.ts';
import { blacklistReasonCodes, blacklistReasons } from './values.ts';

// Staff routes of the blacklist. Adding, removing and importing are proposals (risk:blacklist): they
// answer with the pending entries and the approval request a different user with
// risk:blacklist-approve decides at POST /api/v1/approvals/{id}/approve. Reads are masked.

export const blacklistReadPermission = 'risk:read';

const approvalNote = `A different user with ${blacklistCheckerPermission} approves it at POST /api/v1/approvals/{id}/approve (the id is in the answer).`;

export const blacklistRoutes = [
  commandRoute({
    method: 'POST',
    url: '/api/v1/risk/blacklist',
    permission: blacklistMakerPermission,
    summary: 'Propose a value for the blacklist (maker-checker)',
    description: `The entry is pending_add until approved, and applies from the business date of the approval. ${approvalNote} A value already on the list, or waiting for a decision, is refused with 409 blacklist_entry_exists.`,
    tags: ['risk'],
    schema: { body: s.proposeBody, response: { 201: s.entryView } },
    handler: async ({ trx, caller, body, request, services }) => ({
      status: 201,
      body: await service.proposeEntry(trx, services.config, {
        kind: body.kind,
        value: body.value,
        reasonCode: body.reasonCode,
        note: body.note,
        expiresOn: body.expiresOn,
        maker: staffOf(caller),
        origin: originOf(request),
      }),
    }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/risk/blacklist/:entryId/removals',
    permission: blacklistMakerPermission,
    summary: 'Propose taking an active entry off the blacklist (maker-checker)',
    description: `The entry is pending_remove, and still applies, until approved. ${approvalNote}`,
    tags: ['risk'],
    schema: { params: s.entryParams, body: s.removalBody, response: { 201: s.entryView } },
    handler: async ({ trx, caller, params, body, request, services }) => ({
      status: 201,
      body: await service.proposeRemoval(trx, services.config, {
        entryId: params.entryId,
        note: body.note,
        maker: staffOf(caller),
        origin: originOf(request),
      }),
    }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/risk/blacklist/imports',
    permission: blacklistMakerPermission,
    summary: 'Import a CSV file of entries: all of them under one approval request, or none',
    description: `Every row is checked; with any error nothing is imported and the answer is 422 blacklist_import_invalid with one error per problem at \`csv.<line>.<column>\`. ${approvalNote} The file is sent as a JSON string (the API takes JSON bodies only).`,
    tags: ['risk'],
    schema: { body: s.importBody, response: { 201: s.importView } },
    handler: async ({ trx, caller, body, request, services }) => ({
      status: 201,
      body: await imports.proposeImport(trx, services.config, {
        csv: body.csv,
        note: body.note,
        maker: staffOf(caller),
        origin: originOf(request),
      }),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/risk/blacklist/imports/:importId',
    permission: blacklistReadPermission,
    summary: 'One blacklist import (its entries: GET /api/v1/risk/blacklist?importId=)',
    tags: ['risk'],
    schema: { params: s.importParams, response: { 200: s.importView } },
    handler: async ({ db, params }) => ({ status: 200, body: await imports.getImport(db, params.importId) }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/risk/blacklist',
    permission: blacklistReadPermission,
    summary: 'Blacklist entries, newest first, masked (filter by kind, status or import)',
    description: 'Pass `cursor` as `before` for the next page; it is null on the last page.',
    tags: ['risk'],
    schema: { querystring: s.listQuery, response: { 200: s.entryPage } },
    handler: async ({ db, query, services }) => ({
      status: 200,
      body: await service.listEntries(db, services.config, query),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/risk/blacklist/reasons',
    permission: blacklistReadPermission,
    summary: 'The reason codes an entry may carry, in Chinese and English',
    tags: ['risk'],
    schema: { response: { 200: z.array(s.reasonView) } },
    handler: async () => ({
      status: 200,
      body: blacklistReasonCodes.map((code) => ({ code, ...blacklistReasons[code] })),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/risk/blacklist/:entryId',
    permission: blacklistReadPermission,
    summary: 'One blacklist entry, masked',
    tags: ['risk'],
    schema: { params: s.entryParams, response: { 200: s.entryView } },
    handler: async ({ db, params, services }) => ({
      status: 200,
      body: await service.getEntry(db, services.config, params.entryId),
    }),
  }),
  computeRoute({
    method: 'POST',
    url: '/api/v1/risk/blacklist/search',
    permission: blacklistReadPermission,
    summary: 'Every entry ever made for one exact value, newest first, masked',
    description:
      'A POST so that the value searched for travels in the body, never in a URL that proxies and access logs keep. Matches through the keyed blind index; nothing is decrypted to search. A value that could not be listed (a malformed ID number) has no entries.',
    tags: ['risk'],
    schema: { body: s.searchBody, response: { 200: z.array(s.entryView) } },
    handler: async ({ body, services }) => ({
      status: 200,
      body: await service.searchEntries(services.db, services.config, body),
    }),
  }),
];
