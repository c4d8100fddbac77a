import type { ContextModule } from '../module.ts';

export const bureauModule: ContextModule = {
  name: 'bureau',
  routes: [],
};
