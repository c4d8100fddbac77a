import type { H5Route } from './types';

// The H5's areas: every folder under pages/ whose index.tsx exports `routes: H5Route[]` (sign-in
// and onboarding, credit, checkout, me, home, bills, loans, drawdown…). An area is added by adding
// its folder; nothing here needs to change.

const modules = import.meta.glob<{ routes?: H5Route[] }>('./*/index.tsx', { eager: true });

export const routes: H5Route[] = Object.keys(modules)
  .sort()
  .flatMap((path) => modules[path]?.routes ?? []);
