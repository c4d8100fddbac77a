import { queryRoute } from '../../platform/http/route.ts';
import { listNotifications, notificationForStaff } from './reads.ts';
import * as s from './schemas.ts';

// Staff read the notification log: what was sent to whom (masked), when, and how it went.

export const notificationRoutes = [
  queryRoute({
    method: 'GET',
    url: '/api/v1/notifications',
    permission: 'notifications:read',
    summary: 'The notification log, newest first',
    description:
      'Every SMS and push Fenqi sent or will send a borrower, with the text as sent, the number masked and the delivery status. Filter by customer, template and status; page with `before` (the `next` of the previous page).',
    tags: ['notifications'],
    schema: { querystring: s.notificationListQuery, response: { 200: s.notificationPage } },
    handler: async ({ db, query }) => ({ status: 200, body: await listNotifications(db, query) }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/notifications/:notificationId',
    permission: 'notifications:read',
    summary: 'One notification with its status history',
    tags: ['notifications'],
    schema: { params: s.notificationParams, response: { 200: s.notificationDetail } },
    handler: async ({ db, params }) => ({
      status: 200,
      body: await notificationForStaff(db, params.notificationId),
    }),
  }),
];
