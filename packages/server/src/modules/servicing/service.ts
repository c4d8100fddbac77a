// The servicing module's public service: what close of business (modules/cob), collections and
// the routes call.
//   accounts:    openAccountConsumer opens a loan's account on loans.loan-disbursed.
//   day close:   beginDayClose, closeAccountsForDay (a partition or one loan, set-based SQL),
//                catchUpAccount (inline catch-up before a request touches an account).
//   reads:       one loan's servicing, transactions, accruals and delinquency history (staff),
//                the borrower's loan and bill, the portfolio summary (reads.ts).
//   repayments:  applyRepayment (the engine: waterfall, journal, line, delinquency, paid off),
//                applyPayoff / payoffQuoteOf, applyPrepayment / prepaymentQuoteOf,
//                applyCreditBalances (close of business, after closing the day's accounts),
//                refundCreditBalance, reverseRepayment; the consumers of the payments outcomes
//                and of servicing.installment-due (auto-debit) are in module.ts.
//   bureau:      bureauFiguresPage (a page of loans' figures on a date, set-based), repaidOverdue.
//   waivers:     applyWaiver / waivableOf (collections' approved waivers of penalty, fee, interest).
//   reports:     the management reports' figures (reports.ts: the book, cohorts' M1+ principal by month
//                on book, bucket rolls, funders' principal, the day's transactions), set-based.

export { openAccount, openAccountConsumer } from './accounts.ts';
export { autoDebitConsumer } from './auto-debit.ts';
export { type BureauFigures, bureauFiguresPage, repaidOverdue } from './bureau-figures.ts';
export { beginDayClose, catchUpAccount, closingTarget } from './catch-up.ts';
export { repaymentOutcomeConsumer, requestPayoff, requestPrepayment, requestRepayment } from './collect.ts';
export { type OverdueFigures, overdueFiguresOf } from './collections-figures.ts';
export { applyCreditBalances, refundCreditBalance, refundFailed } from './credit-balance.ts';
export {
  addTotals,
  closeAccountsForDay,
  type DayCloseScope,
  type DayCloseTotals,
  noTotals,
} from './day-close.ts';
export { type LedgerCheck, type LedgerDifference, servicingLedgerCheck } from './ledger-check.ts';
export { offlineRepaymentApproval, requestOfflineRepayment } from './offline.ts';
export {
  type AccountRange,
  type LoanIdRange,
  loanIdMin,
  oldestClosedThrough,
  openAccountRanges,
} from './partitions.ts';
export { applyPayoff, checkPayoff, type PayoffQuote, payoffQuoteOf } from './payoff.ts';
export { applyPrepayment, planPrepayment, prepaymentQuoteOf } from './prepayment.ts';
export { repaymentAmountMinorMax } from './problems.ts';
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
export {
  type Applied,
  applyRepayment,
  type RepaymentInput,
  type RepaymentKind,
  type Transaction,
} from './repayments.ts';
export {
  type BookFigures,
  type BucketRoll,
  bookFigures,
  bucketRolls,
  type CohortPoint,
  delinquentPrincipalByCohort,
  type FunderPrincipal,
  funderPrincipal,
  type KindFigure,
  type MonthEndState,
  monthEndStates,
  repaymentKinds,
  transactionsOn,
} from './reports.ts';
export { type Reversal, reverseRepayment } from './reversal.ts';
export { applyWaiver, loanNotWaivable, type Waivable, type WaiverInput, waivableOf } from './waiver.ts';
