import { randomUUID } from 'node:crypto';
import { localDate, type PrepaymentMode } from '@fenqi/core';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { Config } from '../../platform/config.ts';
import type { DB, Tx } from '../../platform/db.ts';
import type { EventConsumer } from '../../platform/outbox/event.ts';
import type { BorrowerScope } from '../iam/service.ts';
import { ownLoan } from '../loans/service.ts';
import { type CardAgreement, createPaymentOrder, ownAgreements } from '../payments/service.ts';
import { dueNow, payableNow, totalOf, withPenaltyTo } from './allocation.ts';
import { refundFailed } from './credit-balance.ts';
import { applyPayoff, checkPayoff, payoffQuoteOf } from './payoff.ts';
import { applyPrepayment, planPrepayment } from './prepayment.ts';
import { amountInvalid, cardNotBound, checkedAmount, loanNotRepayable } from './problems.ts';
import { installmentsOf } from './repayment-store.ts';
import { applyRepayment, closedStateOf, isOpen, lockedAccount } from './repayments.ts';
import type { ServicingTx } from './tables.ts';

// Repayments through the payment channel. A borrower asks to repay (an amount, the current bill,
// or what is due), to pay the loan off at today's quote, or to prepay principal: the request is
// checked now — nothing is collected for a refused one — and becomes a collect order debiting the
// borrower's card agreement (payments createPaymentOrder, purpose repayment). The order's source
// says what it was for; when payments reports it succeeded, the repayments.order-outcome consumer
// applies the money (the transaction's source is `payment-order:<orderNo>`, so a repeated event
// changes nothing). A failed collection changes nothing; a failed or bounced refund payout gives
// the credit balance back.

export type CollectRequest = {
  paymentOrderNo: string;
  state: string;
  amountMinor: bigint;
  purpose: 'repayment' | 'payoff' | 'prepayment';
  agreementId: string;
};

async function ownedOpenAccount(trx: Tx, scope: BorrowerScope, loanId: string) {
  // The borrower's own loan or 404 (the loans module scopes it), then its account, locked.
  const loan = await ownLoan(trx as unknown as DB, scope, loanId);
  const account = await lockedAccount(trx, loan.id);
  if (!isOpen(account)) throw loanNotRepayable(loanId, closedStateOf(account));
  return account;
}

async function agreementFor(
  trx: Tx,
  scope: BorrowerScope,
  agreementId: string | undefined,
): Promise<CardAgreement> {
  const agreements = (await ownAgreements(trx as unknown as DB, scope)).filter((a) => a.status === 'active');
  const agreement = agreementId === undefined ? agreements[0] : agreements.find((a) => a.id === agreementId);
  if (agreement === undefined) throw cardNotBound();
  return agreement;
}

async function collect(
  trx: Tx,
  config: Config,
  input: {
    agreement: CardAgreement;
    loanId: string;
    customerId: string;
    amountMinor: bigint;
    sourceRef: string;
    purpose: CollectRequest['purpose'];
  },
): Promise<CollectRequest> {
  const { order } = await createPaymentOrder(trx, config, {
    channel: input.agreement.channel,
    purpose: 'repayment',
    amountMinor: input.amountMinor,
    currency: 'CNY',
    sourceRef: input.sourceRef,
    loanId: input.loanId,
    customerId: input.customerId,
    counterpart: { kind: 'collect', agreementId: input.agreement.id },
  });
  return {
    paymentOrderNo: order.orderNo,
    state: order.state,
    amountMinor: order.amountMinor,
    purpose: input.purpose,
    agreementId: input.agreement.id,
  };
}

export type RepaymentAsk =
  | { what: 'amount'; amountMinor: string }
  | { what: 'current_installment' }
  | { what: 'all_due' };

/**
 * A borrower's repayment of an amount (at most today's payoff: more is never asked for), of the
 * current bill (everything due and the current installment), or of everything due.
 */
export async function requestRepayment(
  trx: Tx,
  config: Config,
  scope: BorrowerScope,
  loanId: string,
  ask: RepaymentAsk & { agreementId?: string | undefined },
): Promise<CollectRequest> {
  const account = await ownedOpenAccount(trx, scope, loanId);
  // Owed as of today: penalty runs to the day of payment.
  const rows = withPenaltyTo(
    account,
    await installmentsOf(trx as unknown as ServicingTx, account.loan_id),
    localDate(await getBusinessDate(trx)),
  );
  let amountMinor: bigint;
  if (ask.what === 'amount') {
    amountMinor = checkedAmount(ask.amountMinor);
    const payoff = await payoffQuoteOf(trx as unknown as DB, account.loan_id);
    if (amountMinor > payoff.totalMinor)
      throw amountInvalid(
        amountMinor,
        `must be at most today's payoff, ${payoff.totalMinor} fen`,
        payoff.totalMinor,
      );
  } else {
    amountMinor =
      ask.what === 'all_due'
        ? totalOf(dueNow(rows))
        : payableNow(account, rows).reduce(
            (sum, i) => sum + i.principalMinor + i.interestMinor + i.feeMinor + i.penaltyMinor,
            0n,
          );
    if (amountMinor === 0n)
      throw amountInvalid(
        0n,
        ask.what === 'all_due' ? 'nothing is due' : 'nothing is owed on the current bill',
      );
  }
  const agreement = await agreementFor(trx, scope, ask.agreementId);
  return collect(trx, config, {
    agreement,
    loanId: account.loan_id,
    customerId: account.customer_id,
    amountMinor,
    sourceRef: `loan:${account.loan_id}/repayment/${randomUUID()}`,
    purpose: 'repayment',
  });
}

