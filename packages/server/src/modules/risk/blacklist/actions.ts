import { z } from 'zod';
import { getBusinessDate } from '../../../platform/business-date.ts';
import type { Tx } from '../../../platform/db.ts';
import { text } from '../../../platform/http/text.ts';
import { type ApprovalContext, appendAudit, approvalAction } from '../../iam/service.ts';
import * as store from './store.ts';
import type { BlacklistTx } from './tables.ts';
import { blacklistKinds } from './values.ts';

// The blacklist's maker-checker actions. A proposal writes its entries first (pending, holding the
// value's place) and the approval request names them by id only: approval payloads and the audit
// log never carry an ID number, phone or card number. Approval then changes their status, set-based,
// in the approving request's transaction. An entry that is not waiting for this very request cannot
// happen (only these actions move a pending entry on), so that is a bug, not a refusal.

export const blacklistMakerPermission = 'risk:blacklist';
export const blacklistCheckerPermission = 'risk:blacklist-approve';

const entryId = text().regex(/^[1-9]\d{0,18}$/, 'must be a blacklist entry id');

function bug(message: string): Error {
  return new Error(`blacklist approval: ${message}`);
}

async function auditDecision(
  trx: Tx,
  context: ApprovalContext,
  event: { action: string; subject: { type: string; id: string }; after: unknown; details?: object },
): Promise<void> {
  await appendAudit(trx, context.config.secrets.auditKey, {
    actor: { kind: 'staff', id: context.checkerId },
    action: event.action,
    subject: event.subject,
    origin: context.origin,
    after: event.after,
    details: { approvalRequestId: context.requestId, makerId: context.makerId, ...event.details },
  });
}

export const blacklistAddApproval = approvalAction({
  name: 'risk.blacklist-add',
  summary: 'Put a value on the risk blacklist',
  makerPermission: blacklistMakerPermission,
  checkerPermission: blacklistCheckerPermission,
  payload: z.strictObject({ entryId, kind: z.enum(blacklistKinds) }),
  execute: async (trx, payload, context) => {
    const businessDate = await getBusinessDate(trx);
    const activated = await store.activateEntries(trx as BlacklistTx, {
      requestId: context.requestId,
      checkerId: context.checkerId,
      businessDate,
    });
    if (activated.length !== 1 || activated[0] !== BigInt(payload.entryId))
      throw bug(`entry ${payload.entryId} was not waiting for request ${context.requestId}`);
    await auditDecision(trx, context, {
      action: 'risk.blacklist-entry-activated',
      subject: { type: 'risk-blacklist-entry', id: payload.entryId },
      after: { status: 'active', activeFrom: businessDate },
    });
    return { entryId: payload.entryId, status: 'active', activeFrom: businessDate };
  },
});

export const blacklistRemoveApproval = approvalAction({
  name: 'risk.blacklist-remove',
  summary: 'Take an entry off the risk blacklist',
  makerPermission: blacklistMakerPermission,
  checkerPermission: blacklistCheckerPermission,
  payload: z.strictObject({ entryId }),
  execute: async (trx, payload, context) => {
    const businessDate = await getBusinessDate(trx);
    const removed = await store.completeRemoval(trx as BlacklistTx, BigInt(payload.entryId), {
      requestId: context.requestId,
      checkerId: context.checkerId,
      businessDate,
    });
    if (!removed) throw bug(`entry ${payload.entryId} was not waiting for removal by ${context.requestId}`);
    await auditDecision(trx, context, {
      action: 'risk.blacklist-entry-removed',
      subject: { type: 'risk-blacklist-entry', id: payload.entryId },
      after: { status: 'removed', removedOn: businessDate },
    });
    return { entryId: payload.entryId, status: 'removed', removedOn: businessDate };
  },
});

export const blacklistImportApproval = approvalAction({
  name: 'risk.blacklist-import',
  summary: 'Put every entry of an imported file on the risk blacklist',
  makerPermission: blacklistMakerPermission,
  checkerPermission: blacklistCheckerPermission,
  payload: z.strictObject({ importId: z.uuid(), entries: z.number().int().min(1) }),
  execute: async (trx, payload, context) => {
    const businessDate = await getBusinessDate(trx);
    const batch = await store.findImport(trx as BlacklistTx, payload.importId);
    if (batch?.approval_request_id !== context.requestId)
      throw bug(`import ${payload.importId} does not belong to request ${context.requestId}`);
    const activated = await store.activateEntries(trx as BlacklistTx, {
      requestId: context.requestId,
      checkerId: context.checkerId,
      businessDate,
    });
    if (activated.length !== batch.entry_count)
      throw bug(
        `import ${payload.importId} has ${batch.entry_count} entries but ${activated.length} were waiting`,
      );
    await auditDecision(trx, context, {
      action: 'risk.blacklist-import-activated',
      subject: { type: 'risk-blacklist-import', id: payload.importId },
      after: { status: 'active', activeFrom: businessDate, entries: activated.length },
    });
    return { importId: payload.importId, entries: activated.length, activeFrom: businessDate };
  },
});

export const blacklistApprovalActions = [
  blacklistAddApproval,
  blacklistRemoveApproval,
  blacklistImportApproval,
];
