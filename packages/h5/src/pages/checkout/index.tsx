import type { H5Route } from '../types';
import { CheckoutPage } from './CheckoutPage';
import { DisbursementPage } from './DisbursementPage';

export const routes: H5Route[] = [
  { path: '/checkout/:token', element: <CheckoutPage />, auth: true },
  { path: '/checkout/:token/loans/:loanId', element: <DisbursementPage />, auth: true },
];
