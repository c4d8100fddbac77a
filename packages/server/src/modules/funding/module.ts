import { readPermission, sensitivePermission, writePermission } from '../iam/service.ts';
import type { ContextModule } from '../module.ts';
import { fundingRoutes } from './routes.ts';
import { setRuleApproval } from './service.ts';

export const fundingModule: ContextModule = {
  name: 'funding',
  routes: fundingRoutes,
  permissions: {
    'funding:read': readPermission(
      'Read funders, funding rules, loans’ shares, custody sub-accounts and funder statements',
      ['operator', 'finance'],
    ),
    'funding:manage': writePermission(
      'Add and change funders, register custody sub-accounts, ask for funding rule changes (maker)',
      ['finance'],
    ),
    // Who funds each loan decides where money goes: the checker signs in with a second factor.
    'funding:approve': sensitivePermission('Approve a funding rule change (checker)', ['finance']),
    // Moves the custody ledger account 1002.02, which otherwise only the custody bank moves.
    'funding:custody': sensitivePermission('Record a custody bank’s instruction by hand', ['finance']),
  },
  approvalActions: [setRuleApproval],
};
