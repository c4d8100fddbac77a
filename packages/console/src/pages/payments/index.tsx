import { TransactionOutlined } from '@ant-design/icons';
import { lazy } from 'react';
import type { ConsoleArea } from '../types';

const OrderListPage = lazy(() => import('./OrderListPage'));
const OrderDetailPage = lazy(() => import('./OrderDetailPage'));
const ExceptionsPage = lazy(() => import('./ExceptionsPage'));
const ReconciliationsPage = lazy(() => import('./ReconciliationsPage'));

export const paymentsArea: ConsoleArea = {
  key: 'payments',
  icon: <TransactionOutlined />,
  menu: [
    { path: '/payments/orders', label: 'orders', permissions: ['payments:read'] },
    { path: '/payments/exceptions', label: 'exceptions', permissions: ['payments:read'] },
    { path: '/payments/reconciliations', label: 'reconciliations', permissions: ['payments:read'] },
  ],
  routes: [
    { path: '/payments/orders', element: <OrderListPage />, permissions: ['payments:read'] },
    { path: '/payments/orders/:orderNo', element: <OrderDetailPage />, permissions: ['payments:read'] },
    { path: '/payments/exceptions', element: <ExceptionsPage />, permissions: ['payments:read'] },
    { path: '/payments/reconciliations', element: <ReconciliationsPage />, permissions: ['payments:read'] },
  ],
};
