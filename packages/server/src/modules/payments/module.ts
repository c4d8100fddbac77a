import { readPermission, sensitivePermission, writePermission } from '../iam/service.ts';
import type { ContextModule } from '../module.ts';
import { adjustmentApproval } from './exceptions.ts';
import { paymentJobs, paymentLoops } from './jobs.ts';
import { manualPayoutApproval } from './manual-payouts.ts';
import { paymentRoutes } from './routes.ts';

export const paymentsModule: ContextModule = {
  name: 'payments',
  routes: paymentRoutes,
  permissions: {
    'payments:read': readPermission('Read payment orders, statements and the payment exception queue', [
      'operator',
      'finance',
    ]),
    'payments:manage': writePermission('Ask the channel about an unresolved payment order now', [
      'operator',
      'finance',
    ]),
    'payments:reconcile': writePermission('Reconcile a channel statement by hand', ['operator', 'finance']),
    'payments:resolve': sensitivePermission(
      'Resolve a payment exception; ask for a ledger adjustment (maker)',
      ['operator', 'finance'],
    ),
    'payments:initiate': sensitivePermission('Ask for a manual payout (maker)', ['finance']),
    'payments:approve': sensitivePermission('Approve a manual payout or a payment adjustment (checker)', [
      'finance',
    ]),
  },
  approvalActions: [manualPayoutApproval, adjustmentApproval],
  jobs: paymentJobs,
  loops: paymentLoops,
};
