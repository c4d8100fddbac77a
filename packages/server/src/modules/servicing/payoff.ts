import {
  accruedInterestTo,
  allocatePayment,
  assert,
  type DueInstallment,
  type LocalDate,
  localDate,
  payoffQuote,
  penaltyTermsFor,
} from '@fenqi/core';
import { Decimal } from 'decimal.js';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { DB, Tx } from '../../platform/db.ts';
import type { DateString } from '../../platform/tables.ts';
import { loanTermsById } from '../loans/service.ts';
import { productVersionById } from '../products/service.ts';
import {
  type AccountRow,
  accruedCurrent,
  type Components,
  type InstallmentRow,
  isSettled,
  penaltySegmentTo,
  scheduleInstallments,
  servicedSchedule,
  unpaidOf,
} from './allocation.ts';
import { postAccrued } from './postings.ts';
import {
  checkedAmount,
  loanNotRepayable,
  payoffShort,
  prepaymentNotAllowed,
  quoteStale,
} from './problems.ts';
import { installmentsOf, updateAccount, updateInstallment } from './repayment-store.ts';
import {
  type Applied,
  allocationOrderOf,
  applyRepayment,
  closedStateOf,
  earlierTransaction,
  isOpen,
  lockedAccount,
  openAccountOf,
  settle,
} from './repayments.ts';
import type { ServicingTx } from './tables.ts';

// Early payoff (提前结清) on the open business date D, valid for D only. The amount is core's
// payoffQuote as of D — every due installment in full, the current period's interest and fee
// accrued to D (pro rata), all principal not yet due, and the product's prepayment fee on that
// principal — with one difference: the penalty is servicing's own, what close of business has
// accrued plus what COB(D) would accrue today, segment by segment (a payment restarts a segment
// on its new base; core's penaltyInterest would charge the whole overdue time on today's base).
// So the quote on D is exactly what the loan owes once D is closed, and a payoff on D pays it:
// it first books what close of business has not (interest and penalty to D), then settles every
// installment, charges the prepayment fee and closes the loan.

export type PayoffQuote = {
  loanId: string;
  quoteDate: DateString;
  principalMinor: bigint;
  interestMinor: bigint;
  feeMinor: bigint;
  penaltyMinor: bigint;
  prepaymentFeeMinor: bigint;
  /** Principal not yet due on the quote date: the base of the prepayment fee. */
  prepaidPrincipalMinor: bigint;
  totalMinor: bigint;
  /** Held for the borrower: not used by the payoff, refundable (docs/servicing.md). */
  creditBalanceMinor: bigint;
};

/** Per installment, what settles it on D; and what D's close has not booked yet. */
type Figures = {
  quote: PayoffQuote;
  owed: { row: InstallmentRow; owed: Components; interestDue: bigint; feeDue: bigint }[];
  unbooked: { interest: bigint; penalty: bigint };
  settledTerms: number;
};

