import { commandRoute, queryRoute } from '../../platform/http/route.ts';
import * as runs from './runs.ts';
import * as s from './schemas.ts';

// Staff start close of business for the open business date (or resume its run), watch its
// progress and read the history. The work itself runs in `fenqi worker` and `fenqi cob` processes.

export const cobRoutes = [
  commandRoute({
    method: 'POST',
    url: '/api/v1/cob/runs',
    permission: 'cob:run',
    summary: 'Start close of business for the open business date, or resume its run',
    description:
      'Plans the run (partitions of the open loans by loan-id range) and answers 201 with its progress; a run already started for the date answers 200 with where it stands. Workers (`fenqi worker`, `fenqi cob`) close the partitions and advance the business date when all are done. A date other than the open business date is 409 cob_date_not_open and writes nothing.',
    tags: ['cob'],
    schema: { body: s.startRunBody, response: { 201: s.progressView, 200: s.progressView } },
    prepare: async ({ db, body, services }) => {
      await runs.assertDateOpen(db, body.date);
      await runs.openPendingAccounts(services);
    },
    handler: async ({ trx, body, caller, services }) => {
      const planned = await runs.planRun(trx, services.config, {
        date: body.date,
        startedBy: `${caller.kind}:${caller.id}`,
      });
      return { status: planned.created ? 201 : 200, body: await runs.runProgress(trx, body.date) };
    },
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/cob/runs',
    permission: 'cob:read',
    summary: 'Close-of-business runs, newest first',
    tags: ['cob'],
    schema: { querystring: s.runListQuery, response: { 200: s.runPage } },
    handler: async ({ db, query }) => {
      const page = await runs.listRuns(db, query);
      const last = page.at(-1);
      return {
        status: 200,
        body: { runs: page, next: page.length === query.limit && last ? last.businessDate : null },
      };
    },
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/cob/runs/:date',
    permission: 'cob:read',
    summary:
      'One close-of-business run: partitions and loans done, rate, time to go, and its summary once done',
    tags: ['cob'],
    schema: { params: s.runParams, response: { 200: s.progressView } },
    handler: async ({ db, params }) => ({ status: 200, body: await runs.runProgress(db, params.date) }),
  }),
];
