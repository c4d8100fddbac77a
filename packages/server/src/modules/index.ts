import type { Module } from '../platform/http/app.ts';
import { customersModule } from './customers/routes.ts';
import { iamModule } from './iam/routes.ts';
import { ledgerModule } from './ledger/routes.ts';
import { quoteRoutes } from './quotes/routes.ts';
import { systemRoutes } from './system/routes.ts';

/** Every bounded context that serves HTTP, in registration order. */
export const modules: Module[] = [
  { name: 'system', routes: systemRoutes },
  { name: 'quotes', routes: quoteRoutes },
  iamModule,
  customersModule,
  ledgerModule,
];
