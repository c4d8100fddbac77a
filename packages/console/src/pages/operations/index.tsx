import { ScheduleOutlined } from '@ant-design/icons';
import { lazy } from 'react';
import type { ConsoleArea } from '../types';

const CobPage = lazy(() => import('./CobPage'));
const BureauPage = lazy(() => import('./BureauPage'));
const SubmissionPage = lazy(() => import('./SubmissionPage'));

export const operationsArea: ConsoleArea = {
  key: 'operations',
  icon: <ScheduleOutlined />,
  menu: [
    { path: '/operations/cob', label: 'cob', permissions: ['cob:read'] },
    { path: '/operations/bureau', label: 'bureau', permissions: ['bureau:read'] },
  ],
  routes: [
    { path: '/operations/cob', element: <CobPage />, permissions: ['cob:read'] },
    { path: '/operations/bureau', element: <BureauPage />, permissions: ['bureau:read'] },
    {
      path: '/operations/bureau/submissions/:submissionId',
      element: <SubmissionPage />,
      permissions: ['bureau:read'],
    },
  ],
};
