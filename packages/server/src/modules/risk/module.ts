import { readPermission, sensitivePermission, writePermission } from '../iam/service.ts';
import type { ContextModule } from '../module.ts';
import { blacklistApprovalActions, blacklistPermissions, blacklistRoutes } from './blacklist/index.ts';
import { publishPolicyApproval, retirePolicyApproval } from './policies.ts';
import { reviewApprovalAction } from './reviews.ts';
import { riskRoutes } from './routes.ts';

export const riskModule: ContextModule = {
  name: 'risk',
  routes: [...riskRoutes, ...blacklistRoutes],
  permissions: {
    'risk:read': readPermission(
      'Read policies, credit applications, decisions with their traces, backtests',
      ['risk_analyst', 'approver'],
    ),
    'risk:author': writePermission(
      'Write policy drafts; ask for a version to be published or retired (maker)',
      ['risk_analyst'],
    ),
    'risk:publish': sensitivePermission('Approve publishing or retiring a policy version (checker)', [
      'approver',
    ]),
    'risk:review': writePermission('Work the manual review queue: claim and decide applications', [
      'risk_analyst',
      'approver',
    ]),
    'risk:review-approve': sensitivePermission(
      'Approve a reviewed application above the review approval limit (checker)',
      ['approver'],
    ),
    ...blacklistPermissions,
  },
  approvalActions: [
    publishPolicyApproval,
    retirePolicyApproval,
    reviewApprovalAction,
    ...blacklistApprovalActions,
  ],
};
