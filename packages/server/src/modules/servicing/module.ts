import { sensitivePermission } from '../iam/service.ts';
import type { ContextModule } from '../module.ts';
import { openAccountConsumer } from './accounts.ts';
import { autoDebitConsumer } from './auto-debit.ts';
import { repaymentOutcomeConsumer } from './collect.ts';
import { offlineRepaymentApproval } from './offline.ts';
import { loanRefundedConsumer } from './refund-sync.ts';
import { repaymentRequestRoutes } from './repayment-requests.ts';
import { servicingReadRoutes } from './routes-reads.ts';
import { repaymentRoutes } from './routes-repayments.ts';

export const servicingModule: ContextModule = {
  name: 'servicing',
  routes: [...servicingReadRoutes, ...repaymentRoutes, ...repaymentRequestRoutes],
  permissions: {
    // Money into the books without a channel's confirmation: four eyes, second factor.
    'servicing:record-offline': sensitivePermission(
      'Ask for an offline transfer to be applied to a loan (maker)',
      ['operator', 'finance'],
    ),
    'servicing:approve': sensitivePermission('Approve an offline transfer applied to a loan (checker)', [
      'finance',
    ]),
    'servicing:reverse': sensitivePermission(
      'Reverse a repayment after a chargeback or a bounced collection',
      ['operator', 'finance'],
    ),
    'servicing:refund-credit': sensitivePermission(
      'Pay a borrower’s credit balance back to their bound card',
      ['operator', 'finance'],
    ),
  },
  approvalActions: [offlineRepaymentApproval],
  consumers: [openAccountConsumer, repaymentOutcomeConsumer, autoDebitConsumer, loanRefundedConsumer],
};
