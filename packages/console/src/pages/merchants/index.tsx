import { ShopOutlined } from '@ant-design/icons';
import { lazy } from 'react';
import type { ConsoleArea } from '../types';

const MerchantsPage = lazy(() => import('./MerchantsPage'));
const MerchantPage = lazy(() => import('./MerchantPage'));

export const merchantsArea: ConsoleArea = {
  key: 'merchants',
  icon: <ShopOutlined />,
  menu: [{ path: '/merchants', label: 'title', permissions: ['merchants:read'] }],
  routes: [
    { path: '/merchants', element: <MerchantsPage />, permissions: ['merchants:read'] },
    { path: '/merchants/:merchantId', element: <MerchantPage />, permissions: ['merchants:read'] },
  ],
};
