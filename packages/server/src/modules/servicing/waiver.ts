import { randomUUID } from 'node:crypto';
import { CNY, formatMinor, localDate } from '@fenqi/core';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { publishEvent } from '../../platform/outbox/publish.ts';
import { type InstallmentRow, isSettled, smaller, unpaidOf, withPenaltyTo } from './allocation.ts';
import { closePaidOff, nothingOwed, refreshDelinquency } from './delinquency.ts';
import { postWaiver, type Waived } from './postings.ts';
import { repaymentAmountMinorMax } from './problems.ts';
import { findAccount, insertTransaction, installmentsOf, updateInstallment } from './repayment-store.ts';
import {
  bookPenaltyToToday,
  earlierTransaction,
  isOpen,
  lockedAccount,
  type Transaction,
  toTransaction,
} from './repayments.ts';
import type { ServicingTx } from './tables.ts';

// Waivers (减免, docs/servicing.md "Waivers"): collections forgives part of what an overdue loan
// owes, after its maker-checker approval. Only what has fallen due can be waived — penalty, period
// fee, interest of installments past their due date, penalty counted to today — never principal
// (a principal write-down is a write-off) and never what is not owed yet. Each component is taken
// off the oldest installment first. The forgiven income is taken back in the journal (postings.ts
// waiverPairs), the loan's delinquency is refreshed (an installment fully waived or paid is
// settled), and a waiver that leaves nothing owed closes the loan as repaid. One waiver is one
// transaction, found again by its source (the collections request): applying it twice changes
// nothing.

export type WaiverInput = {
  loanId: string;
  /** The approved request: `collections-waiver:<id>`. */
  sourceRef: string;
  penaltyMinor: bigint;
  feeMinor: bigint;
  interestMinor: bigint;
  reason: string;
  actorId: string;
};

export type Waivable = { penaltyMinor: bigint; feeMinor: bigint; interestMinor: bigint };

const t = (trx: DB | Tx) => trx as unknown as ServicingTx;
const cny = (minor: bigint) => `${formatMinor(minor, CNY.minorDigits)} CNY`;

function waivableIn(rows: readonly InstallmentRow[]): Waivable {
  const due = rows.filter((row) => row.status === 'due');
  const sum = (pick: (row: InstallmentRow) => bigint) => due.reduce((total, row) => total + pick(row), 0n);
  return {
    penaltyMinor: sum((row) => unpaidOf(row).penalty),
    feeMinor: sum((row) => (row.fee_charged ? unpaidOf(row).fee : 0n)),
    interestMinor: sum((row) => unpaidOf(row).interest),
  };
}

/** What a waiver could forgive on the loan today (penalty counted to today), for the request form. */
export async function waivableOf(db: DB | Tx, loanId: string): Promise<Waivable> {
  const account = await findAccount(t(db), loanId);
  if (account === undefined || !isOpen(account))
    throw loanNotWaivable(loanId, account?.status ?? 'not disbursed');
  const today = await getBusinessDate(db);
  return waivableIn(withPenaltyTo(account, await installmentsOf(t(db), loanId), localDate(today)));
}

export function loanNotWaivable(loanId: string, state: string): AppError {
  return new AppError(
    'loan_not_waivable',
    `Loan ${loanId} is ${state.replace(/_/g, ' ')}: there is nothing overdue to waive.`,
    { extensions: { state } },
  );
}

function exceeds(asked: Waived, waivable: Waivable): AppError {
  const over = (
    [
      ['penaltyMinor', asked.penalty, waivable.penaltyMinor],
      ['feeMinor', asked.fee, waivable.feeMinor],
      ['interestMinor', asked.interest, waivable.interestMinor],
    ] as const
  ).filter(([, ask, can]) => ask > can);
  return new AppError(
    'waiver_exceeds_outstanding',
    `The waiver asks for more than the loan owes past due: ${over
      .map(([field, ask, can]) => `${field} ${cny(ask)} above ${cny(can)}`)
      .join('; ')}.`,
    {
      errors: over.map(([field, , can]) => ({
        in: 'body',
        path: field,
        message: `must be at most ${String(can)} fen`,
      })),
      extensions: {
        waivable: {
          penaltyMinor: String(waivable.penaltyMinor),
          feeMinor: String(waivable.feeMinor),
          interestMinor: String(waivable.interestMinor),
        },
      },
    },
  );
}

/** Each component taken off the oldest due installments first. */
function spread(rows: readonly InstallmentRow[], asked: Waived): Map<number, Waived> {
  const left = { ...asked };
  const byRow = new Map<number, Waived>();
  const due = [...rows].filter((row) => row.status === 'due').sort((a, b) => a.number - b.number);
  for (const row of due) {
    const unpaid = unpaidOf(row);
    const take = {
      penalty: smaller(left.penalty, unpaid.penalty),
      fee: row.fee_charged ? smaller(left.fee, unpaid.fee) : 0n,
      interest: smaller(left.interest, unpaid.interest),
    };
    left.penalty -= take.penalty;
    left.fee -= take.fee;
    left.interest -= take.interest;
    if (take.penalty + take.fee + take.interest > 0n) byRow.set(row.number, take);
  }
  if (left.penalty + left.fee + left.interest !== 0n)
    throw new Error('a waiver was spread beyond what is waivable');
  return byRow;
}

