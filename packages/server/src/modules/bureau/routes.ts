import { getBusinessDate } from '../../platform/business-date.ts';
import { commandRoute, queryRoute } from '../../platform/http/route.ts';
import { wallClock } from '../../platform/services.ts';
import { runGeneration } from './generation.ts';
import * as s from './schemas.ts';
import { listRecords, loanGrid, recordDetail } from './store.ts';
import { listSubmissions } from './submission-list.ts';
import {
  correctRecord,
  createSubmission,
  customersIdentities,
  importFeedback,
  submissionById,
  submissionXml,
} from './submissions.ts';

// Staff read the generated records (with their validation), a loan's 60-month grid; finance runs
// a generation, makes and fetches submission files (the only place the borrowers' names and ID
// numbers appear: bureau:submit is a second-factor permission), imports the bureau's feedback and
// corrects rejected records.

const actorOf = (caller: { kind: string; id: string }) => `${caller.kind}:${caller.id}`;

export const bureauRoutes = [
  queryRoute({
    method: 'GET',
    url: '/api/v1/bureau/records',
    permission: 'bureau:read',
    summary: 'Generated credit-bureau records, filtered, in pages',
    tags: ['bureau'],
    schema: { querystring: s.recordListQuery, response: { 200: s.recordPage } },
    handler: async ({ db, query }) => ({ status: 200, body: await listRecords(db, query) }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/bureau/records/:recordId',
    permission: 'bureau:read',
    summary: 'One record: its segments (without the borrower’s identity), its validation and its status',
    tags: ['bureau'],
    schema: { params: s.recordParams, response: { 200: s.recordDetail } },
    handler: async ({ db, params }) => ({ status: 200, body: await recordDetail(db, params.recordId) }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/bureau/loans/:loanId/grid',
    permission: 'bureau:read',
    summary: 'A loan’s 60-month repayment-status grid',
    tags: ['bureau'],
    schema: { params: s.gridParams, response: { 200: s.gridView } },
    handler: async ({ db, params }) => ({ status: 200, body: await loanGrid(db, params.loanId) }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/bureau/generations',
    permission: 'bureau:submit',
    summary: 'Generate the records of a date (the events of the day before; every open loan on a month end)',
    description:
      'Runs the generation for `date` (T+1: it reports date − 1). Idempotent: a generation run again writes nothing new. A date after the open business date is 409 bureau_date_not_reportable.',
    tags: ['bureau'],
    schema: { body: s.generationBody, response: { 200: s.generationView } },
    // The generation commits page by page in transactions of its own (a month end is a million loans).
    prepare: async ({ body, services }) =>
      runGeneration(services, { date: body.date, now: wallClock(services) }),
    handler: async ({ prepared }) => ({ status: 200, body: prepared }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/bureau/submissions',
    permission: 'bureau:submit',
    summary: 'Make the submission file of a date range: the pending records that pass validation',
    description:
      'Records failing a pre-submit rule (or whose borrower’s identity is missing) stay pending and are listed in `excluded` with every failing rule.',
    tags: ['bureau'],
    schema: { body: s.submissionBody, response: { 201: s.submissionView } },
    handler: async ({ trx, body, caller, services }) => ({
      status: 201,
      body: await createSubmission(trx, {
        scope: { from: body.from, to: body.to },
        actor: actorOf(caller),
        identities: customersIdentities(services.config, caller.id),
      }),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/bureau/submissions',
    permission: 'bureau:read',
    summary: 'Submissions made, newest first: range, counts and digest (no identities, no file)',
    tags: ['bureau'],
    schema: { querystring: s.submissionListQuery, response: { 200: s.submissionPage } },
    handler: async ({ db, query }) => ({ status: 200, body: await listSubmissions(db, query) }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/bureau/submissions/:submissionId',
    permission: 'bureau:read',
    summary: 'A submission: its range, counts, digest and the records left out',
    tags: ['bureau'],
    schema: { params: s.submissionParams, response: { 200: s.submissionView } },
    handler: async ({ db, params }) => ({ status: 200, body: await submissionById(db, params.submissionId) }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/bureau/submissions/:submissionId/file',
    permission: 'bureau:submit',
    summary: 'The submission file (XML, with the borrowers’ identity) and its digest',
    tags: ['bureau'],
    schema: { params: s.submissionParams, response: { 200: s.submissionFileView } },
    handler: async ({ db, params }) => {
      const submission = await submissionById(db, params.submissionId);
      return {
        status: 200,
        body: {
          id: submission.id,
          contentType: 'application/xml' as const,
          digest: submission.digest,
          bytes: submission.bytes,
          xml: await submissionXml(db, submission.id),
        },
      };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/bureau/feedback',
    permission: 'bureau:submit',
    summary: 'Import the bureau’s feedback: records accepted or rejected',
    tags: ['bureau'],
    schema: { body: s.feedbackBody, response: { 200: s.feedbackView, 201: s.feedbackView } },
    handler: async ({ trx, body, caller }) => {
      const imported = await importFeedback(trx, {
        content: body.content,
        submissionId: body.submissionId,
        actor: actorOf(caller),
      });
      const { created, ...view } = imported;
      return created ? { status: 201, body: view } : { status: 200, body: view };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/bureau/records/:recordId/corrections',
    permission: 'bureau:submit',
    summary: 'Correct a rejected record: build it again, supersede it and resubmit it',
    tags: ['bureau'],
    schema: { params: s.recordParams, body: s.correctionBody, response: { 201: s.correctionView } },
    handler: async ({ trx, params, caller, services }) => ({
      status: 201,
      body: await correctRecord(trx, {
        recordId: params.recordId,
        actor: actorOf(caller),
        identities: customersIdentities(services.config, caller.id),
        generatedOn: await getBusinessDate(trx),
      }),
    }),
  }),
];
