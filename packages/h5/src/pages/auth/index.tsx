import type { H5Route } from '../types';
import { LoginPage } from './LoginPage';

export const routes: H5Route[] = [{ path: '/login', element: <LoginPage />, auth: false }];
