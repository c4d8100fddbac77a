import { AccountBookOutlined } from '@ant-design/icons';
import { lazy } from 'react';
import type { ConsoleArea } from '../types';

const TrialBalancePage = lazy(() => import('./TrialBalancePage'));
const AccountsPage = lazy(() => import('./AccountsPage'));
const AccountStatementPage = lazy(() => import('./AccountStatementPage'));
const EntriesPage = lazy(() => import('./EntriesPage'));
const EntryDetailPage = lazy(() => import('./EntryDetailPage'));
const FundersPage = lazy(() => import('./FundersPage'));
const ManualJournalPage = lazy(() => import('./ManualJournalPage'));

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
    { path: '/finance/trial-balance', element: <TrialBalancePage />, permissions: ['ledger:read'] },
    { path: '/finance/accounts', element: <AccountsPage />, permissions: ['ledger:read'] },
    { path: '/finance/accounts/:code', element: <AccountStatementPage />, permissions: ['ledger:read'] },
    { path: '/finance/entries', element: <EntriesPage />, permissions: ['ledger:read'] },
    { path: '/finance/entries/:entryId', element: <EntryDetailPage />, permissions: ['ledger:read'] },
    { path: '/finance/funders', element: <FundersPage />, permissions: ['funding:read'] },
    { path: '/finance/manual-journals', element: <ManualJournalPage />, permissions: ['ledger:post'] },
  ],
};
