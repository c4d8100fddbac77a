import { randomUUID } from 'node:crypto';
import { type AllocationLine, type AllocationOrder, allocatePayment, localDate } from '@fenqi/core';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { publishEvent } from '../../platform/outbox/publish.ts';
import { findLine, restore } from '../credit/service.ts';
import { loanStateById, mirrorOutstandingPrincipal } from '../loans/service.ts';
import { productVersionById } from '../products/service.ts';
import {
  type AccountRow,
  allocationJson,
  changesOf,
  componentsOfLines,
  type InstallmentRow,
  isSettled,
  payableNow,
  penaltySegmentTo,
  restartedSegment,
  rowAfter,
  segmentBefore,
} from './allocation.ts';
import { catchUpAccount } from './catch-up.ts';
import { closePaidOff, nothingOwed, refreshDelinquency } from './delinquency.ts';
import { type MoneySource, postAccrued, postRepayment } from './postings.ts';
import { checkedAmount, loanNotRepayable, sourceConflict } from './problems.ts';
import {
  findAccount,
  insertTransaction,
  installmentsOf,
  lockAccount,
  type TransactionRow,
  transactionBySource,
  updateAccount,
  updateInstallment,
} from './repayment-store.ts';
import type { PenaltySegmentJson, ServicingTx, TransactionKind } from './tables.ts';
import { type StaffTransaction, staffTransaction } from './views.ts';

// The repayment engine (docs/servicing.md). Every way money reaches a loan — a collection the
// borrower asked for, an auto-debit, an offline transfer, a payoff, a partial prepayment, a credit
// balance applied — ends in `settle`, in the caller's transaction and under the account's row lock
// (after inline catch-up, so the figures are today's):
//   1. the allocation: the product's waterfall (core allocatePayment with the version's
//      allocationOrder) over the due installments, oldest first, then the current one in full;
//      what is left is the borrower's credit balance (2241);
//   2. the rows: paid columns, installments settled, penalty segments restarted on the new base,
//      principal outstanding, the transaction (UNIQUE source_ref: a repeated notice of one payment
//      finds the first and changes nothing);
//   3. the journal (postings.ts), the credit line restored by the principal repaid (a revolving
//      line gets it back as available; a non-revolving one counts it repaid), the loan's principal;
//   4. delinquency refreshed (cured when nothing is unpaid past the grace days) and, when nothing
//      is owed any more, the account and the loan paid off;
//   5. servicing.repayment-received.

export type RepaymentKind = 'repayment' | 'auto_debit' | 'offline';

export type RepaymentInput = {
  loanId: string;
  amountMinor: bigint;
  kind: RepaymentKind;
  /** The payment: `payment-order:<orderNo>`, `offline:<bank reference>`. */
  sourceRef: string;
  /** The payment channel, or `offline`. */
  channel?: string | null | undefined;
  reason?: string | null | undefined;
  /**
   * Money that has arrived already (a succeeded collection, a transfer in the bank): on a loan that
   * closed meanwhile it is kept as a credit balance to refund, never refused. A request for money
   * not yet collected is refused on a closed loan instead (loan_not_repayable).
   */
  collected?: boolean | undefined;
};

/** A transaction as the repayment routes answer it: the staff view (views.ts) with its loan. */
export type Transaction = Omit<StaffTransaction, 'reversed'> & { loanId: string };

export type Applied = { transaction: Transaction; created: boolean };

export function toTransaction(row: TransactionRow): Transaction {
  const { reversed: _reversed, ...view } = staffTransaction(row);
  return { ...view, loanId: row.loan_id };
}

const t = (trx: Tx) => trx as unknown as ServicingTx;

/**
 * The account brought up to date and locked; a loan without one (not disbursed) takes no
 * repayment. A loan the loans module closed while its account is open (a refund cancelled it or
 * repaid it in full) is seen as closed: `status` is the loan's, so money arriving for it is held
 * as credit and a request for it is refused.
 */
export async function lockedAccount(trx: Tx, loanId: string): Promise<AccountRow> {
  const exists = await catchUpAccount(trx, loanId);
  const account = exists ? await lockAccount(trx, loanId) : undefined;
  const state = await loanStateById(trx, loanId);
  if (account === undefined) throw loanNotRepayable(loanId, state);
  if (state === 'active' || state === 'overdue') return account;
  return {
    ...account,
    status: state === 'written_off' ? 'written_off' : 'paid_off',
    closedAs: state,
  } as AccountRow;
}

export function isOpen(account: AccountRow): boolean {
  return account.status === 'active' || account.status === 'overdue';
}

/** The state to name when an account takes no repayment (the loan's, when the loans module closed it). */
export function closedStateOf(account: AccountRow): string {
  return (account as AccountRow & { closedAs?: string }).closedAs ?? account.status;
}

