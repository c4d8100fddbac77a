import { randomUUID } from 'node:crypto';
import { allocatePayment } from '@fenqi/core';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { Config } from '../../platform/config.ts';
import type { Tx } from '../../platform/db.ts';
import type { DateString } from '../../platform/tables.ts';
import { payoutCardOf } from '../customers/service.ts';
import { activeAgreementsOf, createPaymentOrder } from '../payments/service.ts';
import { type InstallmentRow, payableNow, smaller, totalOf, unpaidOf } from './allocation.ts';
import { cardNotBound, checkedAmount, creditBalanceInsufficient, loanNotRepayable } from './problems.ts';
import {
  creditAccountsOwing,
  insertTransaction,
  lockAccount,
  markReversed,
  transactionBySource,
  updateAccount,
} from './repayment-store.ts';
import {
  allocationOrderOf,
  bookPenaltyToToday,
  earlierTransaction,
  settle,
  type Transaction,
  toTransaction,
} from './repayments.ts';
import type { ServicingTx } from './tables.ts';

// The borrower's credit balance (溢缴款, 2241): what a repayment brought beyond what the loan owed
// then. Close of business applies it to installments as they fall due (applyCreditBalances, called
// for the accounts with a credit balance whose installment fell due that day); the borrower, or
// operations for them, can have it paid back to the borrower's own bound card instead
// (refundCreditBalance: a payout order of purpose overpayment_return; payments books Dr 2241 Cr
// clearing when it succeeds). The balance is held for the payout the moment it is ordered, and
// comes back if the payout fails or bounces.

const t = (trx: Tx) => trx as unknown as ServicingTx;

function dueRows(rows: readonly InstallmentRow[]): InstallmentRow[] {
  return rows.filter((row) => row.status === 'due');
}

/**
 * Applies each given account's credit balance to what is due on it (all accounts with one, when
 * `loanIds` is null), by the product's waterfall: Dr 2241, Cr the receivables. Close of business
 * calls it on `date` after closing the accounts; applying on one date twice changes nothing.
 */
export async function applyCreditBalances(
  trx: Tx,
  date: DateString,
  loanIds: readonly string[] | null = null,
): Promise<{ loans: number; appliedMinor: bigint }> {
  let loans = 0;
  let appliedMinor = 0n;
  for (const loanId of await creditAccountsOwing(trx, loanIds)) {
    const account = await lockAccount(trx, loanId);
    if (account === undefined || account.credit_balance === 0n) continue;
    const sourceRef = `loan:${loanId}/credit-applied/${date}`;
    if (await transactionBySource(t(trx), sourceRef)) continue;
    const rows = await bookPenaltyToToday(trx, account, sourceRef);
    const due = dueRows(rows);
    const owed = due.reduce((sum, row) => sum + totalOf(unpaidOf(row)), 0n);
    const amount = smaller(account.credit_balance, owed);
    if (amount === 0n) continue;
    const allocation = allocatePayment(
      amount,
      payableNow({ ...account, cur_number: null }, due),
      await allocationOrderOf(trx, account),
    );
    if (!allocation.ok || allocation.value.unallocatedMinor !== 0n)
      throw new Error('credit applied beyond what is due');
    await settle(trx, account, rows, {
      kind: 'credit_applied',
      sourceRef,
      amountMinor: amount,
      source: '2241',
      channel: null,
      reason: null,
      lines: allocation.value.lines,
      overpayment: 0n,
      creditUsed: amount,
    });
    loans += 1;
    appliedMinor += amount;
  }
  return { loans, appliedMinor };
}

export type CreditRefund = { transaction: Transaction; paymentOrderNo: string };

/**
 * Pays `amountMinor` of the credit balance (all of it when absent) back to the borrower's bound
 * card: the payout order is created in the caller's transaction and the balance held for it.
 */
export async function refundCreditBalance(
  trx: Tx,
  config: Config,
  input: {
    loanId: string;
    amountMinor?: bigint | string | undefined;
    agreementId?: string | undefined;
    requestRef: string;
  },
): Promise<CreditRefund> {
  const account = await lockAccount(trx, input.loanId);
  if (account === undefined) throw loanNotRepayable(input.loanId, 'not disbursed');
  const amountMinor = checkedAmount(
    input.amountMinor ?? (account.credit_balance > 0n ? account.credit_balance : 0n),
  );
  if (amountMinor > account.credit_balance)
    throw creditBalanceInsufficient(account.credit_balance, amountMinor);
  const agreements = await activeAgreementsOf(trx, account.customer_id);
  const agreement =
    input.agreementId === undefined ? agreements[0] : agreements.find((a) => a.id === input.agreementId);
  if (agreement === undefined) throw cardNotBound();
  const orderSource = `loan:${account.loan_id}/overpayment-return/${input.requestRef}`;
  const card = await payoutCardOf(trx, config, {
    customerId: account.customer_id,
    cardId: agreement.cardId,
    sourceRef: orderSource,
  });
  const { order } = await createPaymentOrder(trx, config, {
    channel: agreement.channel,
    purpose: 'overpayment_return',
    amountMinor,
    currency: 'CNY',
    sourceRef: orderSource,
    loanId: account.loan_id,
    customerId: account.customer_id,
    counterpart: { kind: 'payout', accountName: card.accountName, accountNo: card.accountNo },
  });
  const sourceRef = `payment-order:${order.orderNo}`;
  const earlier = await earlierTransaction(trx, { sourceRef, loanId: account.loan_id, amountMinor });
  if (earlier) return { transaction: earlier.transaction, paymentOrderNo: order.orderNo };
  await updateAccount(trx, account.loan_id, { credit_balance: account.credit_balance - amountMinor });
  const row = await insertTransaction(trx, {
    id: randomUUID(),
    loan_id: account.loan_id,
    customer_id: account.customer_id,
    kind: 'overpayment_refund',
    source_ref: sourceRef,
    amount_minor: amountMinor,
    channel: agreement.channel,
    entry_id: null,
    reverses: null,
    reason: 'credit balance paid back to the borrower’s card',
    business_date: await getBusinessDate(trx),
  });
  return { transaction: toTransaction(row), paymentOrderNo: order.orderNo };
}

/** The payout of a refund failed or bounced: the credit balance is the borrower's again. */
export async function refundFailed(trx: Tx, orderNo: string, why: string): Promise<void> {
  const refund = await transactionBySource(t(trx), `payment-order:${orderNo}`);
  if (refund === undefined || refund.kind !== 'overpayment_refund' || refund.reversed_by !== null) return;
  const account = await lockAccount(trx, refund.loan_id);
  if (account === undefined) throw new Error(`refund ${refund.id} names a missing account`);
  await updateAccount(trx, account.loan_id, { credit_balance: account.credit_balance + refund.amount_minor });
  const reversal = await insertTransaction(trx, {
    id: randomUUID(),
    loan_id: account.loan_id,
    customer_id: account.customer_id,
    kind: 'reversal',
    source_ref: `reversal:${refund.id}`,
    amount_minor: refund.amount_minor,
    channel: refund.channel,
    entry_id: null,
    reverses: refund.id,
    reason: why.slice(0, 500),
    business_date: await getBusinessDate(trx),
  });
  await markReversed(trx, refund.id, reversal.id);
}
