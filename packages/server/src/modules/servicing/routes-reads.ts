import { queryRoute } from '../../platform/http/route.ts';
import { borrowerScope } from '../iam/service.ts';
import * as reads from './reads.ts';
import * as s from './schemas-reads.ts';

// Reading servicing: staff read any loan's servicing under /api/v1/loans/{loanId}/… beside the
// loans module's own staff routes (loans:read, the permission that already shows a loan's
// schedule), and the portfolio summary; a borrower reads their own loans under
// /api/v1/borrower/loans/{loanId}/… and their bill, scoped as the loans module scopes them (another
// borrower's loan is 404). Every read of one loan brings its account up to date first (inline
// catch-up), so these GETs may post the day's close of that one loan.

export const servicingReadRoutes = [
  // ---- staff ----
  queryRoute({
    method: 'GET',
    url: '/api/v1/loans/:loanId/servicing',
    permission: 'loans:read',
    summary:
      'A loan’s servicing: account figures and the current schedule with due, paid, waived and outstanding',
    description:
      'Per installment and component (principal, interest, fee, penalty) what was billed, paid, waived and is outstanding, and the interest accrued through the account’s closedThrough date. 404 when the loan has no servicing account (not disbursed).',
    tags: ['servicing'],
    schema: { params: s.servicingLoanParams, response: { 200: s.staffServicingView } },
    handler: async ({ db, params }) => ({
      status: 200,
      body: await reads.loanServicingForStaff(db, params.loanId),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/loans/:loanId/transactions',
    permission: 'loans:read',
    summary: 'A loan’s repayments and reversals with their allocation, newest first',
    tags: ['servicing'],
    schema: {
      params: s.servicingLoanParams,
      querystring: s.transactionPageQuery,
      response: { 200: s.staffTransactionPage },
    },
    handler: async ({ db, params, query }) => ({
      status: 200,
      body: await reads.loanTransactionsForStaff(db, params.loanId, query),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/loans/:loanId/accruals',
    permission: 'loans:read',
    summary:
      'A loan’s accrual history: its journal lines of accrual, penalty, fee charge, non-accrual and write-off',
    tags: ['servicing'],
    schema: {
      params: s.servicingLoanParams,
      querystring: s.accrualPageQuery,
      response: { 200: s.accrualPage },
    },
    handler: async ({ db, params, query }) => {
      const page = await reads.loanAccrualsForStaff(db, params.loanId, {
        after: s.parseAccrualCursor(query.cursor),
        limit: query.limit,
      });
      return { status: 200, body: { lines: page.lines, next: s.formatAccrualCursor(page.next) } };
    },
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/loans/:loanId/delinquency-history',
    permission: 'loans:read',
    summary: 'Every change of a loan’s delinquency bucket, oldest first',
    tags: ['servicing'],
    schema: { params: s.servicingLoanParams, response: { 200: s.delinquencyHistoryView } },
    handler: async ({ db, params }) => ({
      status: 200,
      body: await reads.loanDelinquencyHistory(db, params.loanId),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/servicing/portfolio',
    permission: 'loans:read',
    summary: 'Open loans by delinquency bucket and by product, as of the open business date',
    description:
      'Counts, principal outstanding and interest receivable per bucket (M0–M7); per product the overdue loans, overdue principal and the overdue ratio (overdue principal over principal outstanding).',
    tags: ['servicing'],
    schema: { response: { 200: s.portfolioView } },
    handler: async ({ db }) => ({ status: 200, body: await reads.portfolioSummary(db) }),
  }),

  // ---- borrower ----
  queryRoute({
    method: 'GET',
    url: '/api/v1/borrower/bill',
    permission: 'borrower:self',
    summary:
      'The signed-in borrower’s bill: this month’s due, overdue, outstanding and today’s payoff per open loan',
    tags: ['servicing'],
    schema: { response: { 200: s.billView } },
    handler: async ({ db, caller }) => ({
      status: 200,
      body: await reads.borrowerBill(db, borrowerScope(caller)),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/borrower/loans/:loanId/servicing',
    permission: 'borrower:self',
    summary: 'One of the borrower’s loans: its schedule with what was paid and what is outstanding',
    tags: ['servicing'],
    schema: { params: s.servicingLoanParams, response: { 200: s.borrowerServicingView } },
    handler: async ({ db, caller, params }) => ({
      status: 200,
      body: await reads.ownLoanServicing(db, borrowerScope(caller), params.loanId),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/borrower/loans/:loanId/transactions',
    permission: 'borrower:self',
    summary: 'The repayments of one of the borrower’s loans, newest first',
    tags: ['servicing'],
    schema: {
      params: s.servicingLoanParams,
      querystring: s.transactionPageQuery,
      response: { 200: s.borrowerTransactionPage },
    },
    handler: async ({ db, caller, params, query }) => ({
      status: 200,
      body: await reads.ownLoanTransactions(db, borrowerScope(caller), params.loanId, query),
    }),
  }),
];
