import { randomUUID } from 'node:crypto';
import {
  addDays,
  buildSchedule,
  type Installment,
  type LoanTermsJson,
  loanTermsFromJson,
  localDate,
  payoffQuote,
  prepay,
  type Schedule,
  splitByShares,
} from '@fenqi/core';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { publishEvent } from '../../platform/outbox/publish.ts';
import type { DateString } from '../../platform/tables.ts';
import { restore } from '../credit/service.ts';
import { loanShares } from '../funding/service.ts';
import type { PartnerScope } from '../iam/service.ts';
import { postEvent } from '../ledger/service.ts';
import { insertScheduleVersion } from './schedules.ts';
import { moveLoan } from './states.ts';
import * as store from './store.ts';
import type { LoansTx, RefundKind } from './tables.ts';
import { type Loan, loanEventPayload, type Refund, toLoan, toRefund, upfrontFeeOf } from './views.ts';

// Refunds (退货) after disbursement, from the merchant API. The merchant gives back principal; what
// that does to the loan depends on how much and when:
//   within the product's cooling-off days, the whole amount, nothing refunded before: the loan is
//     undone — cancelled, no interest, no fee; the merchant discount and the up-front fee kept at
//     disbursement are given back in the same entry, so the merchant returns what it was paid;
//   the whole outstanding principal later: the principal is repaid; interest accrued to the day
//     (core's payoffQuote) stays owed as one last installment on the next due date (paid off at
//     once when there is none);
//   part of it: the principal is reduced and the rest of the schedule recomputed — core's prepay
//     after the installments already due (reduce_payment), or, before the first due date, the
//     schedule rebuilt on the smaller principal (every method).
// Each refund posts the `refund` rule once per funder share, restores the line, writes a new
// schedule version and tells the merchant (loans.order-refunded). A replay of the merchant's refund
// id answers the first refund.

export type RefundRequest = { refundId: string; amountMinor: bigint };

function notRefundable(message: string): AppError {
  return new AppError('refund_not_possible', message);
}

/** The loan's current schedule, rebuilt from its stored terms and installments. */
async function currentSchedule(trx: LoansTx, loan: store.LoanSummaryRow): Promise<Schedule> {
  const terms = loanTermsFromJson(loan.terms as unknown as LoanTermsJson);
  const built = buildSchedule(terms);
  if (!built.ok) throw new Error(`loan ${loan.loan_no}: stored terms no longer build a schedule`);
  if (loan.schedule_version === 1) return built.value;
  const rows = await store.installmentsOf(trx, loan.id, loan.schedule_version);
  const installments: Installment[] = rows.map((row) => ({
    number: row.number,
    periodStart: localDate(row.period_start),
    dueDate: localDate(row.due_date),
    principalMinor: row.principal_minor,
    interestMinor: row.interest_minor,
    feeMinor: row.fee_minor,
    totalMinor: row.total_minor,
    balanceMinor: row.balance_minor,
  }));
  // Principal is conserved (core prepay asserts it): what the current installments do not carry
  // was prepaid. Not financed − outstanding: servicing lowers the outstanding as it is repaid.
  const scheduled = installments.reduce((sum, i) => sum + i.principalMinor, 0n);
  return {
    ...built.value,
    prepaidPrincipalMinor: built.value.financedPrincipalMinor - scheduled,
    installments,
  };
}

