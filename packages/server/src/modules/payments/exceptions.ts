import { z } from 'zod';
import type { Config } from '../../platform/config.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { Origin } from '../../platform/http/origin.ts';
import { text } from '../../platform/http/text.ts';
import { bigintId } from '../../platform/http/wire.ts';
import { appendAudit, approvalAction } from '../iam/service.ts';
import { checkManualJournalPostable, manualJournalSchema, postManualJournal } from '../ledger/service.ts';
import * as store from './store.ts';
import type { ExceptionKind, PaymentsDb } from './tables.ts';

// The exception queue: what reconciliation, callbacks and the query job could not settle by
// themselves. Operations resolves an item with a note; a resolution that moves money is a ledger
// adjustment, asked for by one user and posted only when another approves (maker-checker).

export type PaymentException = {
  id: bigint;
  kind: ExceptionKind;
  channel: string;
  orderNo: string | null;
  statementId: bigint | null;
  ourAmountMinor: bigint | null;
  channelAmountMinor: bigint | null;
  ourState: string | null;
  channelStatus: string | null;
  detail: string;
  status: 'open' | 'resolved';
  resolution: 'no_action' | 'ledger_adjustment' | null;
  resolutionNote: string | null;
  adjustmentEntryId: bigint | null;
  resolvedBy: string | null;
  raisedAt: Date;
  resolvedAt: Date | null;
  businessDate: string;
};

export function toException(row: store.ExceptionRow): PaymentException {
  return {
    id: row.id,
    kind: row.kind,
    channel: row.channel,
    orderNo: row.order_no,
    statementId: row.statement_id,
    ourAmountMinor: row.our_amount_minor,
    channelAmountMinor: row.channel_amount_minor,
    ourState: row.our_state,
    channelStatus: row.channel_status,
    detail: row.detail,
    status: row.status,
    resolution: row.resolution,
    resolutionNote: row.resolution_note,
    adjustmentEntryId: row.adjustment_entry_id,
    resolvedBy: row.resolved_by,
    raisedAt: row.raised_at,
    resolvedAt: row.resolved_at,
    businessDate: row.business_date,
  };
}

export async function listExceptions(db: DB, filter: store.ExceptionFilter): Promise<PaymentException[]> {
  return (await store.listExceptions(db as PaymentsDb, filter)).map(toException);
}

async function openException(trx: Tx, id: bigint): Promise<store.ExceptionRow> {
  const row = await store.lockException(trx, id);
  if (!row) throw new AppError('not_found', `There is no payment exception ${id}.`);
  if (row.status !== 'open')
    throw new AppError(
      'exception_already_resolved',
      `Exception ${id} was resolved ${row.resolved_at?.toISOString()}.`,
    );
  return row;
}

/** Closes an item that needs no money to move (the difference was explained), with the reason. */
export async function resolveWithoutAdjustment(
  trx: Tx,
  config: Config,
  input: { id: bigint; note: string; staffId: string; origin: Origin },
): Promise<PaymentException> {
  await openException(trx, input.id);
  const resolved = await store.resolveException(trx, input.id, {
    resolution: 'no_action',
    note: input.note,
    by: input.staffId,
    entryId: null,
  });
  await appendAudit(trx, config.secrets.auditKey, {
    actor: { kind: 'staff', id: input.staffId },
    action: 'payments.exception-resolved',
    subject: { type: 'payment-exception', id: String(input.id) },
    origin: input.origin,
    before: { status: 'open' },
    after: { status: 'resolved', resolution: 'no_action' },
    details: { note: input.note },
  });
  return toException(resolved);
}

export const adjustmentPayload = z
  .strictObject({
    exceptionId: bigintId,
    note: text().trim().min(1).max(500),
    journal: manualJournalSchema,
  })
  .meta({ id: 'PaymentExceptionAdjustment' });

/**
 * The maker-checker action that resolves an exception with a ledger adjustment: checked when asked
 * (the item is open, the journal would post), posted and resolved together when approved.
 */
export const adjustmentApproval = approvalAction({
  name: 'payments.resolve-exception-with-adjustment',
  summary: 'Resolve a payment exception with a ledger adjustment',
  makerPermission: 'payments:resolve',
  checkerPermission: 'payments:approve',
  payload: adjustmentPayload,
  validate: async (trx, payload) => {
    await openException(trx, payload.exceptionId);
    await checkManualJournalPostable(trx, payload.journal);
  },
  execute: async (trx, payload, context) => {
    await openException(trx, payload.exceptionId);
    const entry = await postManualJournal(trx, payload.journal, {
      approvalId: context.requestId,
      makerId: context.makerId,
      checkerId: context.checkerId,
    });
    await store.resolveException(trx, payload.exceptionId, {
      resolution: 'ledger_adjustment',
      note: payload.note,
      by: context.checkerId,
      entryId: entry.id,
    });
    await appendAudit(trx, context.config.secrets.auditKey, {
      actor: { kind: 'staff', id: context.checkerId },
      action: 'payments.adjustment-posted',
      subject: { type: 'payment-exception', id: String(payload.exceptionId) },
      origin: context.origin,
      after: { status: 'resolved', resolution: 'ledger_adjustment', entryId: String(entry.id) },
      details: { approvalRequestId: context.requestId, makerId: context.makerId, note: payload.note },
    });
    return { exceptionId: String(payload.exceptionId), entryId: String(entry.id) };
  },
});