/** An open account read without a lock (quotes), or loan_not_repayable. */
export async function openAccountOf(db: DB | Tx, loanId: string): Promise<AccountRow> {
  const account = await findAccount(db as unknown as ServicingTx, loanId);
  const state = await loanStateById(db, loanId);
  if (account === undefined) throw loanNotRepayable(loanId, state);
  if (!isOpen(account)) throw loanNotRepayable(loanId, account.status);
  if (state !== 'active' && state !== 'overdue') throw loanNotRepayable(loanId, state);
  return account;
}

export async function allocationOrderOf(trx: Tx, account: AccountRow): Promise<AllocationOrder> {
  return (await productVersionById(trx, account.product_version_id)).product.allocationOrder;
}

/** A repeated payment: the same source for the same loan and amount answers the first transaction. */
export async function earlierTransaction(
  trx: Tx,
  input: { sourceRef: string; loanId: string; amountMinor: bigint },
): Promise<Applied | undefined> {
  const earlier = await transactionBySource(t(trx), input.sourceRef);
  if (earlier === undefined) return undefined;
  if (earlier.loan_id !== input.loanId || earlier.amount_minor !== input.amountMinor)
    throw sourceConflict(input.sourceRef);
  return { transaction: toTransaction(earlier), created: false };
}

export async function applyRepayment(trx: Tx, input: RepaymentInput): Promise<Applied> {
  const amountMinor = checkedAmount(input.amountMinor);
  const account = await lockedAccount(trx, input.loanId);
  const earlier = await earlierTransaction(trx, { ...input, amountMinor });
  if (earlier) return earlier;
  const source: MoneySource = input.kind === 'offline' ? '1002.01' : '2242';
  const base = {
    kind: input.kind,
    sourceRef: input.sourceRef,
    amountMinor,
    source,
    channel: input.channel ?? null,
    reason: input.reason ?? null,
  };
  if (!isOpen(account)) {
    if (!input.collected) throw loanNotRepayable(input.loanId, closedStateOf(account));
    // Money already in hand for a loan that closed meanwhile: all of it is the borrower's credit.
    return {
      transaction: await settle(trx, account, [], { ...base, lines: [], overpayment: amountMinor }),
      created: true,
    };
  }
  const rows = await bookPenaltyToToday(trx, account, input.sourceRef);
  const allocation = allocatePayment(
    amountMinor,
    payableNow(account, rows),
    await allocationOrderOf(trx, account),
  );
  if (!allocation.ok)
    throw new Error(`allocation of loan ${account.loan_no}: ${allocation.issues[0]?.message}`);
  const settled = await settle(trx, account, rows, {
    ...base,
    lines: allocation.value.lines,
    overpayment: allocation.value.unallocatedMinor,
  });
  return { transaction: settled, created: true };
}

/**
 * Penalty runs to the day of payment (实际还款日 − 应还款日 days, as the payoff quote counts it),
 * but close of business has accrued it only through the last closed date: today's part of every
 * overdue installment is booked first (a penalty accrual entry), its segment brought to today, so
 * the money pays it and the segment a payment restarts begins today. Answers the installments as
 * they are now. Called again the same day, it finds nothing left to book.
 */
export async function bookPenaltyToToday(
  trx: Tx,
  account: AccountRow,
  sourceRef: string,
): Promise<InstallmentRow[]> {
  const today = await getBusinessDate(trx);
  const rows = await installmentsOf(t(trx), account.loan_id);
  let added = 0n;
  const booked: InstallmentRow[] = [];
  for (const row of rows) {
    const segment = penaltySegmentTo(account, row, localDate(today));
    if (segment === undefined || (row.penalty_from !== null && segment.days <= row.penalty_days)) {
      booked.push(row);
      continue;
    }
    const patch = {
      penalty_from: segment.from,
      penalty_base: segment.base,
      penalty_days: segment.days,
      penalty_accrued: row.penalty_accrued + segment.addedMinor,
    };
    await updateInstallment(trx, account.loan_id, row.number, patch);
    booked.push({ ...row, ...patch });
    added += segment.addedMinor;
  }
  if (added > 0n) {
    await postAccrued(trx, account, {
      key: `servicing:penalty-to-day:${account.loan_id}:${today}:${sourceRef}`,
      sourceRef,
      accrued: { interest: 0n, penalty: added, fee: 0n },
      why: `penalty to ${today}, the day of payment`,
    });
  }
  return booked;
}

export type Plan = {
  kind: TransactionKind;
  sourceRef: string;
  amountMinor: bigint;
  source: MoneySource;
  channel: string | null;
  reason: string | null;
  /** The allocation over installments. */
  lines: readonly AllocationLine[];
  /** Principal repaid outside the installments (a partial prepayment). */
  prepaidPrincipal?: bigint;
  prepaymentFee?: bigint;
  /** Left over: the borrower's credit balance grows by it. */
  overpayment: bigint;
  /** Credit balance used (a credit balance applied). */
  creditUsed?: bigint;
  /** Whether closing the loan now is a payoff before its schedule ends. */
  early?: boolean;
};

