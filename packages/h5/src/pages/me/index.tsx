import type { H5Route } from '../types';
import { MePage } from './MePage';

export const routes: H5Route[] = [{ path: '/me', element: <MePage />, auth: true, tab: 'me' }];