async function figuresOn(
  db: DB | Tx,
  account: AccountRow,
  rows: readonly InstallmentRow[],
  today: LocalDate,
): Promise<Figures> {
  const [terms, version] = await Promise.all([
    loanTermsById(db, account.loan_id),
    productVersionById(db, account.product_version_id),
  ]);
  const schedule = servicedSchedule(terms, rows);
  const owed: Figures['owed'] = [];
  let penaltyUnbooked = 0n;
  let interestUnbooked = 0n;
  const installments = scheduleInstallments(rows);
  for (const row of rows) {
    if (row.status === 'paid') {
      // The current installment settled ahead of its due date stays settled (the borrower chose
      // to pay its whole period): its accrual is brought to D like an unsettled one's, and the
      // closure recognises the rest of what was paid ahead (closePaidOff).
      if (row.number === account.cur_number)
        interestUnbooked =
          accruedCurrent(account, today) - accruedCurrent(account, localDate(account.closed_through));
      continue;
    }
    const left = unpaidOf(row);
    const segment = penaltySegmentTo(account, row, today);
    penaltyUnbooked += segment?.addedMinor ?? 0n;
    let interestDue = row.interest_due;
    let feeDue = row.fee_due;
    if (row.due_date > today) {
      const installment = installments.find((i) => i.number === row.number);
      if (installment === undefined) throw new Error('installment lost');
      // The current period earns to D; later ones earn nothing (core payoffQuote).
      const earned =
        row.period_start <= today
          ? accruedInterestTo(terms, installment, today)
          : { interestMinor: 0n, feeMinor: 0n };
      const settledInterest = row.interest_paid + row.interest_waived;
      const settledFee = row.fee_paid + row.fee_waived;
      interestDue = earned.interestMinor > settledInterest ? earned.interestMinor : settledInterest;
      feeDue = earned.feeMinor > settledFee ? earned.feeMinor : settledFee;
      if (row.number === account.cur_number)
        interestUnbooked = earned.interestMinor - accruedCurrent(account, localDate(account.closed_through));
    } else if (row.number === account.cur_number) {
      interestUnbooked = row.interest_due - accruedCurrent(account, localDate(account.closed_through));
    }
    owed.push({
      row,
      interestDue,
      feeDue,
      owed: {
        principal: left.principal,
        interest: interestDue - row.interest_paid - row.interest_waived,
        fee: feeDue - row.fee_paid - row.fee_waived,
        penalty: left.penalty + (segment?.addedMinor ?? 0n),
      },
    });
  }
  const feeRate = version.product.prepayment.allowed ? version.product.prepayment.feeRate : new Decimal(0);
  const paid = rows.map((row) => ({
    number: row.number,
    principalMinor: row.principal_paid,
    interestMinor: row.interest_paid + row.interest_waived,
    feeMinor: row.fee_paid + row.fee_waived,
    penaltyMinor: 0n,
  }));
  // Core's quote, its penalty left out (servicing's own is added): the two must agree to the fen.
  const core = payoffQuote(schedule, today, paid, {
    prepaymentFeeRate: feeRate,
    penalty: { ...penaltyTermsFor(terms), annualRate: new Decimal(0) },
  });
  if (!core.ok) throw new Error(`payoff quote of loan ${account.loan_no}: ${core.issues[0]?.message}`);
  const sum = (pick: (c: Components) => bigint) => owed.reduce((s, o) => s + pick(o.owed), 0n);
  const principal = sum((c) => c.principal);
  const interest = sum((c) => c.interest);
  const fee = sum((c) => c.fee);
  const penalty = sum((c) => c.penalty);
  assert(
    principal === core.value.principalMinor &&
      interest === core.value.interestMinor &&
      fee === core.value.feeMinor,
    `payoff of loan ${account.loan_no}: servicing's figures and core payoffQuote disagree`,
  );
  const prepaymentFee = core.value.prepaymentFeeMinor;
  return {
    quote: {
      loanId: account.loan_id,
      quoteDate: today,
      principalMinor: principal,
      interestMinor: interest,
      feeMinor: fee,
      penaltyMinor: penalty,
      prepaymentFeeMinor: prepaymentFee,
      prepaidPrincipalMinor: core.value.prepaidPrincipalMinor,
      totalMinor: principal + interest + fee + penalty + prepaymentFee,
      creditBalanceMinor: account.credit_balance,
    },
    owed,
    unbooked: { interest: interestUnbooked > 0n ? interestUnbooked : 0n, penalty: penaltyUnbooked },
    settledTerms: rows.filter((row) => row.status === 'paid').length,
  };
}

/** Today's payoff quote of an open loan, read without changing anything. */
export async function payoffQuoteOf(db: DB, loanId: string): Promise<PayoffQuote> {
  const s = db as unknown as ServicingTx;
  const account = await openAccountOf(db, loanId);
  const today = localDate(await getBusinessDate(db));
  return (await figuresOn(db, account, await installmentsOf(s, loanId), today)).quote;
}

async function checkAllowed(db: DB | Tx, account: AccountRow, figures: Figures): Promise<void> {
  if (figures.quote.prepaidPrincipalMinor === 0n) return;
  const prepayment = (await productVersionById(db, account.product_version_id)).product.prepayment;
  if (!prepayment.allowed) throw prepaymentNotAllowed('the product allows no repayment before the due dates');
  if (figures.settledTerms < prepayment.minTermsPaid) {
    throw prepaymentNotAllowed(
      `${prepayment.minTermsPaid} installment(s) must be paid first; ${figures.settledTerms} are`,
      { minTermsPaid: prepayment.minTermsPaid, settledTerms: figures.settledTerms },
    );
  }
}

/** The checks of a payoff request, before anything is collected: today's quote, or a problem. */
export async function checkPayoff(
  trx: Tx,
  input: { loanId: string; amountMinor: bigint | string; quoteDate: string },
): Promise<{ account: AccountRow; quote: PayoffQuote; amountMinor: bigint }> {
  const amountMinor = checkedAmount(input.amountMinor);
  const account = await lockedAccount(trx, input.loanId);
  if (!isOpen(account)) throw loanNotRepayable(input.loanId, closedStateOf(account));
  const today = await getBusinessDate(trx);
  if (input.quoteDate !== today) throw quoteStale(input.quoteDate, today);
  const rows = await installmentsOf(trx as unknown as ServicingTx, account.loan_id);
  const figures = await figuresOn(trx, account, rows, localDate(today));
  if (amountMinor < figures.quote.totalMinor) throw payoffShort(amountMinor, figures.quote.totalMinor);
  await checkAllowed(trx, account, figures);
  return { account, quote: figures.quote, amountMinor };
}

