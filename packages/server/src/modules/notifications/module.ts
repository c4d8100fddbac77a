import type { ContextModule } from '../module.ts';

export const notificationsModule: ContextModule = {
  name: 'notifications',
  routes: [],
};
