import { DashboardOutlined } from '@ant-design/icons';
import { Pending } from '../Pending';
import type { ConsoleArea } from '../types';

export const dashboardArea: ConsoleArea = {
  key: 'dashboard',
  icon: <DashboardOutlined />,
  menu: [{ path: '/', label: 'title', permissions: ['reports:read'] }],
  routes: [{ path: '/', element: <Pending area="dashboard" />, permissions: ['reports:read'] }],
};
