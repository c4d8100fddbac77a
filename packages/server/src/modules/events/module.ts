import { readPermission, writePermission } from '../iam/service.ts';
import type { ContextModule } from '../module.ts';
import { eventRoutes } from './routes.ts';

export const eventsModule: ContextModule = {
  name: 'events',
  routes: eventRoutes,
  permissions: {
    'events:read': readPermission('Read event deliveries and webhook endpoints', ['operator', 'finance']),
    'events:manage': writePermission('Send an undelivered event delivery again', ['operator']),
  },
};
