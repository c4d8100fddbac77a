import { readPermission } from '../iam/service.ts';
import type { ContextModule } from '../module.ts';
import { notificationLoops } from './background.ts';
import { notificationConsumers } from './consumers.ts';
import { notificationRoutes } from './routes.ts';

export const notificationsModule: ContextModule = {
  name: 'notifications',
  routes: notificationRoutes,
  permissions: {
    'notifications:read': readPermission(
      'Read the notification log: texts sent to borrowers, numbers masked, delivery status',
      ['operator', 'collector', 'finance'],
    ),
  },
  consumers: notificationConsumers,
  loops: notificationLoops,
};
