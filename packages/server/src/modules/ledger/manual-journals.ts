import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Tx } from '../../platform/db.ts';
import { originOf } from '../../platform/http/origin.ts';
import { commandRoute } from '../../platform/http/route.ts';
import { text } from '../../platform/http/text.ts';
import { appendAudit, approvalAction, approvalView, requestApproval, staffOf } from '../iam/service.ts';
import { type ManualJournal, postJournal, postManualJournal } from './posting.ts';
import { manualJournalSchema } from './schemas.ts';

// Manual journal entries (adjustments by finance) go through maker-checker: a maker with
// `ledger:post` asks, a different user with `ledger:approve` approves, and only then the entry is
// posted — in the approving request's transaction, with an audit row naming both.

export const manualJournalAction = 'ledger.post-manual-journal';

/**
 * Posts the journal inside a savepoint and rolls it back: the request is refused at once with the
 * very error posting would give (unknown or closed account, unbalanced, mixed currencies, …), so a
 * checker never approves an entry that cannot post. No rule is written twice.
 */
export async function checkPostable(trx: Tx, journal: ManualJournal): Promise<void> {
  await sql`SAVEPOINT manual_journal_check`.execute(trx);
  try {
    await postJournal(trx, {
      idempotencyKey: `manual-check:${randomUUID()}`,
      eventType: 'manual',
      businessDate: journal.businessDate,
      description: journal.description,
      lines: journal.lines.map((line) => ({ ...line, amountMinor: BigInt(line.amountMinor) })),
    });
  } finally {
    await sql`ROLLBACK TO SAVEPOINT manual_journal_check`.execute(trx);
    await sql`RELEASE SAVEPOINT manual_journal_check`.execute(trx);
  }
}

/** The maker-checker action that ends in postManualJournal (declared in ledger/module.ts). */
export const manualJournalApproval = approvalAction({
  name: manualJournalAction,
  summary: 'Post a manual journal entry',
  makerPermission: 'ledger:post',
  checkerPermission: 'ledger:approve',
  payload: manualJournalSchema,
  validate: checkPostable,
  execute: async (trx, journal, context) => {
    const entry = await postManualJournal(trx, journal, {
      approvalId: context.requestId,
      makerId: context.makerId,
      checkerId: context.checkerId,
    });
    await appendAudit(trx, context.config.secrets.auditKey, {
      actor: { kind: 'staff', id: context.checkerId },
      action: 'ledger.manual-journal-posted',
      subject: { type: 'journal-entry', id: String(entry.id) },
      origin: context.origin,
      after: journal,
      details: { approvalRequestId: context.requestId, makerId: context.makerId },
    });
    return { entryId: String(entry.id), businessDate: entry.businessDate };
  },
});

const manualJournalRequest = manualJournalSchema
  .extend({ reason: text().trim().min(1).max(500).describe('Why the adjustment is needed') })
  .meta({ id: 'ManualJournalRequest' });

export const manualJournalRoutes = [
  commandRoute({
    method: 'POST',
    url: '/api/v1/ledger/manual-journals',
    permission: 'ledger:post',
    summary: 'Ask for a manual journal entry (maker-checker)',
    description:
      'Creates an approval request; the entry is posted when a different user with ledger:approve approves it at POST /api/v1/approvals/{id}/approve. The journal is checked now exactly as posting would check it.',
    tags: ['ledger'],
    schema: { body: manualJournalRequest, response: { 201: approvalView } },
    handler: async ({ trx, caller, body, request, services }) => {
      const { reason, ...journal } = body;
      const view = await requestApproval(trx, services.config, {
        action: manualJournalApproval,
        payload: journal,
        reason,
        maker: staffOf(caller),
        origin: originOf(request),
      });
      return { status: 201, body: view };
    },
  }),
];
