import type { ContextModule } from '../module.ts';

export const collectionsModule: ContextModule = {
  name: 'collections',
  routes: [],
};
