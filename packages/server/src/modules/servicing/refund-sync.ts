import { getBusinessDate } from '../../platform/business-date.ts';
import type { EventConsumer } from '../../platform/outbox/event.ts';
import { loanStateById } from '../loans/service.ts';
import { lockAccount, updateAccount } from './repayment-store.ts';
import { isOpen } from './repayments.ts';

// A merchant's refund (loans/refunds.ts) can close a loan the loans module owns without servicing:
// a full refund in the cooling-off days cancels it, a full refund with nothing left owed pays it
// off. Its servicing account must close with it, or close of business would go on accruing a loan
// that no longer exists (and fail moving a cancelled loan to overdue). The refund's own entry
// settled the principal; nothing is posted here. A partial refund, which gives the loan a new
// schedule version, is not followed yet (docs/servicing.md, "Open points").

export const loanRefundedConsumer: EventConsumer = {
  name: 'servicing.loan-refunded',
  events: ['loans.order-refunded'],
  async handle(trx, event) {
    const loanId = (event.data as { loanId?: unknown }).loanId;
    if (typeof loanId !== 'string') return;
    const account = await lockAccount(trx, loanId);
    if (account === undefined || !isOpen(account)) return;
    const state = await loanStateById(trx, loanId);
    if (state !== 'cancelled' && state !== 'paid_off') return;
    await updateAccount(trx, loanId, {
      status: 'paid_off',
      closed_on: await getBusinessDate(trx),
      principal_outstanding: 0n,
      cur_number: null,
      cur_period_start: null,
      cur_due_date: null,
      cur_interest: null,
      acc_num: null,
      acc_den: null,
      acc_days: null,
      oldest_unpaid_due: null,
      dpd: 0,
      bucket: 'M0',
    });
  },
};