function recomputed(schedule: Schedule, amountMinor: bigint, today: DateString): Installment[] {
  const due = schedule.installments.filter((i) => i.dueDate <= today).length;
  if (due === 0 && schedule.prepaidPrincipalMinor === 0n) {
    // Before anything fell due: the loan as if it had been for the smaller amount from the start.
    const smaller = buildSchedule({
      ...schedule.terms,
      principalMinor: schedule.terms.principalMinor - amountMinor,
      merchantDiscountMinor: 0n,
      upfrontFeeMinor: schedule.terms.upfrontFeeMode === 'financed' ? schedule.terms.upfrontFeeMinor : 0n,
    });
    if (smaller.ok) return [...smaller.value.installments];
    throw notRefundable(`The rest of the loan cannot be rescheduled: ${smaller.issues[0]?.message ?? ''}.`);
  }
  const result = prepay(schedule, { afterInstallment: due, amountMinor, mode: 'reduce_payment' });
  if (!result.ok) {
    throw notRefundable(
      `A partial refund cannot be applied to this loan now: ${result.issues[0]?.message ?? 'not supported'}.`,
    );
  }
  return [...result.value.schedule.installments];
}

function accruedInterestInstallment(schedule: Schedule, today: DateString): Installment[] {
  const quote = payoffQuote(schedule, localDate(today));
  if (!quote.ok) throw notRefundable(`The loan cannot be settled today: ${quote.issues[0]?.message ?? ''}.`);
  const owed = quote.value.interestMinor + quote.value.feeMinor;
  if (owed === 0n) return [];
  const next = schedule.installments.find((i) => i.dueDate > today) ?? schedule.installments.at(-1);
  if (next === undefined) return [];
  return [
    {
      number: 1,
      periodStart: next.periodStart,
      dueDate: next.dueDate,
      principalMinor: 0n,
      interestMinor: quote.value.interestMinor,
      feeMinor: quote.value.feeMinor,
      totalMinor: owed,
      balanceMinor: 0n,
    },
  ];
}

export async function refundOrder(
  trx: Tx,
  scope: PartnerScope,
  merchantOrderId: string,
  input: RefundRequest,
): Promise<{ refund: Refund; loan: Loan; created: boolean }> {
  const t: LoansTx = trx;
  const order = await store.lockMerchantOrder(t, scope, merchantOrderId);
  if (!order) throw new AppError('not_found', `There is no order ${merchantOrderId}.`);
  if (order.loan_id === null) throw notRefundable(`Order ${merchantOrderId} has no loan: cancel it instead.`);
  const loan = await store.lockLoan(t, order.loan_id);
  if (!loan) throw new Error(`order ${order.id} names a missing loan`);
  const earlier = await store.findRefund(t, loan.id, input.refundId);
  if (earlier) {
    if (earlier.amount_minor !== input.amountMinor) {
      throw new AppError(
        'refund_conflict',
        `Refund ${input.refundId} was already made for ${earlier.amount_minor} fen.`,
      );
    }
    return { refund: toRefund(earlier), loan: toLoan(loan), created: false };
  }
  if (loan.state !== 'active' && loan.state !== 'overdue') {
    throw notRefundable(
      loan.state === 'pending_disbursement'
        ? `Loan ${loan.loan_no} is not disbursed yet; refund it once the merchant is paid.`
        : `Loan ${loan.loan_no} is ${loan.state}.`,
    );
  }
  if (input.amountMinor > loan.outstanding_principal_minor) {
    throw new AppError(
      'validation_failed',
      `The refund is more than the ${loan.outstanding_principal_minor} fen of principal outstanding.`,
      {
        errors: [
          { in: 'body', path: 'amount', message: `must be at most ${loan.outstanding_principal_minor} fen` },
        ],
      },
    );
  }
  const today = await getBusinessDate(trx);
  const full = input.amountMinor === loan.outstanding_principal_minor;
  const refunds = await store.refundsOf(t, loan.id);
  const coolingOffEnds = addDays(localDate(loan.disbursed_on ?? today), loan.cooling_off_days);
  const kind: RefundKind =
    full && refunds.length === 0 && loan.cooling_off_days > 0 && today <= coolingOffEnds
      ? 'cooling_off'
      : full
        ? 'full'
        : 'partial';
  const schedule = await currentSchedule(t, loan);
  const installments =
    kind === 'cooling_off'
      ? []
      : kind === 'full'
        ? accruedInterestInstallment(schedule, today)
        : recomputed(schedule, input.amountMinor, today);

  const entryId = await postRefund(trx, loan, input, kind);
  const version = loan.schedule_version + 1;
  await insertScheduleVersion(t, loan.id, version, installments);
  const refund = await store.insertRefund(t, {
    id: randomUUID(),
    loan_id: loan.id,
    merchant_refund_id: input.refundId,
    amount_minor: input.amountMinor,
    kind,
    schedule_version: version,
    entry_id: entryId,
    business_date: today,
  });
  const change = {
    outstanding_principal_minor: loan.outstanding_principal_minor - input.amountMinor,
    schedule_version: version,
  };
  const sourceRef = `loan:${loan.loan_no}/refund:${input.refundId}`;
  let after: store.LoanSummaryRow;
  if (kind === 'cooling_off') {
    after = await moveLoan(t, loan, 'cooling_off_refund', {
      reason: 'refunded in full within the cooling-off days',
      sourceRef,
      change: { ...change, closed_on: today, close_reason: 'cooling_off_refund' },
    });
  } else if (kind === 'full' && installments.length === 0) {
    after = await moveLoan(t, loan, 'paid_off', {
      reason: 'refunded in full',
      sourceRef,
      change: { ...change, closed_on: today, close_reason: 'refunded' },
    });
  } else {
    after = await store.updateLoan(t, loan.id, change);
  }
  await restore(trx, {
    lineId: loan.line_id,
    amountMinor: input.amountMinor,
    sourceRef,
    actor: { kind: 'system', id: 'loans' },
  });
  await publishEvent(trx, {
    type: 'loans.order-refunded',
    subject: { type: 'loan', id: loan.id },
    owner: { kind: 'merchant', id: order.merchant_id },
    payload: {
      ...loanEventPayload(after, order),
      refundId: input.refundId,
      refundAmountMinor: String(input.amountMinor),
      refundKind: kind,
    },
  });
  return { refund: toRefund(refund), loan: toLoan(after), created: true };
}

