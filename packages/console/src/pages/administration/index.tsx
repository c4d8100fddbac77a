import { SettingOutlined } from '@ant-design/icons';
import { lazy } from 'react';
import type { ConsoleArea } from '../types';

const ApprovalsPage = lazy(() => import('./ApprovalsPage'));
const UsersPage = lazy(() => import('./UsersPage'));
const ApiClientsPage = lazy(() => import('./ApiClientsPage'));
const AuditPage = lazy(() => import('./AuditPage'));

export const administrationArea: ConsoleArea = {
  key: 'administration',
  icon: <SettingOutlined />,
  menu: [
    { path: '/administration/approvals', label: 'approvals', permissions: ['approvals:read'] },
    { path: '/administration/users', label: 'users', permissions: ['iam:read'] },
    { path: '/administration/api-clients', label: 'apiClients', permissions: ['iam:read'] },
    { path: '/administration/audit', label: 'audit', permissions: ['audit:read'] },
  ],
  routes: [
    { path: '/administration/approvals', element: <ApprovalsPage />, permissions: ['approvals:read'] },
    { path: '/administration/users', element: <UsersPage />, permissions: ['iam:read'] },
    { path: '/administration/api-clients', element: <ApiClientsPage />, permissions: ['iam:read'] },
    { path: '/administration/audit', element: <AuditPage />, permissions: ['audit:read'] },
  ],
};
