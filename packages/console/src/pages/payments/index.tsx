import { TransactionOutlined } from '@ant-design/icons';
import { Pending } from '../Pending';
import type { ConsoleArea } from '../types';

export const paymentsArea: ConsoleArea = {
  key: 'payments',
  icon: <TransactionOutlined />,
  menu: [
    { path: '/payments/orders', label: 'orders', permissions: ['payments:read'] },
    { path: '/payments/exceptions', label: 'exceptions', permissions: ['payments:read'] },
    { path: '/payments/reconciliations', label: 'reconciliations', permissions: ['payments:read'] },
  ],
  routes: [
    { path: '/payments/orders', element: <Pending area="payments" />, permissions: ['payments:read'] },
    { path: '/payments/exceptions', element: <Pending area="payments" />, permissions: ['payments:read'] },
    {
      path: '/payments/reconciliations',
      element: <Pending area="payments" />,
      permissions: ['payments:read'],
    },
  ],
};
