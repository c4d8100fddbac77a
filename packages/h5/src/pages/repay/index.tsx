import type { H5Route } from '../types';
import { PayoffPage } from './PayoffPage';
import { PrepayPage } from './PrepayPage';
import { RepayPage } from './RepayPage';

// Paying a loan: repay now (this installment, what is due, an amount), pay it off at today's quote,
// prepay principal with a shorter term or a lower payment.
export const routes: H5Route[] = [
  { path: '/loans/:loanId/repay', element: <RepayPage />, auth: true },
  { path: '/loans/:loanId/payoff', element: <PayoffPage />, auth: true },
  { path: '/loans/:loanId/prepay', element: <PrepayPage />, auth: true },
];
