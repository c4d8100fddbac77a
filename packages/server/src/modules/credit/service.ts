import type { Config } from '../../platform/config.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { ownCustomerId } from '../customers/service.ts';
import type { BorrowerScope } from '../iam/service.ts';
import { currentExposure, type Exposure } from './exposure.ts';
import { findLine, linesOfCustomer } from './lines.ts';
import * as store from './store.ts';
import type { CreditDb } from './tables.ts';
import { type CreditLine, type HistoryEntry, toHistory } from './views.ts';

// The credit module's public service: what other modules call (import from here, not from the
// inner files) and what its routes use.
//   exposure:      lockExposure(trx, config, customerId) — the per-person cap, locked for the
//                  caller's transaction; currentExposure for reading.
//   lines:         grantLine (the risk module, in its decision's transaction), freezeLine,
//                  unfreezeLine, closeLine, adjustLimit (the checker's approval of
//                  credit.adjust-limit; requestLimitAdjustment is the maker's step), expireLines
//                  (close of business).
//   drawing:       reserve, useReservation, releaseReservation, restore (origination, servicing).
// Every function that changes something takes the caller's transaction and writes the line's
// history row (and event) in it.

export { currentExposure, type Exposure, lockExposure } from './exposure.ts';
export { limitAdjustmentApproval, requestLimitAdjustment } from './limit-adjustments.ts';
export {
  adjustLimit,
  closeLine,
  expireLines,
  findLine,
  freezeLine,
  type GrantInput,
  grantLine,
  type LimitAdjustment,
  lineLimitMinorMax,
  linesOfCustomer,
  lineTermDaysMax,
  type StaffChange,
  unfreezeLine,
} from './lines.ts';
export {
  type ReservationRef,
  type Restoration,
  releaseReservation,
  reserve,
  restore,
  useReservation,
} from './reservations.ts';
export type { Actor, CreditLine, HistoryEntry, Reservation } from './views.ts';

/** The signed-in borrower's own lines (none before they registered a customer profile). */
export async function ownLines(db: DB, scope: BorrowerScope): Promise<CreditLine[]> {
  const customerId = await ownCustomerId(db, scope);
  if (customerId === undefined) return [];
  return linesOfCustomer(db, customerId);
}

/** A customer's lines with their exposure under the cap, for staff. */
export async function customerCredit(
  db: DB,
  config: Config,
  customerId: string,
): Promise<{ exposure: Exposure; lines: CreditLine[] }> {
  return {
    exposure: await currentExposure(db, config, customerId),
    lines: await linesOfCustomer(db, customerId),
  };
}

export const historyPageMax = 200;

/** A line with a page of its history, newest first; `cursor` continues it (null at the end). */
export async function lineWithHistory(
  db: DB | Tx,
  lineId: string,
  page: { before?: bigint | undefined; limit: number },
): Promise<CreditLine & { history: HistoryEntry[]; historyCursor: bigint | null }> {
  const line = await findLine(db, lineId);
  const limit = Math.min(page.limit, historyPageMax);
  const rows = await store.historyOf(db as CreditDb, lineId, { before: page.before, limit });
  const last = rows.length === limit ? rows[rows.length - 1] : undefined;
  return { ...line, history: rows.map(toHistory), historyCursor: last?.id ?? null };
}
