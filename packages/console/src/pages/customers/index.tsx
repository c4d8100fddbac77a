import { TeamOutlined } from '@ant-design/icons';
import { Pending } from '../Pending';
import type { ConsoleArea } from '../types';

export const customersArea: ConsoleArea = {
  key: 'customers',
  icon: <TeamOutlined />,
  menu: [{ path: '/customers', label: 'title', permissions: ['customers:read'] }],
  routes: [{ path: '/customers', element: <Pending area="customers" />, permissions: ['customers:read'] }],
};
