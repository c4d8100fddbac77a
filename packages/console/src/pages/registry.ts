import { administrationArea } from './administration';
import { collectionsArea } from './collections';
import { customersArea } from './customers';
import { dashboardArea } from './dashboard';
import { financeArea } from './finance';
import { loansArea } from './loans';
import { merchantsArea } from './merchants';
import { operationsArea } from './operations';
import { paymentsArea } from './payments';
import { productsArea } from './products';
import { riskArea } from './risk';
import type { ConsoleArea } from './types';

// The console's areas in menu order; each area declares its menu entries, routes and permissions.
export const areas: ConsoleArea[] = [
  dashboardArea,
  customersArea,
  riskArea,
  productsArea,
  merchantsArea,
  loansArea,
  paymentsArea,
  collectionsArea,
  financeArea,
  operationsArea,
  administrationArea,
];
