import { TeamOutlined } from '@ant-design/icons';
import { lazy } from 'react';
import type { ConsoleArea } from '../types';

const CustomersPage = lazy(() => import('./CustomersPage'));
const CustomerPage = lazy(() => import('./CustomerPage'));

export const customersArea: ConsoleArea = {
  key: 'customers',
  icon: <TeamOutlined />,
  menu: [{ path: '/customers', label: 'title', permissions: ['customers:read'] }],
  routes: [
    { path: '/customers', element: <CustomersPage />, permissions: ['customers:read'] },
    { path: '/customers/:customerId', element: <CustomerPage />, permissions: ['customers:read'] },
  ],
};
