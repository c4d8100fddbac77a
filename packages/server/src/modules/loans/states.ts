import { type LoanEvent, loanStates, loanTransition } from '@fenqi/core';
import { sql } from 'kysely';
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

/**
 * One event applied to many loans in one statement, with a history row each: close of business
 * moves the loans that fell overdue (or were written off) today. Every loan must be in a state
 * the event leaves from (core loanTransition); one that is not is a bug of the caller, and the
 * whole call fails.
 */
export async function moveLoansInBulk(
  trx: LoansTx,
  event: LoanEvent,
  loanIds: readonly string[],
  detail: { reason?: string; sourceRef?: string } = {},
): Promise<number> {
  if (loanIds.length === 0) return 0;
  const moves = loanStates.flatMap((from) => {
    const transition = loanTransition(from, event);
    return transition.ok ? [{ from, to: transition.to }] : [];
  });
  const businessDate = await getBusinessDate(trx as unknown as Tx);
  const moved = await sql<{ id: string }>`
    WITH moves (from_state, to_state) AS (
      SELECT * FROM unnest(${moves.map((m) => m.from)}::text[], ${moves.map((m) => m.to)}::text[])
    ),
    old AS (
      SELECT l.id, l.state AS from_state, m.to_state
      FROM loans l JOIN moves m ON m.from_state = l.state
      WHERE l.id = ANY (${loanIds as string[]}::uuid[])
      FOR UPDATE OF l
    ),
    upd AS (
      UPDATE loans l SET state = old.to_state, updated_at = now()
      FROM old WHERE l.id = old.id
      RETURNING l.id
    ),
    history AS (
      INSERT INTO loan_state_changes (loan_id, from_state, to_state, event, reason, source_ref, business_date)
      SELECT old.id, old.from_state, old.to_state, ${event}, ${detail.reason ?? null}, ${detail.sourceRef ?? null},
             ${businessDate}::date
      FROM old
    )
    SELECT id FROM upd`.execute(trx);
  if (moved.rows.length !== new Set(loanIds).size) {
    throw new Error(
      `${event}: ${new Set(loanIds).size - moved.rows.length} of the loans were in no state it leaves`,
    );
  }
  return moved.rows.length;
}

/** moveLoan for another module (servicing), which knows the loan by id: locks the row first. */
export async function moveLoanById(
  trx: Tx,
  loanId: string,
  event: LoanEvent,
  detail: StateChange = {},
): Promise<store.LoanSummaryRow> {
  const t = trx as unknown as LoansTx;
  const loan = await store.lockLoan(t, loanId);
  if (loan === undefined) throw new AppError('not_found', `There is no loan ${loanId}.`);
  return moveLoan(t, loan, event, detail);
}