/** Applies a plan to a locked account: rows, transaction, journal, line, delinquency, closure, event. */
export async function settle(
  trx: Tx,
  account: AccountRow,
  rows: readonly InstallmentRow[],
  plan: Plan,
): Promise<Transaction> {
  const businessDate = await getBusinessDate(trx);
  const changes = changesOf(plan.lines);
  const segmentsBefore: PenaltySegmentJson[] = [];
  for (const row of rows) {
    const paid = changes.get(row.number);
    if (paid === undefined) continue;
    const after = rowAfter(row, paid);
    const before = paid.principal === 0n ? undefined : segmentBefore(account, row);
    if (before !== undefined) segmentsBefore.push(before);
    const segment = paid.principal === 0n ? {} : restartedSegment(after, businessDate);
    const settledNow = isSettled(after);
    await updateInstallment(trx, account.loan_id, row.number, {
      principal_paid: after.principal_paid,
      interest_paid: after.interest_paid,
      fee_paid: after.fee_paid,
      penalty_paid: after.penalty_paid,
      ...segment,
      ...(settledNow ? { status: 'paid', settled_on: row.settled_on ?? businessDate } : {}),
    });
  }
  const allocated = componentsOfLines(plan.lines);
  const principal = allocated.principal + (plan.prepaidPrincipal ?? 0n);
  const prepaymentFee = plan.prepaymentFee ?? 0n;
  const creditUsed = plan.creditUsed ?? 0n;
  const id = randomUUID();
  const money = { ...allocated, principal, prepaymentFee, overpayment: plan.overpayment };
  const entryId = await postRepayment(trx, account, {
    transactionId: id,
    kind: plan.kind,
    source: plan.source,
    money,
    sourceRef: plan.sourceRef,
  });
  const transaction = await insertTransaction(trx, {
    id,
    loan_id: account.loan_id,
    customer_id: account.customer_id,
    kind: plan.kind,
    source_ref: plan.sourceRef,
    amount_minor: plan.amountMinor,
    principal_minor: principal,
    interest_minor: allocated.interest,
    fee_minor: allocated.fee,
    penalty_minor: allocated.penalty,
    prepayment_fee_minor: prepaymentFee,
    overpayment_minor: plan.overpayment,
    allocation: JSON.stringify(allocationJson(plan.lines)),
    penalty_segments: JSON.stringify(segmentsBefore),
    channel: plan.channel,
    entry_id: entryId,
    reverses: null,
    reason: plan.reason,
    business_date: businessDate,
  });
  let after = await updateAccount(trx, account.loan_id, {
    principal_outstanding: account.principal_outstanding - principal,
    credit_balance: account.credit_balance + plan.overpayment - creditUsed,
  });
  if (principal > 0n) {
    // The lock order of every change to a loan: its servicing account, its loan row, its line.
    await mirrorOutstandingPrincipal(trx, account.loan_id, after.principal_outstanding);
    await restoreLine(trx, account, principal, id);
  }
  if (isOpen(account)) {
    const now = await installmentsOf(t(trx), account.loan_id);
    const closing = nothingOwed(after, now);
    after = await refreshDelinquency(trx, after, now, {
      cause: 'repayment',
      businessDate,
      sourceRef: plan.sourceRef,
      closing,
    });
    if (closing) {
      after = await closePaidOff(trx, after, {
        transactionId: id,
        businessDate,
        sourceRef: plan.sourceRef,
        early: plan.early ?? false,
      });
    }
  }
  const view = toTransaction(transaction);
  await publishEvent(trx, {
    type: 'servicing.repayment-received',
    subject: { type: 'loan', id: account.loan_id },
    payload: {
      transactionId: id,
      loanId: account.loan_id,
      loanNo: account.loan_no,
      customerId: account.customer_id,
      kind: plan.kind,
      sourceRef: plan.sourceRef,
      amountMinor: String(plan.amountMinor),
      principalMinor: String(principal),
      interestMinor: String(allocated.interest),
      feeMinor: String(allocated.fee),
      penaltyMinor: String(allocated.penalty),
      prepaymentFeeMinor: String(prepaymentFee),
      overpaymentMinor: String(plan.overpayment),
      creditBalanceMinor: String(after.credit_balance),
      // Where the payment left the loan (collections closes a case when it is current; the
      // bureau reports an overdue amount repaid, code 40).
      statusBefore: account.status,
      status: after.status,
      dpd: after.dpd,
      bucket: after.bucket,
      businessDate,
    },
  });
  return view;
}

/**
 * Principal repaid goes back to the loan's line (credit decides what that means for a revolving or
 * a non-revolving line). Never more than the line has outstanding: a financed up-front fee is
 * principal the line never lent.
 */
async function restoreLine(
  trx: Tx,
  account: AccountRow,
  principal: bigint,
  transactionId: string,
): Promise<void> {
  const line = await findLine(trx, account.line_id);
  const outstanding = line.usedMinor - line.repaidMinor;
  const amountMinor = principal < outstanding ? principal : outstanding;
  if (amountMinor <= 0n) return;
  await restore(trx, {
    lineId: account.line_id,
    amountMinor,
    sourceRef: `servicing-transaction:${transactionId}`,
    actor: { kind: 'system', id: 'servicing' },
  });
}
