import { AppstoreOutlined } from '@ant-design/icons';
import { Pending } from '../Pending';
import type { ConsoleArea } from '../types';

export const productsArea: ConsoleArea = {
  key: 'products',
  icon: <AppstoreOutlined />,
  menu: [{ path: '/products', label: 'title', permissions: ['products:read'] }],
  routes: [{ path: '/products', element: <Pending area="products" />, permissions: ['products:read'] }],
};
