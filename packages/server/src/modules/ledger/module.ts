import { readPermission, sensitivePermission } from '../iam/service.ts';
import type { ContextModule } from '../module.ts';
import { manualJournalApproval, manualJournalRoutes } from './manual-journals.ts';
import { ledgerRoutes } from './routes.ts';
import { ledgerJobs } from './service.ts';

export const ledgerModule: ContextModule = {
  name: 'ledger',
  routes: [...ledgerRoutes, ...manualJournalRoutes],
  permissions: {
    'ledger:read': readPermission('Read ledger accounts, balances, journal entries and the trial balance', [
      'finance',
    ]),
    'ledger:post': sensitivePermission('Request a manual journal entry (maker)', ['finance']),
    'ledger:approve': sensitivePermission('Approve or reject a manual journal entry (checker)', ['finance']),
  },
  approvalActions: [manualJournalApproval],
  jobs: (services) => ledgerJobs(services.db, services.logger),
};
