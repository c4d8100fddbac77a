import type { Installment } from '@fenqi/core';
import type { Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import * as store from './store.ts';
import type { LoansTx } from './tables.ts';

// A loan's schedule versions and its outstanding principal, as other steps change them: a refund
// (refunds.ts) or servicing (a partial prepayment re-amortizes the rest of the loan; repayments
// lower the principal outstanding). Older versions stay as they were: what the borrower was shown.

/** Stores `installments` as schedule version `version` of the loan (the caller updates the loan row). */
export async function insertScheduleVersion(
  trx: LoansTx,
  loanId: string,
  version: number,
  installments: readonly Installment[],
): Promise<void> {
  await store.insertInstallments(
    trx,
    installments.map((i) => ({
      loan_id: loanId,
      schedule_version: version,
      number: i.number,
      period_start: i.periodStart,
      due_date: i.dueDate,
      principal_minor: i.principalMinor,
      interest_minor: i.interestMinor,
      fee_minor: i.feeMinor,
      total_minor: i.totalMinor,
      balance_minor: i.balanceMinor,
    })),
  );
}

async function lockedLoan(trx: Tx, loanId: string): Promise<store.LoanSummaryRow> {
  const loan = await store.lockLoan(trx as LoansTx, loanId);
  if (loan === undefined) throw new AppError('not_found', `There is no loan ${loanId}.`);
  return loan;
}

/**
 * A new schedule version for servicing (a partial prepayment): the installments as they stand now,
 * settled ones included, and the principal outstanding after it. Returns the new version number.
 */
export async function writeScheduleVersion(
  trx: Tx,
  loanId: string,
  installments: readonly Installment[],
  outstandingPrincipalMinor: bigint,
): Promise<number> {
  const loan = await lockedLoan(trx, loanId);
  const version = loan.schedule_version + 1;
  await insertScheduleVersion(trx as LoansTx, loanId, version, installments);
  await store.updateLoan(trx as LoansTx, loanId, {
    schedule_version: version,
    outstanding_principal_minor: outstandingPrincipalMinor,
  });
  return version;
}

/** The principal outstanding as servicing has it after a repayment or its reversal. */
export async function mirrorOutstandingPrincipal(
  trx: Tx,
  loanId: string,
  outstandingPrincipalMinor: bigint,
): Promise<void> {
  const loan = await lockedLoan(trx, loanId);
  if (loan.outstanding_principal_minor === outstandingPrincipalMinor) return;
  await store.updateLoan(trx as LoansTx, loanId, { outstanding_principal_minor: outstandingPrincipalMinor });
}
