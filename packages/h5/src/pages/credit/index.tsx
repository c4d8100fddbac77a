import type { H5Route } from '../types';
import { ApplyPage } from './ApplyPage';
import { OutcomePage } from './OutcomePage';

export const routes: H5Route[] = [
  { path: '/credit/apply', element: <ApplyPage />, auth: true },
  { path: '/credit/applications/:applicationId', element: <OutcomePage />, auth: true },
];
