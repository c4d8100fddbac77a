import { splitByShares } from '@fenqi/core';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { Config } from '../../platform/config.ts';
import type { Tx } from '../../platform/db.ts';
import type { EventConsumer, OutboxEvent } from '../../platform/outbox/event.ts';
import { publishEvent } from '../../platform/outbox/publish.ts';
import { useReservation } from '../credit/service.ts';
import { loanShares } from '../funding/service.ts';
import { postEvent } from '../ledger/service.ts';
import { cancelUndisbursed, requestDisbursement } from './origination.ts';
import { moveLoan } from './states.ts';
import * as store from './store.ts';
import type { LoansTx } from './tables.ts';
import { loanEventPayload, upfrontFeeOf } from './views.ts';

// Disbursement exactly once. The payments module owns the payout order and reports its outcome as
// events; this consumer turns them into the loan's effects, each in the delivery's transaction
// under the loan's row lock:
//   succeeded  → the loan is active, the reservation becomes used principal, the `disbursement`
//                rule is posted once per funder share, the merchant hears loans.loan-disbursed;
//   failed     → (only the loan's current order counts) a definite failure is tried again with a
//                new order, up to DISBURSEMENT_ATTEMPTS_MAX, then the loan is cancelled and the line
//                restored;
//   bounced    → the paid money came back: it is owed to the payee again, so a new order is made.
// An unknown outcome publishes nothing: payments queries the channel, and never pays twice. A
// repeated or reordered event finds the loan already moved and changes nothing.

type OrderFacts = {
  orderNo: string;
  purpose: string;
  loanId: string | null;
  retryable?: boolean | null;
  code?: string | null;
  message?: string | null;
};

function factsOf(event: OutboxEvent): OrderFacts {
  return event.data as unknown as OrderFacts;
}

export const disbursementOutcomeConsumer: EventConsumer = {
  name: 'loans.disbursement-outcome',
  events: ['payments.order-succeeded', 'payments.order-failed', 'payments.payout-bounced'],
  async handle(trx, event, services) {
    const facts = factsOf(event);
    if (facts.purpose !== 'disbursement' || facts.loanId === null) return;
    const loan = await store.lockLoan(trx as LoansTx, facts.loanId);
    if (loan === undefined) return;
    if (event.type === 'payments.order-succeeded') await disbursed(trx, loan, facts);
    else if (event.type === 'payments.order-failed') await failed(trx, services.config, loan, facts);
    else await bounced(trx, services.config, loan, facts);
  },
};

async function disbursed(trx: Tx, loan: store.LoanSummaryRow, facts: OrderFacts): Promise<void> {
  // Paid by an earlier attempt whose outcome arrived late, or a repeat: the loan moved already.
  if (loan.state !== 'pending_disbursement') return;
  const t: LoansTx = trx;
  const businessDate = await getBusinessDate(trx);
  const active = await moveLoan(t, loan, 'disbursed', {
    sourceRef: `payment-order:${facts.orderNo}`,
    change: { disbursed_on: businessDate, disbursement_order_no: facts.orderNo },
  });
  await useReservation(trx, { sourceRef: `loan:${loan.loan_no}` }, { kind: 'system', id: 'loans' });
  await postDisbursement(trx, active);
  const order = loan.order_id === null ? undefined : await store.lockOrder(t, loan.order_id);
  await publishEvent(trx, {
    type: 'loans.loan-disbursed',
    subject: { type: 'loan', id: loan.id },
    ...(loan.merchant_id === null ? {} : { owner: { kind: 'merchant' as const, id: loan.merchant_id } }),
    payload: { ...loanEventPayload(active, order), paymentOrderNo: facts.orderNo },
  });
}

/**
 * The loan's `disbursement` entries, one per funder share, so every line carries its funder: the
 * principal to loans receivable (1301) against what is owed to the payee (2202), the merchant
 * discount (贴息) and the up-front fee out of what the payee is owed into income. What the payee
 * is owed then equals what the payout order paid (posted by payments: Dr 2202, Cr clearing).
 */
export async function postDisbursement(trx: Tx, loan: store.LoanSummaryRow): Promise<void> {
  const shares = await loanShares(trx, loan.id);
  const upfrontFeeMinor = upfrontFeeOf(loan);
  const bp = shares.map((share) => share.shareBp);
  const principal = shares.map((share) => share.principalMinor);
  const discount = splitByShares(loan.merchant_discount_minor, bp);
  const fee = splitByShares(upfrontFeeMinor, bp);
  for (const [index, share] of shares.entries()) {
    const amounts: Record<string, bigint> = { principal: principal[index] ?? 0n };
    if ((discount[index] ?? 0n) > 0n) amounts.merchantDiscount = discount[index] ?? 0n;
    if ((fee[index] ?? 0n) > 0n) amounts.upfrontFee = fee[index] ?? 0n;
    await postEvent(trx, {
      type: 'disbursement',
      idempotencyKey: `loan:${loan.loan_no}:disbursement:${share.funderId}`,
      amounts,
      loanId: loan.id,
      customerId: loan.customer_id,
      productId: loan.product_version_id,
      merchantId: loan.merchant_id ?? undefined,
      funderId: share.funderId,
      sourceRef: `loan:${loan.loan_no}`,
      description: `loan ${loan.loan_no} disbursed (${share.funderCode} ${share.shareBp / 100} %)`,
    });
  }
}

async function failed(trx: Tx, config: Config, loan: store.LoanSummaryRow, facts: OrderFacts): Promise<void> {
  // Only the loan's current order decides: a failure of an attempt already replaced is history.
  if (loan.state !== 'pending_disbursement' || loan.disbursement_order_no !== facts.orderNo) return;
  if (facts.retryable !== false && loan.disbursement_attempts < config.loans.disbursementAttemptsMax) {
    await requestDisbursement(trx, config, loan);
    return;
  }
  const why = facts.code ? `${facts.code}${facts.message ? ` ${facts.message}` : ''}` : 'failed';
  await cancelUndisbursed(
    trx,
    loan,
    'disbursement_failed',
    `disbursement failed after ${loan.disbursement_attempts} attempt(s): ${why}`,
  );
}

async function bounced(
  trx: Tx,
  config: Config,
  loan: store.LoanSummaryRow,
  facts: OrderFacts,
): Promise<void> {
  if (loan.disbursement_order_no !== facts.orderNo) return;
  if (loan.state === 'pending_disbursement') {
    // Paid and returned before the success was heard: it is owed again, as after a failure.
    await requestDisbursement(trx, config, loan);
    return;
  }
  if (loan.state === 'active' || loan.state === 'overdue') await requestDisbursement(trx, config, loan);
}
