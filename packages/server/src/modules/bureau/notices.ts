import { addDays } from '@fenqi/core';
import { sql } from 'kysely';
import type { Tx } from '../../platform/db.ts';
import type { EventConsumer } from '../../platform/outbox/event.ts';
import type { Services } from '../../platform/services.ts';
import { enqueueNotifications, notificationByKey } from '../notifications/service.ts';
import type { Built } from './build.ts';
import type { BureauTx, RecordStatus } from './tables.ts';

// The notice before negative information (征信业管理条例 art. 15: a lender reporting negative
// information about a person must tell them beforehand). Before a loan's first record whose
// repayment status is 1–7, the borrower is sent `negative_report_notice` (dedupe key
// bureau-negative-notice:<loanId>, so one notice a loan) and that record — with every later record
// of the loan, which the bureau must receive after it — is held (held_for_notice) until the
// notifications module reports the message delivered: the next generation checks, and the
// notifications.delivered event releases the loan at once. The delivery (message id, time) stays
// on the records it released.

export const noticeKeyOf = (loanId: string) => `bureau-negative-notice:${loanId}`;

const t = (trx: Tx) => trx as unknown as BureauTx;

type Gated = {
  built: Built;
  loanId: string;
  customerId: string;
  status: RecordStatus;
  noticeKey: string | null;
  events: bigint[];
};

/** Decides pending or held for each record about to be written, sending the notices needed. */
export async function gateNegative<P extends Gated>(
  _services: Services,
  trx: Tx,
  records: readonly P[],
  now: Date,
): Promise<P[]> {
  if (records.length === 0) return [];
  const loanIds = [...new Set(records.map((r) => r.loanId))];
  const notices = new Map(
    (
      await t(trx)
        .selectFrom('bureau_notices')
        .select(['loan_id', 'notice_key', 'delivered_at'])
        .where('loan_id', 'in', loanIds)
        .execute()
    ).map((n) => [n.loan_id, n]),
  );
  // The loans whose first negative record this is: one notice each, enqueued as one batch.
  const firsts = new Map<string, P>();
  const firstAt = new Map<string, number>();
  records.forEach((record, index) => {
    if (record.built.negative && !notices.has(record.loanId) && !firsts.has(record.loanId)) {
      firsts.set(record.loanId, record);
      firstAt.set(record.loanId, index);
    }
  });
  if (firsts.size > 0) {
    const toNotify = [...firsts.values()];
    const sent = await enqueueNotifications(
      trx,
      toNotify.map((record) => {
        const performance = record.built.facts.performance;
        return {
          dedupeKey: noticeKeyOf(record.loanId),
          template: 'negative_report_notice' as const,
          customerId: record.customerId,
          variables: {
            loanNo: record.built.record.segments.AcctBsSgmt.AcctCode ?? '',
            amountMinor: String(performance.totalOverdueMinor),
            dueDate: addDays(performance.asOf, -performance.dpd),
          },
          now,
        };
      }),
    );
    const rows = toNotify.map((record, index) => ({
      loan_id: record.loanId,
      notice_key: noticeKeyOf(record.loanId),
      notification_id: sent[index]?.id ?? '',
      delivered_at: null,
    }));
    await t(trx)
      .insertInto('bureau_notices')
      .values(rows)
      .onConflict((c) => c.column('loan_id').doNothing())
      .execute();
    for (const row of rows) notices.set(row.loan_id, { ...row, delivered_at: null });
  }
  const out: P[] = [];
  for (const [index, record] of records.entries()) {
    const notice = notices.get(record.loanId);
    // Records before the loan's first negative one go as they are; it and every later one wait.
    if (notice === undefined || index < (firstAt.get(record.loanId) ?? 0)) out.push(record);
    else if (notice.delivered_at === null)
      out.push({ ...record, status: 'held_for_notice', noticeKey: notice.notice_key });
    else out.push({ ...record, noticeKey: record.built.negative ? notice.notice_key : null });
  }
  return out;
}

/** Releases a loan's held records once its notice is delivered; answers how many were released. */
export async function releaseLoan(trx: Tx, loanId: string): Promise<number> {
  const notice = await t(trx)
    .selectFrom('bureau_notices')
    .selectAll()
    .where('loan_id', '=', loanId)
    .forUpdate()
    .executeTakeFirst();
  if (notice === undefined) return 0;
  const message = await notificationByKey(trx, notice.notice_key);
  if (message === undefined || message.status !== 'delivered') return 0;
  const deliveredAt = message.deliveredAt ?? new Date(0);
  if (notice.delivered_at === null)
    await t(trx)
      .updateTable('bureau_notices')
      .set({ delivered_at: deliveredAt })
      .where('loan_id', '=', loanId)
      .execute();
  const released = await sql<{ id: string }>`
    UPDATE bureau_records SET status = 'pending',
      notice_delivery = ${JSON.stringify({ notificationId: message.id, deliveredAt: deliveredAt.toISOString() })}::jsonb
    WHERE loan_id = ${loanId}::uuid AND status = 'held_for_notice'
    RETURNING id`.execute(trx);
  return released.rows.length;
}

/** Every loan whose notice is still awaited, checked (the start of each generation). */
export async function releaseDeliveredNotices(services: Services): Promise<number> {
  const waiting = await t(services.db as unknown as Tx)
    .selectFrom('bureau_notices')
    .select('loan_id')
    .where('delivered_at', 'is', null)
    .execute();
  let released = 0;
  for (const { loan_id } of waiting)
    released += await services.db.transaction().execute((trx) => releaseLoan(trx, loan_id));
  return released;
}

/** notifications.delivered of a negative-information notice releases the loan's held records. */
export const noticeDeliveredConsumer: EventConsumer = {
  name: 'bureau.notice-delivered',
  events: ['notifications.delivered'],
  async handle(trx, event) {
    const key = (event.data as { dedupeKey?: unknown }).dedupeKey;
    if (typeof key !== 'string' || !key.startsWith('bureau-negative-notice:')) return;
    await releaseLoan(trx, key.slice('bureau-negative-notice:'.length));
  },
};
