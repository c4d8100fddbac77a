import type { Tx } from '../../platform/db.ts';
import type { EventConsumer, OutboxEvent } from '../../platform/outbox/event.ts';
import { repaidOverdue } from '../servicing/bureau-figures.ts';
import type { BureauTx, ReportEventKind } from './tables.ts';

// What the bureau hears, queued as report events for the next generation (T+1): a disbursement
// (10), a repayment that paid an overdue amount (40) or a partial prepayment (special transaction
// 4), a payoff (20, or 32 on a month end; special transaction 5 when before maturity), a waiver
// (special transaction 11), a write-off (special transaction 15). One event row per outbox event:
// a redelivery is a no-op.

type Data = Record<string, unknown>;

const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

async function queue(
  trx: Tx,
  event: OutboxEvent,
  kind: ReportEventKind,
  loanId: string,
  businessDate: string,
  facts: Record<string, string | boolean | null>,
): Promise<void> {
  await (trx as unknown as BureauTx)
    .insertInto('bureau_events')
    .values({
      event_id: event.id,
      loan_id: loanId,
      kind,
      business_date: businessDate,
      facts: JSON.stringify(facts),
      record_id: null,
      generated_on: null,
    })
    .onConflict((c) => c.column('event_id').doNothing())
    .execute();
}

export const reportEventsConsumer: EventConsumer = {
  name: 'bureau.report-events',
  events: [
    'loans.loan-disbursed',
    'servicing.repayment-received',
    'servicing.loan-paid-off',
    'servicing.waiver-applied',
    'servicing.loan-written-off',
  ],
  async handle(trx, event) {
    const data = event.data as Data;
    const loanId = str(data.loanId);
    if (loanId === null) return;
    switch (event.type) {
      case 'loans.loan-disbursed':
        await queue(trx, event, 'disbursed', loanId, str(data.disbursedOn) ?? event.businessDate, {});
        return;
      case 'servicing.repayment-received': {
        const businessDate = str(data.businessDate) ?? event.businessDate;
        if (data.kind === 'prepayment') {
          await queue(trx, event, 'prepayment', loanId, businessDate, {
            amountMinor: str(data.principalMinor) ?? '0',
            transactionId: str(data.transactionId),
          });
          return;
        }
        const transactionId = str(data.transactionId);
        if (data.kind === 'payoff' || transactionId === null) return;
        if (await repaidOverdue(trx, transactionId))
          await queue(trx, event, 'overdue_repaid', loanId, businessDate, {
            amountMinor: str(data.amountMinor) ?? '0',
            transactionId,
          });
        return;
      }
      case 'servicing.loan-paid-off':
        await queue(trx, event, 'paid_off', loanId, str(data.closedOn) ?? event.businessDate, {
          early: data.early === true,
          transactionId: str(data.transactionId),
        });
        return;
      case 'servicing.waiver-applied':
        await queue(trx, event, 'waiver', loanId, str(data.businessDate) ?? event.businessDate, {
          amountMinor: str(data.amountMinor) ?? '0',
          transactionId: str(data.transactionId),
        });
        return;
      case 'servicing.loan-written-off':
        await queue(trx, event, 'written_off', loanId, str(data.businessDate) ?? event.businessDate, {
          amountMinor: str(data.principalMinor) ?? '0',
        });
        return;
    }
  },
};
