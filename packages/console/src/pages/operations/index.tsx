import { ScheduleOutlined } from '@ant-design/icons';
import { Pending } from '../Pending';
import type { ConsoleArea } from '../types';

export const operationsArea: ConsoleArea = {
  key: 'operations',
  icon: <ScheduleOutlined />,
  menu: [
    { path: '/operations/cob', label: 'cob', permissions: ['cob:read'] },
    { path: '/operations/bureau', label: 'bureau', permissions: ['bureau:read'] },
  ],
  routes: [
    { path: '/operations/cob', element: <Pending area="operations" />, permissions: ['cob:read'] },
    { path: '/operations/bureau', element: <Pending area="operations" />, permissions: ['bureau:read'] },
  ],
};
