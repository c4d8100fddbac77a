import type { H5Route } from '../types';
import { HomePage } from './HomePage';

// 首页 (the home tab): the line, this month's bill, the loans.
export const routes: H5Route[] = [{ path: '/', element: <HomePage />, auth: true, tab: 'home' }];
