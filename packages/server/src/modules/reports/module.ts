import { readPermission } from '../iam/service.ts';
import type { ContextModule } from '../module.ts';
import { reportRoutes } from './routes.ts';

// Management reports for the console's dashboard. The module owns no tables: each figure is
// set-based SQL in the module that owns the rows, reached through that module's service
// (docs/reports.md).
export const reportsModule: ContextModule = {
  name: 'reports',
  routes: reportRoutes,
  permissions: {
    'reports:read': readPermission('Read management reports (the dashboard)', ['operator', 'finance']),
  },
};
