import { DashboardOutlined } from '@ant-design/icons';
import { lazy } from 'react';
import type { ConsoleArea } from '../types';

const DashboardPage = lazy(() => import('./DashboardPage'));

export const dashboardArea: ConsoleArea = {
  key: 'dashboard',
  icon: <DashboardOutlined />,
  menu: [{ path: '/', label: 'title', permissions: ['reports:read'] }],
  routes: [{ path: '/', element: <DashboardPage />, permissions: ['reports:read'] }],
};
