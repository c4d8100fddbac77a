import { z } from 'zod';
import type { Config } from '../../platform/config.ts';
import type { Tx } from '../../platform/db.ts';
import type { Origin } from '../../platform/http/origin.ts';
import { text } from '../../platform/http/text.ts';
import { appendAudit, approvalAction, requestApproval } from '../iam/service.ts';
import { checkedAmount, loanNotRepayable, sourceConflict } from './problems.ts';
import { transactionBySource } from './repayment-store.ts';
import { applyRepayment, closedStateOf, isOpen, lockedAccount } from './repayments.ts';
import type { ServicingTx } from './tables.ts';

// An offline transfer (线下还款: the borrower paid into the lender's bank account) is recorded by
// operations with maker-checker: one user asks with the bank's reference, another approves, and
// only then is the money applied (Dr 1002.01, the bank, instead of 2242). The bank's reference
// names the transaction (`offline:<reference>`): one transfer is applied once, however many
// requests name it.

export const recordOfflineAction = 'servicing.record-offline-repayment';

export const offlineRepaymentPayload = z
  .strictObject({
    loanId: z.uuid(),
    amountMinor: text().regex(/^\d{1,12}$/, 'must be 1 to 999999999999 fen, as a string of digits'),
    transferRef: text()
      .trim()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, "must be the bank's reference: 1 to 64 letters, digits or _ . : -"),
    receivedOn: text().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD'),
  })
  .meta({ id: 'OfflineRepayment' });

export type OfflineRepayment = z.output<typeof offlineRepaymentPayload>;

const sourceOf = (payload: OfflineRepayment) => `offline:${payload.transferRef}`;

async function checkRecordable(trx: Tx, payload: OfflineRepayment): Promise<void> {
  const amountMinor = checkedAmount(payload.amountMinor);
  const account = await lockedAccount(trx, payload.loanId);
  if (!isOpen(account)) throw loanNotRepayable(payload.loanId, closedStateOf(account));
  const earlier = await transactionBySource(trx as unknown as ServicingTx, sourceOf(payload));
  if (earlier && (earlier.loan_id !== payload.loanId || earlier.amount_minor !== amountMinor))
    throw sourceConflict(sourceOf(payload));
}

export const offlineRepaymentApproval = approvalAction({
  name: recordOfflineAction,
  summary: 'Apply an offline transfer to a loan',
  makerPermission: 'servicing:record-offline',
  checkerPermission: 'servicing:approve',
  payload: offlineRepaymentPayload,
  validate: async (trx, payload) => checkRecordable(trx, payload),
  execute: async (trx, payload, context) => {
    // The money is in the bank: if the loan closed while the request waited, it becomes credit.
    const applied = await applyRepayment(trx, {
      loanId: payload.loanId,
      amountMinor: checkedAmount(payload.amountMinor),
      kind: 'offline',
      sourceRef: sourceOf(payload),
      channel: 'offline',
      reason: `received ${payload.receivedOn}; approval ${context.requestId}`,
      collected: true,
    });
    await appendAudit(trx, context.config.secrets.auditKey, {
      actor: { kind: 'staff', id: context.checkerId },
      action: 'servicing.offline-repayment-recorded',
      subject: { type: 'loan', id: payload.loanId },
      origin: context.origin,
      after: {
        transactionId: applied.transaction.id,
        amountMinor: payload.amountMinor,
        transferRef: payload.transferRef,
      },
      details: { approvalRequestId: context.requestId, makerId: context.makerId, created: applied.created },
    });
    return { transactionId: applied.transaction.id, created: applied.created };
  },
});

/** The maker's step: checked now as the approval will check it, then waiting for a checker. */
export async function requestOfflineRepayment(
  trx: Tx,
  config: Config,
  input: {
    payload: OfflineRepayment;
    reason: string;
    maker: { userId: string; permissions: ReadonlySet<string> };
    origin: Origin;
  },
) {
  return requestApproval(trx, config, {
    action: offlineRepaymentApproval,
    payload: input.payload,
    reason: input.reason,
    maker: input.maker,
    origin: input.origin,
  });
}
