import { PhoneOutlined } from '@ant-design/icons';
import { lazy } from 'react';
import type { ConsoleArea } from '../types';

const QueuePage = lazy(() => import('./QueuePage'));
const CasesPage = lazy(() => import('./CasesPage'));
const CasePage = lazy(() => import('./CasePage'));
const StrategiesPage = lazy(() => import('./StrategiesPage'));
const AgenciesPage = lazy(() => import('./AgenciesPage'));

// A collector works their own queue; a manager (collections:manage) sees every queue's cases,
// the strategies and the agencies. Anyone who may read cases opens a case.

export const collectionsArea: ConsoleArea = {
  key: 'collections',
  icon: <PhoneOutlined />,
  menu: [
    { path: '/collections/queue', label: 'queue', permissions: ['collections:work'] },
    { path: '/collections/cases', label: 'cases', permissions: ['collections:read'] },
    { path: '/collections/strategies', label: 'strategies', permissions: ['collections:manage'] },
    { path: '/collections/agencies', label: 'agencies', permissions: ['collections:manage'] },
  ],
  routes: [
    { path: '/collections/queue', element: <QueuePage />, permissions: ['collections:work'] },
    { path: '/collections/cases', element: <CasesPage />, permissions: ['collections:read'] },
    { path: '/collections/cases/:caseId', element: <CasePage />, permissions: ['collections:read'] },
    { path: '/collections/strategies', element: <StrategiesPage />, permissions: ['collections:manage'] },
    { path: '/collections/agencies', element: <AgenciesPage />, permissions: ['collections:manage'] },
  ],
};
