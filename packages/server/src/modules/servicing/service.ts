// The servicing module's public service: what close of business (modules/cob), collections and
// the routes call.
//   accounts:    openAccountConsumer opens a loan's account on loans.loan-disbursed.
//   day close:   beginDayClose, closeAccountsForDay (a partition or one loan, set-based SQL),
//                catchUpAccount (inline catch-up before a request touches an account).
//   reads:       one loan's servicing, transactions, accruals and delinquency history (staff),
//                the borrower's loan and bill, the portfolio summary (reads.ts); payoffQuoteFor.

export { openAccount, openAccountConsumer } from './accounts.ts';
export { beginDayClose, catchUpAccount, closingTarget } from './catch-up.ts';
export {
  addTotals,
  closeAccountsForDay,
  type DayCloseScope,
  type DayCloseTotals,
  noTotals,
} from './day-close.ts';
export { payoffQuoteFor, payoffQuoteOf } from './payoff-quote-view.ts';
export {
  accrualEventTypes,
  type Bill,
  borrowerBill,
  loanAccrualsForStaff,
  loanDelinquencyHistory,
  loanServicingForStaff,
  loanTransactionsForStaff,
  ownLoanServicing,
  ownLoanTransactions,
  type PortfolioSummary,
  portfolioSummary,
} from './reads.ts';