/** A payoff at today's quote (or more: the rest is kept as credit), collected from the card. */
export async function requestPayoff(
  trx: Tx,
  config: Config,
  scope: BorrowerScope,
  loanId: string,
  input: { amountMinor: string; quoteDate: string; agreementId?: string | undefined },
): Promise<CollectRequest> {
  const loan = await ownLoan(trx as unknown as DB, scope, loanId);
  const checked = await checkPayoff(trx, {
    loanId: loan.id,
    amountMinor: input.amountMinor,
    quoteDate: input.quoteDate,
  });
  const agreement = await agreementFor(trx, scope, input.agreementId);
  return collect(trx, config, {
    agreement,
    loanId: checked.account.loan_id,
    customerId: checked.account.customer_id,
    amountMinor: checked.amountMinor,
    sourceRef: `loan:${loan.id}/payoff/${input.quoteDate}/${randomUUID()}`,
    purpose: 'payoff',
  });
}

/** A partial prepayment: the current installment, the principal and the fee, collected together. */
export async function requestPrepayment(
  trx: Tx,
  config: Config,
  scope: BorrowerScope,
  loanId: string,
  input: { principalMinor: string; mode: PrepaymentMode; agreementId?: string | undefined },
): Promise<CollectRequest & { principalMinor: bigint; prepaymentFeeMinor: bigint }> {
  const account = await ownedOpenAccount(trx, scope, loanId);
  const rows = await installmentsOf(trx as unknown as ServicingTx, account.loan_id);
  const plan = await planPrepayment(trx, account, rows, input);
  const agreement = await agreementFor(trx, scope, input.agreementId);
  const collected = await collect(trx, config, {
    agreement,
    loanId: account.loan_id,
    customerId: account.customer_id,
    amountMinor: plan.totalMinor,
    sourceRef: `loan:${account.loan_id}/prepayment/${plan.mode}/${plan.principalMinor}/${randomUUID()}`,
    purpose: 'prepayment',
  });
  return { ...collected, principalMinor: plan.principalMinor, prepaymentFeeMinor: plan.prepaymentFeeMinor };
}

type OrderFacts = {
  orderNo: string;
  purpose: string;
  kind: string;
  channel: string;
  amountMinor: string;
  sourceRef: string;
  loanId: string | null;
  code?: string | null;
  message?: string | null;
};

const prepaymentSource = /^loan:[0-9a-f-]{36}\/prepayment\/(reduce_payment|reduce_term)\/(\d+)\//;

async function collected(trx: Tx, facts: OrderFacts): Promise<void> {
  if (facts.loanId === null) return;
  const base = {
    loanId: facts.loanId,
    amountMinor: BigInt(facts.amountMinor),
    sourceRef: `payment-order:${facts.orderNo}`,
    channel: facts.channel,
  };
  const prepayment = prepaymentSource.exec(facts.sourceRef);
  if (prepayment?.[1] && prepayment[2]) {
    await applyPrepayment(trx, {
      ...base,
      mode: prepayment[1] as PrepaymentMode,
      principalMinor: BigInt(prepayment[2]),
      source: '2242',
    });
  } else if (facts.sourceRef.includes('/payoff/')) {
    await applyPayoff(trx, { ...base, source: '2242' });
  } else {
    await applyRepayment(trx, {
      ...base,
      kind: facts.sourceRef.includes('/auto-debit/') ? 'auto_debit' : 'repayment',
      collected: true,
    });
  }
}

/** Applies collections for loans and gives a failed or bounced refund payout's balance back. */
export const repaymentOutcomeConsumer: EventConsumer = {
  name: 'servicing.repayment-outcome',
  events: ['payments.order-succeeded', 'payments.order-failed', 'payments.payout-bounced'],
  async handle(trx, event) {
    const facts = event.data as unknown as OrderFacts;
    if (facts.purpose === 'repayment' && event.type === 'payments.order-succeeded') {
      await collected(trx, facts);
      return;
    }
    if (facts.purpose === 'overpayment_return' && event.type !== 'payments.order-succeeded') {
      const why =
        event.type === 'payments.payout-bounced'
          ? 'the refund payout bounced back'
          : `the refund payout failed${facts.code ? `: ${facts.code}` : ''}`;
      await refundFailed(trx, facts.orderNo, why);
    }
  },
};
