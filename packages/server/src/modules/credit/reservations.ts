import { randomUUID } from 'node:crypto';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { Tx } from '../../platform/db.ts';
import { orConflict } from '../../platform/db-errors.ts';
import { AppError, type FieldError } from '../../platform/errors.ts';
import { recordChange } from './history.ts';
import { lineLimitMinorMax } from './lines.ts';
import {
  insufficientAvailable,
  invalidInput,
  lineNotActive,
  lineNotFound,
  reservationNotHeld,
  restoreExceedsOutstanding,
  sourceConflict,
} from './problems.ts';
import * as store from './store.ts';
import type { CreditTx } from './tables.ts';
import {
  type Actor,
  availableOf,
  type CreditLine,
  type Reservation,
  toLine,
  toReservation,
} from './views.ts';

// Drawing on a line, for origination and servicing (no public route): an order being accepted
// reserves an amount; disbursement turns the reservation into used principal, a cancelled order
// releases it; principal repaid is restored to a revolving line. Each step is idempotent by its
// source reference, so a step retried after a crash or a redelivered event changes nothing.

export type ReservationRef = store.ReservationRef;

const sourceRefLengthMax = 200;

function drawErrors(input: { amountMinor: bigint; sourceRef: string }): FieldError[] {
  const errors: FieldError[] = [];
  if (input.amountMinor < 1n || input.amountMinor > lineLimitMinorMax)
    errors.push({ path: 'amountMinor', message: `must be 1 to ${lineLimitMinorMax} fen` });
  if (input.sourceRef.length < 1 || input.sourceRef.length > sourceRefLengthMax)
    errors.push({ path: 'sourceRef', message: `must be 1 to ${sourceRefLengthMax} characters` });
  return errors;
}

/**
 * The person's exposure row, then the line: the lock order of every operation on a person's lines
 * (lines.ts takes the same), so a reservation queues behind a grant or an adjustment of the same
 * person instead of deadlocking with it.
 */
async function lockLine(trx: CreditTx, lineId: string): Promise<store.LineRow> {
  const found = await store.findLine(trx, lineId);
  if (!found) throw lineNotFound(lineId);
  await store.lockExposureRow(trx, found.customer_id);
  const line = await store.lockLine(trx, lineId);
  if (!line) throw lineNotFound(lineId);
  return line;
}

/**
 * Holds `amountMinor` of an active line for an order (`sourceRef` names it, e.g.
 * `order:8f…/acceptance`). Reserving again for the same source returns the same reservation.
 * Refused on a line that is frozen, expired (or past its expiry date), closed, or has less available.
 */
export async function reserve(
  trx: Tx,
  input: { lineId: string; amountMinor: bigint; sourceRef: string; actor?: Actor | undefined },
): Promise<Reservation> {
  const errors = drawErrors(input);
  if (errors.length > 0) throw invalidInput(errors);
  const t: CreditTx = trx;
  const line = await lockLine(t, input.lineId);
  const earlier = await store.findReservation(t, { sourceRef: input.sourceRef });
  if (earlier) {
    if (earlier.line_id !== line.id || earlier.amount_minor !== input.amountMinor)
      throw sourceConflict('Reservation source', input.sourceRef);
    return toReservation(earlier);
  }
  const businessDate = await getBusinessDate(trx);
  if (line.status !== 'active' || line.expires_on < businessDate) throw lineNotActive(line, businessDate);
  const available = availableOf(line);
  if (input.amountMinor > available) throw insufficientAvailable(line, available, input.amountMinor);
  // The same source reserved at once on lines of two people passes the lookup above; the unique
  // constraint decides.
  const reservation = await orConflict(
    store.insertReservation(t, {
      id: randomUUID(),
      line_id: line.id,
      customer_id: line.customer_id,
      source_ref: input.sourceRef,
      amount_minor: input.amountMinor,
      business_date: businessDate,
    }),
    { credit_reservations_source_ref_key: () => sourceConflict('Reservation source', input.sourceRef) },
  );
  const after = await store.updateLine(t, line.id, {
    reserved_minor: line.reserved_minor + input.amountMinor,
  });
  await recordChange(t, {
    kind: 'reserved',
    before: line,
    after,
    sourceRef: input.sourceRef,
    actor: input.actor,
    businessDate,
  });
  return toReservation(reservation);
}