/** The `refund` entries, one per funder share; returns the first entry's id (the refund's record). */
async function postRefund(
  trx: Tx,
  loan: store.LoanSummaryRow,
  input: RefundRequest,
  kind: RefundKind,
): Promise<bigint> {
  const shares = await loanShares(trx, loan.id);
  const bp = shares.map((share) => share.shareBp);
  const principal = splitByShares(input.amountMinor, bp);
  const undone = kind === 'cooling_off';
  const upfrontFeeMinor = upfrontFeeOf(loan);
  const discount = splitByShares(undone ? loan.merchant_discount_minor : 0n, bp);
  const fee = splitByShares(undone ? upfrontFeeMinor : 0n, bp);
  let first: bigint | undefined;
  for (const [index, share] of shares.entries()) {
    const amounts: Record<string, bigint> = {};
    if ((principal[index] ?? 0n) > 0n) amounts.principal = principal[index] ?? 0n;
    if ((discount[index] ?? 0n) > 0n) amounts.merchantDiscount = discount[index] ?? 0n;
    if ((fee[index] ?? 0n) > 0n) amounts.upfrontFee = fee[index] ?? 0n;
    if (Object.keys(amounts).length === 0) continue;
    const entry = await postEvent(trx, {
      type: 'refund',
      idempotencyKey: `loan:${loan.loan_no}:refund:${input.refundId}:${share.funderId}`,
      amounts,
      channel: loan.disbursement_channel,
      loanId: loan.id,
      customerId: loan.customer_id,
      productId: loan.product_version_id,
      merchantId: loan.merchant_id ?? undefined,
      funderId: share.funderId,
      sourceRef: `loan:${loan.loan_no}`,
      description: `loan ${loan.loan_no} refund ${input.refundId} (${kind})`,
    });
    first ??= entry?.id;
  }
  if (first === undefined) throw new Error(`refund ${input.refundId} posted nothing`);
  return first;
}
