import { SettingOutlined } from '@ant-design/icons';
import { Pending } from '../Pending';
import type { ConsoleArea } from '../types';

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
    {
      path: '/administration/approvals',
      element: <Pending area="administration" />,
      permissions: ['approvals:read'],
    },
    { path: '/administration/users', element: <Pending area="administration" />, permissions: ['iam:read'] },
    {
      path: '/administration/api-clients',
      element: <Pending area="administration" />,
      permissions: ['iam:read'],
    },
    {
      path: '/administration/audit',
      element: <Pending area="administration" />,
      permissions: ['audit:read'],
    },
  ],
};
