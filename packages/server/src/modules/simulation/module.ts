import type { ContextModule } from '../module.ts';

// The living demo: `fenqi simulate` runs a lending business day by day through the real services.
export const simulationModule: ContextModule = {
  name: 'simulation',
  routes: [],
};
