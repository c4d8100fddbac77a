import { localDate } from '@fenqi/core';
import { getBusinessDate } from '../../platform/business-date.ts';
import { AppError } from '../../platform/errors.ts';
import type { EventConsumer } from '../../platform/outbox/event.ts';
import { activeAgreementsOf, createPaymentOrder } from '../payments/service.ts';
import { dueNow, totalOf, withPenaltyTo } from './allocation.ts';
import { installmentsOf } from './repayment-store.ts';
import { isOpen, lockedAccount } from './repayments.ts';
import type { ServicingTx } from './tables.ts';

// Auto-debit (代扣): when close of business makes an installment due it announces it
// (servicing.installment-due), and this consumer asks the channel to debit the borrower's card
// agreement for what is still due when it runs — not the figure in the event: the borrower may
// have paid in between, or a credit balance was applied. Nothing due, a closed loan or no active
// agreement: nothing is collected. The order's source names the installment, so a repeated event
// finds the live order instead of collecting twice; what it collects is applied as an auto_debit
// repayment by the repayment-outcome consumer (collect.ts).

type InstallmentDue = { loanId?: string; number?: number; dueDate?: string };

export const autoDebitConsumer: EventConsumer = {
  name: 'servicing.auto-debit',
  events: ['servicing.installment-due'],
  async handle(trx, event, services) {
    const facts = event.data as InstallmentDue;
    if (
      typeof facts.loanId !== 'string' ||
      typeof facts.number !== 'number' ||
      typeof facts.dueDate !== 'string'
    )
      return;
    const account = await lockedAccount(trx, facts.loanId).catch((error: unknown) => {
      if (error instanceof AppError) return undefined;
      throw error;
    });
    if (account === undefined || !isOpen(account)) return;
    const rows = await installmentsOf(trx as unknown as ServicingTx, account.loan_id);
    const owed = totalOf(dueNow(withPenaltyTo(account, rows, localDate(await getBusinessDate(trx)))));
    if (owed === 0n) return;
    const [agreement] = await activeAgreementsOf(trx, account.customer_id);
    if (agreement === undefined) return;
    try {
      await createPaymentOrder(trx, services.config, {
        channel: agreement.channel,
        purpose: 'repayment',
        amountMinor: owed,
        currency: 'CNY',
        sourceRef: `loan:${account.loan_id}/auto-debit/${facts.dueDate}/${facts.number}`,
        loanId: account.loan_id,
        customerId: account.customer_id,
        counterpart: { kind: 'collect', agreementId: agreement.id },
      });
    } catch (error) {
      // A live order already collects this installment (for another amount): it stands.
      if (!(error instanceof AppError && error.code === 'payment_order_exists')) throw error;
    }
  },
};
