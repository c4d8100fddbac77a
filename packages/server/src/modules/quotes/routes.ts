import { getBusinessDate } from '../../platform/business-date.ts';
import { computeRoute } from '../../platform/http/route.ts';
import { aprFigures, aprRequest, quoteRequest, quoteResponse } from './schemas.ts';
import type { annualizedRates, quote } from './service.ts';
import { quoteTasks } from './tasks.ts';

// Quotes are a calculator: they change nothing, so they need no Idempotency-Key, and like a bank's
// public loan calculator they are open to anyone — under the tighter rate limit of compute routes,
// with their work bounded by the engine's limits and run on worker threads (tasks.ts).

export const quoteRoutes = [
  computeRoute({
    method: 'POST',
    url: '/api/v1/quotes',
    permission: 'public',
    summary: 'Quote a loan: schedule, totals and annualized rates',
    description:
      'Builds the repayment schedule exactly (integer minor units, explicit rounding) and discloses the annualized rate both as simple (单利) and compound IRR, per PBOC announcement 2021 No. 3. See docs/loan-math.md.',
    tags: ['quotes'],
    schema: { body: quoteRequest, response: { 200: quoteResponse } },
    handler: async ({ body, services, compute }) => ({
      status: 200,
      body: await compute.run<ReturnType<typeof quote>>(quoteTasks, 'quoteTask', {
        request: body,
        businessDate: await getBusinessDate(services.db),
      }),
    }),
  }),
  computeRoute({
    method: 'POST',
    url: '/api/v1/apr',
    permission: 'public',
    summary: 'Annualized rates of a cash flow (PBOC 2021 No. 3)',
    description:
      'Either regular periods ({frequency, received, payments[]}) or dated cash flows ({cashflows: [{date, amount}]}, an XIRR on actual days).',
    tags: ['quotes'],
    schema: { body: aprRequest, response: { 200: aprFigures } },
    handler: async ({ body, compute }) => ({
      status: 200,
      body: await compute.run<ReturnType<typeof annualizedRates>>(quoteTasks, 'aprTask', body),
    }),
  }),
];
