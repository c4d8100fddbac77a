import type { H5Route } from '../types';
import { BillsPage } from './BillsPage';
import { LoanPage } from './LoanPage';
import { ReceiptsPage } from './ReceiptsPage';

// 账单 (the bills tab): the loans with their current bill, one loan's schedule, its receipts.
export const routes: H5Route[] = [
  { path: '/bills', element: <BillsPage />, auth: true, tab: 'bills' },
  { path: '/loans/:loanId', element: <LoanPage />, auth: true },
  { path: '/loans/:loanId/receipts', element: <ReceiptsPage />, auth: true },
];
