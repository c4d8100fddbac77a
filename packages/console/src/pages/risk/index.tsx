import { SafetyCertificateOutlined } from '@ant-design/icons';
import { Pending } from '../Pending';
import type { ConsoleArea } from '../types';

export const riskArea: ConsoleArea = {
  key: 'risk',
  icon: <SafetyCertificateOutlined />,
  menu: [
    { path: '/risk/policies', label: 'policies', permissions: ['risk:read'] },
    { path: '/risk/reviews', label: 'reviews', permissions: ['risk:review', 'risk:read'] },
  ],
  routes: [
    { path: '/risk/policies', element: <Pending area="risk" />, permissions: ['risk:read'] },
    { path: '/risk/reviews', element: <Pending area="risk" />, permissions: ['risk:review', 'risk:read'] },
  ],
};
