import type { H5Route } from '../types';
import { AgreementsPage } from './AgreementsPage';
import { CardPage } from './CardPage';
import { RealNamePage } from './RealNamePage';

export const routes: H5Route[] = [
  { path: '/onboarding/real-name', element: <RealNamePage />, auth: true },
  { path: '/onboarding/agreements', element: <AgreementsPage />, auth: true },
  { path: '/onboarding/card', element: <CardPage />, auth: true },
];
