import { FileTextOutlined } from '@ant-design/icons';
import { lazy } from 'react';
import type { ConsoleArea } from '../types';

const LoanListPage = lazy(() => import('./LoanListPage'));
const LoanDetailPage = lazy(() => import('./LoanDetailPage'));

export const loansArea: ConsoleArea = {
  key: 'loans',
  icon: <FileTextOutlined />,
  menu: [{ path: '/loans', label: 'title', permissions: ['loans:read'] }],
  routes: [
    { path: '/loans', element: <LoanListPage />, permissions: ['loans:read'] },
    { path: '/loans/:loanId', element: <LoanDetailPage />, permissions: ['loans:read'] },
  ],
};
