import { randomUUID } from 'node:crypto';
import type { DB } from '../../platform/db.ts';
import { originOf } from '../../platform/http/origin.ts';
import { commandRoute, queryRoute } from '../../platform/http/route.ts';
import { approvalView, borrowerScope, staffOf } from '../iam/service.ts';
import { ownLoan } from '../loans/service.ts';
import { requestPayoff, requestPrepayment, requestRepayment } from './collect.ts';
import { refundCreditBalance } from './credit-balance.ts';
import { requestOfflineRepayment } from './offline.ts';
import { payoffQuoteOf } from './payoff.ts';
import { prepaymentQuoteOf } from './prepayment.ts';
import { checkedAmount } from './problems.ts';
import { reverseRepayment } from './reversal.ts';
import * as s from './schemas-repayments.ts';

// Repayments over HTTP (docs/servicing.md). Borrowers repay, pay off and prepay their own loans
// through their bound card, and have a credit balance paid back to it; staff quote, record offline
// transfers (maker-checker), reverse a repayment and refund a credit balance. Every change is a
// command: one transaction, Idempotency-Key required; a refused request collects and posts nothing.

const tags = ['servicing'];

export const repaymentRoutes = [
  // ---- borrower ----
  queryRoute({
    method: 'GET',
    url: '/api/v1/borrower/loans/:loanId/payoff-quote',
    permission: 'borrower:self',
    summary: 'What pays one of your loans off today (valid today only)',
    tags,
    schema: { params: s.loanParams, response: { 200: s.payoffQuoteView } },
    handler: async ({ db, caller, params }) => {
      const loan = await ownLoan(db, borrowerScope(caller), params.loanId);
      return { status: 200, body: await payoffQuoteOf(db, loan.id) };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/borrower/loans/:loanId/repayments',
    permission: 'borrower:self',
    summary: 'Repay an amount, the current bill or everything due, debited from your bound card',
    description:
      'Collected through the payment channel; the money is allocated by the product’s waterfall when the channel confirms it. An amount above today’s payoff, zero or negative is 422 repayment_amount_invalid; a closed loan 409 loan_not_repayable; no active card 422 repayment_card_not_bound. A refused request collects nothing.',
    tags,
    schema: { params: s.loanParams, body: s.repaymentBody, response: { 201: s.collectView } },
    handler: async ({ trx, caller, params, body, services }) => {
      const ask =
        body.what === 'amount'
          ? { what: 'amount' as const, amountMinor: body.amountMinor ?? '' }
          : { what: body.what };
      return {
        status: 201,
        body: await requestRepayment(trx, services.config, borrowerScope(caller), params.loanId, {
          ...ask,
          agreementId: body.agreementId,
        }),
      };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/borrower/loans/:loanId/payoff',
    permission: 'borrower:self',
    summary: 'Pay the loan off at today’s quote, debited from your bound card',
    description:
      'A quote from another day is 409 payoff_quote_stale; less than today’s quote 422 payoff_amount_short; a product that allows no early repayment 422 prepayment_not_allowed. Nothing is collected for a refused payoff.',
    tags,
    schema: { params: s.loanParams, body: s.payoffBody, response: { 201: s.collectView } },
    handler: async ({ trx, caller, params, body, services }) => ({
      status: 201,
      body: await requestPayoff(trx, services.config, borrowerScope(caller), params.loanId, body),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/borrower/loans/:loanId/prepayment-quote',
    permission: 'borrower:self',
    summary: 'What a partial prepayment takes today and the schedule after it',
    tags,
    schema: {
      params: s.loanParams,
      querystring: s.prepaymentQuery,
      response: { 200: s.prepaymentQuoteView },
    },
    handler: async ({ db, caller, params, query }) => {
      const loan = await ownLoan(db, borrowerScope(caller), params.loanId);
      const plan = await prepaymentQuoteOf(db, loan.id, query);
      return { status: 200, body: prepaymentQuote(plan) };
    },
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/borrower/loans/:loanId/prepayments',
    permission: 'borrower:self',
    summary: 'Prepay principal (reduce_payment or reduce_term), with the current installment',
    description:
      'Refused while an installment is overdue (409 prepayment_while_overdue), when the product disallows it (422 prepayment_not_allowed) or core cannot re-amortize (422 prepayment_invalid).',
    tags,
    schema: { params: s.loanParams, body: s.prepaymentBody, response: { 201: s.prepaymentCollectView } },
    handler: async ({ trx, caller, params, body, services }) => ({
      status: 201,
      body: await requestPrepayment(trx, services.config, borrowerScope(caller), params.loanId, body),
    }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/borrower/loans/:loanId/credit-balance/refunds',
    permission: 'borrower:self',
    summary: 'Have your credit balance (an overpayment) paid back to your bound card',
    tags,
    schema: { params: s.loanParams, body: s.creditRefundBody, response: { 201: s.creditRefundView } },
    handler: async ({ trx, caller, params, body, services }) => {
      const loan = await ownLoan(trx as unknown as DB, borrowerScope(caller), params.loanId);
      return {
        status: 201,
        body: await refundCreditBalance(trx, services.config, {
          loanId: loan.id,
          amountMinor: body.amountMinor,
          agreementId: body.agreementId,
          requestRef: randomUUID(),
        }),
      };
    },
  }),

  // ---- staff ----
  queryRoute({
    method: 'GET',
    url: '/api/v1/servicing/loans/:loanId/payoff-quote',
    permission: 'loans:read',
    summary: 'A loan’s payoff quote today',
    tags,
    schema: { params: s.loanParams, response: { 200: s.payoffQuoteView } },
    handler: async ({ db, params }) => ({ status: 200, body: await payoffQuoteOf(db, params.loanId) }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/servicing/loans/:loanId/offline-repayments',
    permission: 'servicing:record-offline',
    summary: 'Ask for an offline transfer to be applied to a loan (maker)',
    description:
      'Checked now as the approval checks it; applied when a different user with servicing:approve approves at POST /api/v1/approvals/{id}/approve. One bank reference is applied once.',
    tags,
    schema: { params: s.loanParams, body: s.offlineBody, response: { 201: approvalView } },
    handler: async ({ trx, caller, params, body, request, services }) => ({
      status: 201,
      body: await requestOfflineRepayment(trx, services.config, {
        payload: {
          loanId: params.loanId,
          amountMinor: String(checkedAmount(body.amountMinor)),
          transferRef: body.transferRef,
          receivedOn: body.receivedOn,
        },
        reason: body.reason,
        maker: staffOf(caller),
        origin: originOf(request),
      }),
    }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/servicing/transactions/:transactionId/reversal',
    permission: 'servicing:reverse',
    summary: 'Reverse a repayment (a chargeback or a bounced collection)',
    description:
      'Its journal entry is reversed and the loan recomputed as if it had not been paid (penalty on the restored principal since the payment). Once per transaction (409 repayment_already_reversed), newest first (409 repayment_reversal_out_of_order).',
    tags,
    schema: { params: s.transactionParams, body: s.reversalBody, response: { 201: s.reversalView } },
    handler: async ({ trx, caller, params, body }) => ({
      status: 201,
      body: await reverseRepayment(trx, {
        transactionId: params.transactionId,
        reason: body.reason,
        actorId: staffOf(caller).userId,
      }),
    }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/servicing/loans/:loanId/credit-balance/refunds',
    permission: 'servicing:refund-credit',
    summary: 'Pay a borrower’s credit balance back to their bound card',
    tags,
    schema: { params: s.loanParams, body: s.creditRefundBody, response: { 201: s.creditRefundView } },
    handler: async ({ trx, params, body, services }) => ({
      status: 201,
      body: await refundCreditBalance(trx, services.config, {
        loanId: params.loanId,
        amountMinor: body.amountMinor,
        agreementId: body.agreementId,
        requestRef: randomUUID(),
      }),
    }),
  }),
];

function prepaymentQuote(plan: Awaited<ReturnType<typeof prepaymentQuoteOf>>) {
  const c = plan.currentInstallment;
  return {
    loanId: plan.account.loan_id,
    quoteDate: plan.quoteDate,
    mode: plan.mode,
    principalMinor: plan.principalMinor,
    prepaymentFeeMinor: plan.prepaymentFeeMinor,
    currentInstallment: {
      number: c.number,
      principalMinor: c.principal,
      interestMinor: c.interest,
      feeMinor: c.fee,
      penaltyMinor: c.penalty,
    },
    totalMinor: plan.totalMinor,
    installments: [...plan.installments],
  };
}
