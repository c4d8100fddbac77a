import { SafetyCertificateOutlined } from '@ant-design/icons';
import { lazy } from 'react';
import type { ConsoleArea } from '../types';

const PoliciesPage = lazy(() => import('./PoliciesPage'));
const PolicyVersionPage = lazy(() => import('./PolicyVersionPage'));
const PolicyEditorPage = lazy(() => import('./PolicyEditorPage'));
const PolicyDiffPage = lazy(() => import('./PolicyDiffPage'));
const DecisionPage = lazy(() => import('./DecisionPage'));
const ReviewsPage = lazy(() => import('./ReviewsPage'));

export const riskArea: ConsoleArea = {
  key: 'risk',
  icon: <SafetyCertificateOutlined />,
  menu: [
    { path: '/risk/policies', label: 'policies', permissions: ['risk:read'] },
    { path: '/risk/reviews', label: 'reviews', permissions: ['risk:review'] },
  ],
  routes: [
    { path: '/risk/policies', element: <PoliciesPage />, permissions: ['risk:read'] },
    { path: '/risk/policies/new', element: <PolicyEditorPage />, permissions: ['risk:author'] },
    { path: '/risk/policies/diff', element: <PolicyDiffPage />, permissions: ['risk:read'] },
    { path: '/risk/policies/:versionId', element: <PolicyVersionPage />, permissions: ['risk:read'] },
    { path: '/risk/decisions/:decisionId', element: <DecisionPage />, permissions: ['risk:read'] },
    { path: '/risk/applications/:applicationId', element: <DecisionPage />, permissions: ['risk:read'] },
    { path: '/risk/reviews', element: <ReviewsPage />, permissions: ['risk:review'] },
  ],
};
