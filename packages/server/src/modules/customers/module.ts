import { readPermission, sensitivePermission, writePermission } from '../iam/service.ts';
import type { ContextModule } from '../module.ts';
import { consentRoutes } from './consents/routes.ts';
import { cardAgreementsConsumer } from './kyc.ts';
import { realNameSimRoutes } from './real-name/routes.ts';
import { customerRoutes } from './routes.ts';

export const customersModule: ContextModule = {
  name: 'customers',
  routes: [...customerRoutes, ...consentRoutes, ...realNameSimRoutes],
  permissions: {
    'customers:read': readPermission('Read customer profiles and cards, masked', [
      'risk_analyst',
      'approver',
      'operator',
      'collector',
    ]),
    'customers:unmask': sensitivePermission(
      'See full ID numbers, phones and card numbers (every view is audited)',
      ['approver'],
      true,
    ),
    // Only a test or demo installation has the simulator (REAL_NAME_ADAPTER=simulated): admin only.
    'customers:simulate': writePermission("Edit the simulated real-name provider's rules"),
  },
  consumers: [cardAgreementsConsumer],
};
