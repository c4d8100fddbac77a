import { type LoanEvent, loanTransition } from '@fenqi/core';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import * as store from './store.ts';
import type { LoansTx } from './tables.ts';

// The one place a loan's state changes: core's loanTransition decides whether the event is
// allowed, and the change is written with its history row in the caller's transaction (which
// holds the loan's row lock).

export type StateChange = {
  reason?: string | undefined;
  sourceRef?: string | undefined;
  change?: Omit<Parameters<typeof store.updateLoan>[2], 'state'>;
};

export async function moveLoan(
  trx: LoansTx,
  loan: store.LoanSummaryRow,
  event: LoanEvent,
  detail: StateChange = {},
): Promise<store.LoanSummaryRow> {
  const transition = loanTransition(loan.state, event);
  if (!transition.ok) {
    throw new AppError('loan_state_conflict', `Loan ${loan.loan_no}: ${transition.reason}.`, {
      extensions: { state: loan.state },
    });
  }
  // The loans store's view of the caller's transaction is the same connection.
  const businessDate = await getBusinessDate(trx as unknown as Tx);
  const after = await store.updateLoan(trx, loan.id, { ...detail.change, state: transition.to });
  await store.insertStateChange(trx, {
    loan_id: loan.id,
    from_state: loan.state,
    to_state: transition.to,
    event,
    reason: detail.reason ?? null,
    source_ref: detail.sourceRef ?? null,
    business_date: businessDate,
  });
  return after;
}

/** The first history row, written with the loan. */
export async function recordCreated(
  trx: LoansTx,
  loan: store.LoanSummaryRow,
  sourceRef: string,
): Promise<void> {
  await store.insertStateChange(trx, {
    loan_id: loan.id,
    from_state: null,
    to_state: loan.state,
    event: 'created',
    reason: null,
    source_ref: sourceRef,
    business_date: loan.business_date,
  });
}
