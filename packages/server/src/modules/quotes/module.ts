import type { ContextModule } from '../module.ts';
import { quoteRoutes } from './routes.ts';

/** The loan calculator: public compute routes, no tables, no permissions of its own. */
export const quotesModule: ContextModule = { name: 'quotes', routes: quoteRoutes };
