import { queryRoute } from '../../platform/http/route.ts';
import * as s from './schemas.ts';
import * as service from './service.ts';

// The console's dashboard: management reports, read-only, each one snapshot of the book. The
// figures are computed where their rows are (docs/reports.md defines every one).

const tags = ['reports'];
const permission = 'reports:read';

export const reportRoutes = [
  queryRoute({
    method: 'GET',
    url: '/api/v1/reports/portfolio',
    permission,
    summary: 'The loan book: open loans, what they owe, by bucket and by status',
    tags,
    schema: { querystring: s.noQuery, response: { 200: s.portfolioReport } },
    handler: async ({ db }) => ({ status: 200, body: await service.portfolioReport(db) }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/reports/disbursements',
    permission,
    summary: 'Loans disbursed today, this month, per day of the last `days` and per month of the last 12',
    tags,
    schema: { querystring: s.disbursementsQuery, response: { 200: s.disbursementsReport } },
    handler: async ({ db, query }) => ({
      status: 200,
      body: await service.disbursementsReport(db, query.days),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/reports/funnel',
    permission,
    summary:
      'The approval funnel of a range of business dates: applications and their decisions, orders, loans',
    tags,
    schema: { querystring: s.funnelQuery, response: { 200: s.funnelReport } },
    handler: async ({ db, query }) => ({ status: 200, body: await service.funnelReport(db, query) }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/reports/vintages',
    permission,
    summary:
      'Vintage curves: M1+ (over 30 days past due) principal of each disbursal month, by month on book',
    tags,
    schema: { querystring: s.vintagesQuery, response: { 200: s.vintagesReport } },
    handler: async ({ db, query }) => ({ status: 200, body: await service.vintagesReport(db, query.months) }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/reports/roll-rates',
    permission,
    summary: 'Roll rates: loans from each bucket at one month end to their state at the next',
    tags,
    schema: { querystring: s.rollRatesQuery, response: { 200: s.rollRatesReport } },
    handler: async ({ db, query }) => ({
      status: 200,
      body: await service.rollRatesReport(db, query.months),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/reports/collections',
    permission,
    summary: 'A day of collections: money repaid, contact attempts, promises to pay, cases',
    tags,
    schema: { querystring: s.collectionsQuery, response: { 200: s.collectionsReport } },
    handler: async ({ db, query }) => ({ status: 200, body: await service.collectionsReport(db, query) }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/reports/funders',
    permission,
    summary: 'Each funder’s part of the outstanding principal',
    tags,
    schema: { querystring: s.noQuery, response: { 200: s.fundersReport } },
    handler: async ({ db }) => ({ status: 200, body: await service.fundersReport(db) }),
  }),
];
