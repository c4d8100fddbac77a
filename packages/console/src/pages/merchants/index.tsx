import { ShopOutlined } from '@ant-design/icons';
import { Pending } from '../Pending';
import type { ConsoleArea } from '../types';

export const merchantsArea: ConsoleArea = {
  key: 'merchants',
  icon: <ShopOutlined />,
  menu: [{ path: '/merchants', label: 'title', permissions: ['merchants:read'] }],
  routes: [{ path: '/merchants', element: <Pending area="merchants" />, permissions: ['merchants:read'] }],
};
