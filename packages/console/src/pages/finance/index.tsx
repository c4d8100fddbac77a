import { AccountBookOutlined } from '@ant-design/icons';
import { Pending } from '../Pending';
import type { ConsoleArea } from '../types';

export const financeArea: ConsoleArea = {
  key: 'finance',
  icon: <AccountBookOutlined />,
  menu: [
    { path: '/finance/trial-balance', label: 'trialBalance', permissions: ['ledger:read'] },
    { path: '/finance/accounts', label: 'accounts', permissions: ['ledger:read'] },
    { path: '/finance/entries', label: 'entries', permissions: ['ledger:read'] },
    { path: '/finance/funders', label: 'funders', permissions: ['funding:read'] },
    { path: '/finance/manual-journals', label: 'manualJournals', permissions: ['ledger:post'] },
  ],
  routes: [
    { path: '/finance/trial-balance', element: <Pending area="finance" />, permissions: ['ledger:read'] },
    { path: '/finance/accounts', element: <Pending area="finance" />, permissions: ['ledger:read'] },
    { path: '/finance/entries', element: <Pending area="finance" />, permissions: ['ledger:read'] },
    { path: '/finance/funders', element: <Pending area="finance" />, permissions: ['funding:read'] },
    { path: '/finance/manual-journals', element: <Pending area="finance" />, permissions: ['ledger:post'] },
  ],
};
