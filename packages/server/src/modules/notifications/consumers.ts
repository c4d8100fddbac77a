import { addDays, parseLocalDate } from '@fenqi/core';
import type { Tx } from '../../platform/db.ts';
import type { EventConsumer, JsonValue, OutboxEvent } from '../../platform/outbox/event.ts';
import { wallClock } from '../../platform/services.ts';
import { loanForStaff } from '../loans/service.ts';
import { enqueueNotification } from './messages.ts';
import type { NotificationTemplate } from './tables.ts';

// The borrower's messages about their loan, from the servicing and loans events. Each message's
// dedupe key is `<template>:<event id>` (or, for overdue, the loan's overdue spell and bucket), so
// an event delivered twice, or republished, makes one message. The phone is the customer's own,
// looked up at dispatch. Variables come from the event payloads (modules/servicing/day-close.ts,
// repayments.ts, delinquency.ts; modules/loans/disbursement.ts).

function text(event: OutboxEvent, key: string): string {
  const value: JsonValue | undefined = event.data[key];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  throw new Error(`${event.type} ${event.id}: payload field ${key} is missing or not text`);
}

async function enqueue(
  trx: Tx,
  event: OutboxEvent,
  now: Date,
  template: NotificationTemplate,
  variables: Record<string, string>,
  dedupeKey = `${template}:${event.id}`,
): Promise<void> {
  await enqueueNotification(trx, {
    dedupeKey,
    template,
    customerId: text(event, 'customerId'),
    variables,
    now,
  });
}

/** servicing.installment-due-soon (due in three days) and -due-today: the reminder SMS. */
export const dueReminderConsumer: EventConsumer = {
  name: 'notifications.due-reminder',
  events: ['servicing.installment-due-soon', 'servicing.installment-due-today'],
  async handle(trx, event, services) {
    await enqueue(
      trx,
      event,
      wallClock(services),
      event.type === 'servicing.installment-due-today' ? 'due_today' : 'due_soon',
      {
        number: text(event, 'number'),
        amountMinor: text(event, 'unpaidMinor'),
        dueDate: text(event, 'dueDate'),
      },
    );
  },
};

/**
 * servicing.loan-overdue is published when a loan falls overdue and when it changes bucket (M1,
 * M2, …), not every day; one message per overdue spell (its oldest unpaid due date) and bucket,
 * however often the event comes.
 */
export const overdueConsumer: EventConsumer = {
  name: 'notifications.overdue',
  events: ['servicing.loan-overdue'],
  async handle(trx, event, services) {
    const dpd = Number(text(event, 'dpd'));
    const closed = parseLocalDate(text(event, 'businessDate'));
    if (closed === undefined || !Number.isInteger(dpd) || dpd < 1)
      throw new Error(`${event.type} ${event.id}: dpd and businessDate are not a day overdue`);
    const overdueSince = addDays(closed, -dpd);
    await enqueue(
      trx,
      event,
      wallClock(services),
      'overdue',
      { dpd: String(dpd), overdueSince },
      `overdue:${text(event, 'loanId')}:${overdueSince}:${text(event, 'bucket')}`,
    );
  },
};

/** servicing.repayment-received: the receipt SMS for money the borrower paid. */
export const repaymentReceivedConsumer: EventConsumer = {
  name: 'notifications.repayment-received',
  events: ['servicing.repayment-received'],
  async handle(trx, event, services) {
    await enqueue(trx, event, wallClock(services), 'repayment_received', {
      loanNo: text(event, 'loanNo'),
      amountMinor: text(event, 'amountMinor'),
      receivedOn: text(event, 'businessDate'),
    });
  },
};

/** servicing.loan-paid-off: the loan is settled (结清). */
export const paidOffConsumer: EventConsumer = {
  name: 'notifications.paid-off',
  events: ['servicing.loan-paid-off'],
  async handle(trx, event, services) {
    await enqueue(trx, event, wallClock(services), 'paid_off', {
      loanNo: text(event, 'loanNo'),
      closedOn: text(event, 'closedOn'),
    });
  },
};

/**
 * The loans module publishes no event when a contract is signed: the borrower signs at checkout
 * and the contract takes effect when the loan is disbursed (loans.loan-disbursed), so that is when
 * the contract message goes. Its payload has no customer: the loan is read for it.
 */
export const contractSignedConsumer: EventConsumer = {
  name: 'notifications.contract-signed',
  events: ['loans.loan-disbursed'],
  async handle(trx, event, services) {
    const loan = await loanForStaff(trx, text(event, 'loanId'));
    await enqueueNotification(trx, {
      dedupeKey: `contract_signed:${loan.id}`,
      template: 'contract_signed',
      customerId: loan.customerId,
      variables: {
        contractNo: loan.contractNo,
        amountMinor: String(loan.principalMinor),
        termCount: String(loan.termCount),
      },
      now: wallClock(services),
    });
  },
};

export const notificationConsumers: readonly EventConsumer[] = [
  dueReminderConsumer,
  overdueConsumer,
  repaymentReceivedConsumer,
  paidOffConsumer,
  contractSignedConsumer,
];