async function settle(
  trx: Tx,
  ref: ReservationRef,
  to: 'used' | 'released',
  actor: Actor | undefined,
): Promise<Reservation> {
  const t: CreditTx = trx;
  const found = await store.findReservation(t, ref);
  if (!found) {
    const named = 'reservationId' in ref ? ref.reservationId : `for ${ref.sourceRef}`;
    throw new AppError('not_found', `There is no reservation ${named}.`);
  }
  const line = await lockLine(t, found.line_id);
  const reservation = await store.lockReservation(t, found.id);
  if (reservation.status === to) return toReservation(reservation);
  if (reservation.status !== 'held')
    throw reservationNotHeld(reservation.id, reservation.status, to === 'used' ? 'used' : 'released');
  const settled = await store.settleReservation(t, reservation.id, to);
  const after = await store.updateLine(t, line.id, {
    reserved_minor: line.reserved_minor - reservation.amount_minor,
    ...(to === 'used' ? { used_minor: line.used_minor + reservation.amount_minor } : {}),
  });
  await recordChange(t, {
    kind: to === 'used' ? 'reservation_used' : 'reservation_released',
    before: line,
    after,
    sourceRef: reservation.source_ref,
    actor,
    businessDate: await getBusinessDate(trx),
  });
  return toReservation(settled);
}

/**
 * The reserved amount becomes used principal (the loan was disbursed). Works on a line frozen or
 * expired since the reservation: the order was accepted while the line could be drawn on.
 * Repeating it returns the reservation unchanged; a released reservation cannot be used.
 */
export function useReservation(trx: Tx, ref: ReservationRef, actor?: Actor): Promise<Reservation> {
  return settle(trx, ref, 'used', actor);
}

/** The reserved amount is available again (the order was cancelled or its disbursement failed). */
export function releaseReservation(trx: Tx, ref: ReservationRef, actor?: Actor): Promise<Reservation> {
  return settle(trx, ref, 'released', actor);
}

export type Restoration = {
  line: CreditLine;
  /** What became available again: the amount on a revolving line, 0 on a non-revolving one. */
  restoredMinor: bigint;
};

/**
 * Principal repaid on a loan drawn from the line (`sourceRef` names the repayment). A revolving
 * line gets it back as available; a non-revolving one does not, and counts it as repaid instead,
 * so that what is still owed on it is known once it no longer counts with its limit. Never more
 * than is outstanding (so never above the limit); repeating it for the same source changes nothing.
 */
export async function restore(
  trx: Tx,
  input: { lineId: string; amountMinor: bigint; sourceRef: string; actor?: Actor | undefined },
): Promise<Restoration> {
  const errors = drawErrors(input);
  if (errors.length > 0) throw invalidInput(errors);
  const t: CreditTx = trx;
  const line = await lockLine(t, input.lineId);
  const earlier = await store.findRestore(t, input.sourceRef);
  if (earlier) {
    const amount = earlier.kind === 'restored' ? -earlier.used_delta_minor : earlier.repaid_delta_minor;
    if (earlier.line_id !== line.id || amount !== input.amountMinor)
      throw sourceConflict('Repayment source', input.sourceRef);
    return { line: toLine(line), restoredMinor: earlier.kind === 'restored' ? amount : 0n };
  }
  const outstanding = line.used_minor - line.repaid_minor;
  if (input.amountMinor > outstanding) throw restoreExceedsOutstanding(line, outstanding, input.amountMinor);
  const after = await store.updateLine(
    t,
    line.id,
    line.revolving
      ? { used_minor: line.used_minor - input.amountMinor }
      : { repaid_minor: line.repaid_minor + input.amountMinor },
  );
  await orConflict(
    recordChange(t, {
      kind: line.revolving ? 'restored' : 'repaid',
      before: line,
      after,
      sourceRef: input.sourceRef,
      actor: input.actor,
      businessDate: await getBusinessDate(trx),
    }),
    {
      credit_line_history_one_restore_per_source: () => sourceConflict('Repayment source', input.sourceRef),
    },
  );
  return { line: toLine(after), restoredMinor: line.revolving ? input.amountMinor : 0n };
}
