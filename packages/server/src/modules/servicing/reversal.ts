import { randomUUID } from 'node:crypto';
import { localDate } from '@fenqi/core';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { publishEvent } from '../../platform/outbox/publish.ts';
import { reverseJournal } from '../ledger/service.ts';
import { mirrorOutstandingPrincipal } from '../loans/service.ts';
import {
  type Components,
  changesOf,
  isSettled,
  linesOfJson,
  restoredSegment,
  reversedSegment,
  rowAfter,
} from './allocation.ts';
import { refreshDelinquency } from './delinquency.ts';
import { postAccrued } from './postings.ts';
import { alreadyReversed, notReversible, reversalOutOfOrder } from './problems.ts';
import {
  findTransaction,
  insertTransaction,
  installmentsOf,
  laterTransactions,
  markReversed,
  updateAccount,
  updateInstallment,
} from './repayment-store.ts';
import { isOpen, lockedAccount, type Transaction, toTransaction } from './repayments.ts';
import type { ServicingTx } from './tables.ts';

// Reversal of a repayment (a chargeback, a bounced collection), recorded by operations with a
// reason: its journal entry is reversed whole (ledger reverseJournal), its allocation is taken back
// off the installments, and the loan is put where it would be had the payment never been made —
// installments unsettled (due again when their date has passed), delinquency recomputed on the
// last closed date (the loan may fall overdue again), and the penalty of every installment whose
// principal comes back recomputed from the payment on the restored base. A transaction is
// reversed at most once, and only the newest standing one of a loan: later repayments were
// allocated on the figures this one left, so they are reversed first. Payoffs, prepayments,
// credit applications and refunds are not reversible (they closed the loan or rewrote its
// schedule); nor is a repayment of a loan that has closed.

const reversibleKinds = new Set(['repayment', 'auto_debit', 'offline']);

const negated = (c: Components): Components => ({
  principal: -c.principal,
  interest: -c.interest,
  fee: -c.fee,
  penalty: -c.penalty,
});

export type Reversal = { reversal: Transaction; reversed: Transaction };

export async function reverseRepayment(
  trx: Tx,
  input: { transactionId: string; reason: string; actorId: string },
): Promise<Reversal> {
  const s = trx as unknown as ServicingTx;
  const found = await findTransaction(s, input.transactionId);
  if (found === undefined) throw new AppError('not_found', `There is no transaction ${input.transactionId}.`);
  const account = await lockedAccount(trx, found.loan_id);
  // Read again under the account's lock: a concurrent reversal of it has committed or not started.
  const original = await findTransaction(s, input.transactionId);
  if (original === undefined) throw new Error('a transaction disappeared');
  if (original.reversed_by !== null) throw alreadyReversed(original.id, original.reversed_by);
  if (!reversibleKinds.has(original.kind))
    throw notReversible(
      original.id,
      `a ${original.kind.replace(/_/g, ' ')} is not reversed (docs/servicing.md)`,
    );
  if (!isOpen(account))
    throw notReversible(original.id, `loan ${account.loan_no} is ${account.status.replace(/_/g, ' ')}`);
  const later = await laterTransactions(trx, account.loan_id, original.created_at, original.id);
  if (later > 0) throw reversalOutOfOrder(original.id, later);
  if (account.credit_balance < original.overpayment_minor)
    throw new Error(`loan ${account.loan_no}: the overpayment of a newest transaction was spent`);

  const businessDate = await getBusinessDate(trx);
  const id = randomUUID();
  const rows = await installmentsOf(s, account.loan_id);
  const taken = changesOf(linesOfJson(original.allocation));
  let penaltyAdded = 0n;
  for (const row of rows) {
    const back = taken.get(row.number);
    if (back === undefined) continue;
    const after = rowAfter(row, negated(back));
    const stored = original.penalty_segments.find((segment) => segment.number === row.number);
    const segment =
      back.principal === 0n
        ? undefined
        : stored !== undefined
          ? restoredSegment(account, row, stored)
          : reversedSegment(account, after);
    penaltyAdded += segment?.addedMinor ?? 0n;
    const status = isSettled(after) ? row.status : row.due_date <= account.closed_through ? 'due' : 'future';
    await updateInstallment(trx, account.loan_id, row.number, {
      principal_paid: after.principal_paid,
      interest_paid: after.interest_paid,
      fee_paid: after.fee_paid,
      penalty_paid: after.penalty_paid,
      status,
      settled_on: status === 'paid' ? row.settled_on : null,
      ...(segment === undefined
        ? {}
        : {
            penalty_from: segment.from,
            penalty_base: segment.base,
            penalty_days: segment.days,
            penalty_accrued: row.penalty_accrued + segment.addedMinor,
          }),
    });
  }
  if (original.entry_id === null) throw new Error(`transaction ${original.id} has no journal entry`);
  const entry = await reverseJournal(trx, original.entry_id, {
    idempotencyKey: `servicing:${id}`,
    description:
      `loan ${account.loan_no}: ${original.kind.replace(/_/g, ' ')} ${original.source_ref} reversed: ${input.reason}`.slice(
        0,
        500,
      ),
  });
  await postAccrued(trx, account, {
    key: `servicing:${id}:penalty`,
    sourceRef: `reversal:${original.id}`,
    accrued: { interest: 0n, penalty: penaltyAdded, fee: 0n },
    why: `penalty since ${localDate(original.business_date)} on the principal the reversal restored`,
  });
  const reversal = await insertTransaction(trx, {
    id,
    loan_id: account.loan_id,
    customer_id: account.customer_id,
    kind: 'reversal',
    source_ref: `reversal:${original.id}`,
    amount_minor: original.amount_minor,
    principal_minor: original.principal_minor,
    interest_minor: original.interest_minor,
    fee_minor: original.fee_minor,
    penalty_minor: original.penalty_minor,
    prepayment_fee_minor: original.prepayment_fee_minor,
    overpayment_minor: original.overpayment_minor,
    allocation: JSON.stringify(original.allocation),
    channel: original.channel,
    entry_id: entry.id,
    reverses: original.id,
    reason: input.reason,
    business_date: businessDate,
  });
  await markReversed(trx, original.id, id);
  let after = await updateAccount(trx, account.loan_id, {
    principal_outstanding: account.principal_outstanding + original.principal_minor,
    credit_balance: account.credit_balance - original.overpayment_minor,
  });
  if (original.principal_minor > 0n)
    await mirrorOutstandingPrincipal(trx, account.loan_id, after.principal_outstanding);
  after = await refreshDelinquency(trx, after, await installmentsOf(s, account.loan_id), {
    cause: 'reversal',
    businessDate,
    sourceRef: `reversal:${original.id}`,
    closing: false,
  });
  await publishEvent(trx, {
    type: 'servicing.repayment-reversed',
    subject: { type: 'loan', id: account.loan_id },
    payload: {
      transactionId: id,
      reversedTransactionId: original.id,
      loanId: account.loan_id,
      loanNo: account.loan_no,
      customerId: account.customer_id,
      amountMinor: String(original.amount_minor),
      principalMinor: String(original.principal_minor),
      penaltyRecomputedMinor: String(penaltyAdded),
      reason: input.reason,
      reversedBy: input.actorId,
      businessDate,
    },
  });
  return { reversal: toTransaction(reversal), reversed: toTransaction({ ...original, reversed_by: id }) };
}
