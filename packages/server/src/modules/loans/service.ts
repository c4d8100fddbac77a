import { type LoanState, type LoanTerms, type LoanTermsJson, loanTermsFromJson } from '@fenqi/core';
import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { loanShares } from '../funding/service.ts';
import type { BorrowerScope, PartnerScope } from '../iam/service.ts';
import * as store from './store.ts';
import type { LoansDb } from './tables.ts';
import { type Loan, toInstallment, toLoan, toRefund, toStateChange } from './views.ts';

// The loans module's public service: what other modules call (servicing, collections) and what its
// routes use.
//   merchant API:   createOrder, merchantOrder, cancelOrder (orders.ts), refundOrder (refunds.ts)
//   borrower API:   checkoutView, quoteOrder, previewContract, acceptOrder, quoteDrawdown, drawdown
//                   (checkout.ts)
//   disbursement:   the loans.disbursement-outcome consumer of the payments events (disbursement.ts)
//   reading:        below, each scoped to its caller.

export { type LoanBookFigures, loanBookFigures, type StateFigures } from './book-figures.ts';
export {
  acceptOrder,
  checkoutView,
  drawdown,
  previewContract,
  quoteDrawdown,
  quoteOrder,
} from './checkout.ts';
export { disbursementOutcomeConsumer } from './disbursement.ts';
export { cancelOrder, checkoutTokenOf, createOrder, merchantOrder } from './orders.ts';
export { type ContractRenderer, contractRenderer } from './origination.ts';
export { refundOrder } from './refunds.ts';
export { mirrorOutstandingPrincipal, writeScheduleVersion } from './schedules.ts';
export { moveLoanById, moveLoansInBulk } from './states.ts';
export type { Installment, Loan, Order, Quote, Refund } from './views.ts';

async function details(db: DB | Tx, row: store.LoanSummaryRow) {
  const t = db as LoansDb;
  const [installments, history] = await Promise.all([
    store.installmentsOf(t, row.id, row.schedule_version),
    store.stateChangesOf(t, row.id),
  ]);
  return {
    ...toLoan(row),
    installments: installments.map(toInstallment),
    history: history.map(toStateChange),
  };
}

export async function loanForStaff(db: DB, loanId: string) {
  const row = await store.findLoan(db as LoansDb, loanId);
  if (!row) throw new AppError('not_found', `There is no loan ${loanId}.`);
  const [detail, refunds, shares] = await Promise.all([
    details(db, row),
    store.refundsOf(db as LoansDb, loanId),
    loanShares(db, loanId),
  ]);
  return { ...detail, refunds: refunds.map(toRefund), shares };
}

export async function listLoans(
  db: DB,
  filter: store.LoanFilter,
): Promise<{ loans: Loan[]; next: string | null }> {
  const rows = await store.listLoans(db as LoansDb, filter);
  const last = rows.length === filter.limit ? rows.at(-1) : undefined;
  return { loans: rows.map(toLoan), next: last?.loan_no ?? null };
}

export async function ownLoans(db: DB, scope: BorrowerScope): Promise<Loan[]> {
  return (await store.ownLoans(db as LoansDb, scope)).map(toLoan);
}

export async function ownLoan(db: DB, scope: BorrowerScope, loanId: string) {
  const row = await store.findOwnLoan(db as LoansDb, scope, loanId);
  if (!row) throw new AppError('not_found', `There is no loan ${loanId}.`);
  return details(db, row);
}

/** A loan's state and schedule for other modules (servicing). */
export async function loanById(db: DB | Tx, loanId: string) {
  const row = await store.findLoan(db as LoansDb, loanId);
  if (!row) throw new AppError('not_found', `There is no loan ${loanId}.`);
  return details(db, row);
}

export type ContractFile = { contractNo: string; sha256: string; pdf: Buffer };

async function contract(db: DB, loanId: string): Promise<ContractFile> {
  const row = await store.contractOf(db as LoansDb, loanId);
  if (!row) throw new AppError('not_found', `There is no loan ${loanId}.`);
  return { contractNo: row.contract_no, sha256: row.contract_sha256, pdf: row.contract_pdf };
}

export async function contractForStaff(db: DB, loanId: string): Promise<ContractFile> {
  return contract(db, loanId);
}

export async function ownContract(db: DB, scope: BorrowerScope, loanId: string): Promise<ContractFile> {
  if (!(await store.findOwnLoan(db as LoansDb, scope, loanId)))
    throw new AppError('not_found', `There is no loan ${loanId}.`);
  return contract(db, loanId);
}

export async function merchantContract(db: DB, scope: PartnerScope, loanId: string): Promise<ContractFile> {
  if (!(await store.findMerchantLoan(db as LoansDb, scope, loanId)))
    throw new AppError('not_found', `There is no loan ${loanId}.`);
  return contract(db, loanId);
}

/** The terms a loan was priced with (every input of its schedule), for servicing. */
export async function loanTermsById(db: DB | Tx, loanId: string): Promise<LoanTerms> {
  const row = await store.findLoan(db as LoansDb, loanId);
  if (!row) throw new AppError('not_found', `There is no loan ${loanId}.`);
  return loanTermsFromJson(row.terms as unknown as LoanTermsJson);
}

/** A loan's state alone, for servicing's checks before it takes money. */
export async function loanStateById(db: DB | Tx, loanId: string): Promise<LoanState> {
  const row = await store.findLoan(db as LoansDb, loanId);
  if (!row) throw new AppError('not_found', `There is no loan ${loanId}.`);
  return row.state;
}
export {
  type Disbursed,
  disbursementsByDay,
  disbursementsByMonth,
  type OrderFunnel,
  orderFunnel,
} from './reports.ts';