function checkedAsk(input: WaiverInput): Waived {
  const asked = { penalty: input.penaltyMinor, fee: input.feeMinor, interest: input.interestMinor };
  const fields = [
    ['penaltyMinor', asked.penalty],
    ['feeMinor', asked.fee],
    ['interestMinor', asked.interest],
  ] as const;
  const bad = fields.filter(([, v]) => v < 0n || v > repaymentAmountMinorMax);
  const total = asked.penalty + asked.fee + asked.interest;
  if (bad.length > 0 || total <= 0n || total > repaymentAmountMinorMax)
    throw new AppError(
      'validation_failed',
      'A waiver forgives 0 or more fen of each component, more than 0 in all.',
      {
        errors:
          bad.length > 0
            ? bad.map(([path]) => ({
                in: 'body',
                path,
                message: `must be 0 to ${repaymentAmountMinorMax} fen`,
              }))
            : [{ in: 'body', path: 'penaltyMinor', message: 'the waiver must forgive something' }],
      },
    );
  return asked;
}

export async function applyWaiver(trx: Tx, input: WaiverInput): Promise<Transaction> {
  const asked = checkedAsk(input);
  const total = asked.penalty + asked.fee + asked.interest;
  const account = await lockedAccount(trx, input.loanId);
  // The same approved request again answers its first transaction (another loan or total: 409).
  const earlier = await earlierTransaction(trx, {
    sourceRef: input.sourceRef,
    loanId: input.loanId,
    amountMinor: total,
  });
  if (earlier) return earlier.transaction;
  if (!isOpen(account)) throw loanNotWaivable(input.loanId, account.status);
  const rows = await bookPenaltyToToday(trx, account, input.sourceRef);
  const waivable = waivableIn(rows);
  if (
    asked.penalty > waivable.penaltyMinor ||
    asked.fee > waivable.feeMinor ||
    asked.interest > waivable.interestMinor
  )
    throw exceeds(asked, waivable);
  const businessDate = await getBusinessDate(trx);
  const byRow = spread(rows, asked);
  const allocation: { number: number; component: string; amountMinor: string }[] = [];
  for (const row of rows) {
    const take = byRow.get(row.number);
    if (take === undefined) continue;
    const after: InstallmentRow = {
      ...row,
      penalty_waived: row.penalty_waived + take.penalty,
      fee_waived: row.fee_waived + take.fee,
      interest_waived: row.interest_waived + take.interest,
    };
    const settledNow = isSettled(after);
    await updateInstallment(trx, account.loan_id, row.number, {
      penalty_waived: after.penalty_waived,
      fee_waived: after.fee_waived,
      interest_waived: after.interest_waived,
      ...(settledNow ? { status: 'paid', settled_on: businessDate } : {}),
    });
    for (const [component, amount] of Object.entries(take) as [keyof Waived, bigint][])
      if (amount > 0n) allocation.push({ number: row.number, component, amountMinor: String(amount) });
  }
  const id = randomUUID();
  const entryId = await postWaiver(trx, account, {
    transactionId: id,
    sourceRef: input.sourceRef,
    waived: asked,
  });
  const transaction = await insertTransaction(trx, {
    id,
    loan_id: account.loan_id,
    customer_id: account.customer_id,
    kind: 'waiver',
    source_ref: input.sourceRef,
    amount_minor: total,
    principal_minor: 0n,
    interest_minor: asked.interest,
    fee_minor: asked.fee,
    penalty_minor: asked.penalty,
    prepayment_fee_minor: 0n,
    overpayment_minor: 0n,
    allocation: JSON.stringify(allocation),
    penalty_segments: '[]',
    channel: null,
    entry_id: entryId,
    reverses: null,
    reason: input.reason.slice(0, 500),
    business_date: businessDate,
  });
  const now = await installmentsOf(t(trx), account.loan_id);
  const closing = nothingOwed(account, now);
  const after = await refreshDelinquency(trx, account, now, {
    cause: 'waiver',
    businessDate,
    sourceRef: input.sourceRef,
    closing,
  });
  if (closing)
    await closePaidOff(trx, after, {
      transactionId: id,
      businessDate,
      sourceRef: input.sourceRef,
      early: false,
    });
  await publishEvent(trx, {
    type: 'servicing.waiver-applied',
    subject: { type: 'loan', id: account.loan_id },
    payload: {
      transactionId: id,
      loanId: account.loan_id,
      loanNo: account.loan_no,
      customerId: account.customer_id,
      sourceRef: input.sourceRef,
      amountMinor: String(total),
      interestMinor: String(asked.interest),
      feeMinor: String(asked.fee),
      penaltyMinor: String(asked.penalty),
      actorId: input.actorId,
      statusBefore: account.status,
      status: closing ? 'paid_off' : after.status,
      dpd: closing ? 0 : after.dpd,
      bucket: closing ? 'M0' : after.bucket,
      businessDate,
    },
  });
  return toTransaction(transaction);
}
