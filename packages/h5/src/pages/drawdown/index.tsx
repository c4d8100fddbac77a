import type { H5Route } from '../types';
import { DrawdownPage } from './DrawdownPage';

// 借现金: a cash drawdown from a revolving line to a bound card.
export const routes: H5Route[] = [{ path: '/drawdown', element: <DrawdownPage />, auth: true }];