export type PayoffInput = {
  loanId: string;
  amountMinor: bigint;
  sourceRef: string;
  source: '2242' | '1002.01';
  channel: string | null;
  /** A request names its quote's date; money collected for a payoff is applied on the day it arrives. */
  quoteDate?: string | undefined;
};

/**
 * Pays the loan off with `amountMinor` (what is over the quote stays as the borrower's credit).
 * Money collected for a payoff that no longer covers the day's quote — or for a loan closed
 * meanwhile — is applied as an ordinary repayment instead, so nothing collected is ever refused.
 */
export async function applyPayoff(trx: Tx, input: PayoffInput): Promise<Applied> {
  const amountMinor = checkedAmount(input.amountMinor);
  const account = await lockedAccount(trx, input.loanId);
  const earlier = await earlierTransaction(trx, { ...input, amountMinor });
  if (earlier) return earlier;
  const today = await getBusinessDate(trx);
  const request = input.quoteDate !== undefined;
  const asRepayment = () =>
    applyRepayment(trx, {
      loanId: input.loanId,
      amountMinor,
      kind: input.source === '1002.01' ? 'offline' : 'repayment',
      sourceRef: input.sourceRef,
      channel: input.channel,
      reason: 'collected for a payoff that no longer settled the loan',
      collected: true,
    });
  if (!isOpen(account)) {
    if (request) throw loanNotRepayable(input.loanId, closedStateOf(account));
    return asRepayment();
  }
  if (request && input.quoteDate !== today) throw quoteStale(input.quoteDate ?? '', today);
  const rows = await installmentsOf(trx as unknown as ServicingTx, account.loan_id);
  const figures = await figuresOn(trx, account, rows, localDate(today));
  if (amountMinor < figures.quote.totalMinor) {
    if (request) throw payoffShort(amountMinor, figures.quote.totalMinor);
    return asRepayment();
  }
  if (request) await checkAllowed(trx, account, figures);
  const booked = await bookToToday(trx, account, figures, today, input.sourceRef);
  const lines = allocatePayment(
    figures.quote.totalMinor - figures.quote.prepaymentFeeMinor,
    booked.due,
    await allocationOrderOf(trx, account),
  );
  if (!lines.ok || lines.value.unallocatedMinor !== 0n)
    throw new Error(`payoff of loan ${account.loan_no} left figures unpaid`);
  const transaction = await settle(trx, booked.account, booked.rows, {
    kind: 'payoff',
    sourceRef: input.sourceRef,
    amountMinor,
    source: input.source,
    channel: input.channel,
    reason: null,
    lines: lines.value.lines,
    prepaymentFee: figures.quote.prepaymentFeeMinor,
    overpayment: amountMinor - figures.quote.totalMinor,
    early: figures.quote.prepaidPrincipalMinor > 0n,
  });
  return { transaction, created: true };
}

/**
 * What close of business has not booked yet, booked now: interest of the current period and every
 * penalty segment to D; the installments' charges cut to what D has earned (a later period earns
 * nothing); the account closed through D (it is paid off before D's close reaches it).
 */
async function bookToToday(
  trx: Tx,
  account: AccountRow,
  figures: Figures,
  today: DateString,
  sourceRef: string,
): Promise<{ account: AccountRow; rows: InstallmentRow[]; due: DueInstallment[] }> {
  const key = `servicing:payoff:${account.loan_id}:${today}`;
  await postAccrued(trx, account, {
    key,
    sourceRef,
    accrued: { interest: figures.unbooked.interest, penalty: figures.unbooked.penalty, fee: 0n },
    why: `payoff on ${today}: interest and penalty to the day`,
  });
  for (const { row, interestDue, feeDue } of figures.owed) {
    const segment = penaltySegmentTo(account, row, localDate(today));
    const patch = {
      interest_due: interestDue,
      fee_due: feeDue,
      ...(segment === undefined
        ? {}
        : {
            penalty_from: segment.from,
            penalty_base: segment.base,
            penalty_days: segment.days,
            penalty_accrued: row.penalty_accrued + segment.addedMinor,
          }),
    };
    const after = { ...row, ...patch };
    await updateInstallment(trx, account.loan_id, row.number, {
      ...patch,
      ...(isSettled(after) ? { status: 'paid', settled_on: today } : {}),
    });
  }
  const after = await updateAccount(trx, account.loan_id, { closed_through: today });
  const rows = await installmentsOf(trx as unknown as ServicingTx, account.loan_id);
  const due = figures.owed.map(
    (o): DueInstallment => ({
      number: o.row.number,
      principalMinor: o.owed.principal,
      interestMinor: o.owed.interest,
      feeMinor: o.owed.fee,
      penaltyMinor: o.owed.penalty,
    }),
  );
  return { account: after, rows, due };
}
