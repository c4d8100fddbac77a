import { readPermission } from '../iam/service.ts';
import type { ContextModule } from '../module.ts';
import { disbursementOutcomeConsumer } from './disbursement.ts';
import { loanRoutes } from './routes.ts';

export const loansModule: ContextModule = {
  name: 'loans',
  routes: loanRoutes,
  permissions: {
    'loans:read': readPermission('Read loans, their schedules, history, refunds, shares and contracts', [
      'risk_analyst',
      'approver',
      'operator',
      'collector',
      'finance',
    ]),
  },
  consumers: [disbursementOutcomeConsumer],
};
