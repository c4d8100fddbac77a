import { z } from 'zod';
import { getBusinessDate } from '../../platform/business-date.ts';
import { queryRoute } from '../../platform/http/route.ts';

export const businessDateResponse = z
  .object({
    businessDate: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .describe('The current business date (YYYY-MM-DD)'),
    timeZone: z.string().describe('The business time zone the date belongs to'),
  })
  .meta({ id: 'BusinessDate' });

export const systemRoutes = [
  queryRoute({
    method: 'GET',
    url: '/api/v1/business-date',
    permission: 'business-date:read',
    summary: 'The current business date',
    description:
      'The date the platform treats as today for lending: interest, due dates and delinquency. Only close of business advances it.',
    tags: ['system'],
    schema: { response: { 200: businessDateResponse } },
    handler: async ({ db, services }) => ({
      status: 200,
      body: { businessDate: await getBusinessDate(db), timeZone: services.config.businessTimeZone },
    }),
  }),
];
