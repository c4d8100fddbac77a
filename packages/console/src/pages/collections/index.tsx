import { PhoneOutlined } from '@ant-design/icons';
import { Pending } from '../Pending';
import type { ConsoleArea } from '../types';

export const collectionsArea: ConsoleArea = {
  key: 'collections',
  icon: <PhoneOutlined />,
  menu: [
    { path: '/collections/queue', label: 'queue', permissions: ['collections:work', 'collections:read'] },
    { path: '/collections/cases', label: 'cases', permissions: ['collections:read'] },
  ],
  routes: [
    {
      path: '/collections/queue',
      element: <Pending area="collections" />,
      permissions: ['collections:work', 'collections:read'],
    },
    {
      path: '/collections/cases',
      element: <Pending area="collections" />,
      permissions: ['collections:read'],
    },
  ],
};
