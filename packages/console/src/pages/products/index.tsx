import { AppstoreOutlined } from '@ant-design/icons';
import { lazy } from 'react';
import type { ConsoleArea } from '../types';

const ProductsPage = lazy(() => import('./ProductsPage'));
const ProductEditorPage = lazy(() => import('./ProductEditorPage'));

export const productsArea: ConsoleArea = {
  key: 'products',
  icon: <AppstoreOutlined />,
  menu: [{ path: '/products', label: 'title', permissions: ['products:read'] }],
  routes: [
    { path: '/products', element: <ProductsPage />, permissions: ['products:read'] },
    { path: '/products/new', element: <ProductEditorPage />, permissions: ['products:author'] },
    { path: '/products/versions/:versionId', element: <ProductEditorPage />, permissions: ['products:read'] },
  ],
};
