import type { Tx } from '../../platform/db.ts';
import type { EventConsumer, OutboxEvent } from '../../platform/outbox/event.ts';
import { overdueFiguresOf } from '../servicing/collections-figures.ts';
import {
  breakLapsedPromises,
  closeCase,
  ct,
  openCaseOfLoan,
  openOrUpdateCase,
  refreshFigures,
} from './cases.ts';
import { applyRepaymentToPromise } from './promises.ts';

// Collections follows servicing's events. Each consumer is idempotent by event id (a replayed
// delivery changes nothing) and reads the loan's figures from servicing rather than trusting the
// event's copy, so an event delivered late acts on the loan as it is.

/** Whether the event was applied before; records it when not. */
async function firstTime(trx: Tx, event: OutboxEvent): Promise<boolean> {
  const inserted = await ct(trx)
    .insertInto('collections_processed_events')
    .values({ event_id: event.id })
    .onConflict((oc) => oc.column('event_id').doNothing())
    .returning('event_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

const loanIdOf = (event: OutboxEvent) => String(event.data.loanId);
const dateOf = (event: OutboxEvent) => String(event.data.businessDate ?? event.businessDate);

export const loanOverdueConsumer: EventConsumer = {
  name: 'collections.loan-overdue',
  events: ['servicing.loan-overdue'],
  handle: async (trx, event, services) => {
    if (!(await firstTime(trx, event))) return;
    const figures = await overdueFiguresOf(trx, loanIdOf(event));
    if (figures === undefined || figures.status !== 'overdue') return;
    await breakLapsedPromises(trx, dateOf(event), figures.loanId);
    await openOrUpdateCase(trx, services.config, figures, dateOf(event));
  },
};

export const repaymentConsumer: EventConsumer = {
  name: 'collections.repayment-received',
  events: ['servicing.repayment-received'],
  handle: async (trx, event) => {
    if (!(await firstTime(trx, event))) return;
    const row = await openCaseOfLoan(trx, loanIdOf(event));
    if (row === undefined) return;
    const figures = await overdueFiguresOf(trx, row.loan_id);
    if (figures === undefined) return;
    const sourceRef = `servicing-transaction:${String(event.data.transactionId)}`;
    await applyRepaymentToPromise(trx, row.id, {
      amountMinor: BigInt(String(event.data.amountMinor ?? '0')),
      businessDate: dateOf(event),
      sourceRef,
    });
    const refreshed = await refreshFigures(
      trx,
      await ct(trx)
        .selectFrom('collections_cases')
        .selectAll()
        .where('id', '=', row.id)
        .executeTakeFirstOrThrow(),
      figures,
    );
    if (figures.status === 'active' || figures.status === 'paid_off')
      await closeCase(trx, refreshed, figures.status === 'active' ? 'current' : 'paid_off', {
        sourceRef,
        businessDate: dateOf(event),
      });
  },
};

export const paidOffConsumer: EventConsumer = {
  name: 'collections.loan-paid-off',
  events: ['servicing.loan-paid-off'],
  handle: async (trx, event) => {
    if (!(await firstTime(trx, event))) return;
    const row = await openCaseOfLoan(trx, loanIdOf(event));
    if (row === undefined) return;
    await closeCase(trx, row, 'paid_off', {
      sourceRef: `loan:${row.loan_id}:paid-off`,
      businessDate: String(event.data.closedOn ?? event.businessDate),
    });
  },
};

export const writtenOffConsumer: EventConsumer = {
  name: 'collections.loan-written-off',
  events: ['servicing.loan-written-off'],
  handle: async (trx, event) => {
    if (!(await firstTime(trx, event))) return;
    const row = await openCaseOfLoan(trx, loanIdOf(event));
    if (row === undefined) return;
    await closeCase(trx, row, 'written_off', {
      sourceRef: `loan:${row.loan_id}:written-off`,
      businessDate: dateOf(event),
    });
  },
};

export const collectionsConsumers = [
  loanOverdueConsumer,
  repaymentConsumer,
  paidOffConsumer,
  writtenOffConsumer,
];
