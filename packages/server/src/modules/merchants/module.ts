import { readPermission, sensitivePermission, writePermission } from '../iam/service.ts';
import type { ContextModule } from '../module.ts';
import { merchantRoutes } from './routes.ts';

export const merchantsModule: ContextModule = {
  name: 'merchants',
  routes: merchantRoutes,
  permissions: {
    'merchants:read': readPermission('Read merchants, their status history and masked settlement accounts', [
      'risk_analyst',
      'approver',
      'operator',
      'finance',
    ]),
    // Operations onboard merchants (docs/merchants.md); issuing their API keys stays api-clients:manage.
    'merchants:manage': writePermission(
      'Register and change merchants; activate, suspend and reinstate them',
      ['operator'],
    ),
    // Finance checks payout accounts against the merchant's bank letter: every view is audited.
    'merchants:unmask': sensitivePermission(
      "See a merchant's settlement account in clear (every view is audited)",
      ['finance'],
      true,
    ),
  },
};
