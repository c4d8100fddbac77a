import { z } from 'zod';
import { commandRoute, queryRoute } from '../../platform/http/route.ts';
import { borrowerScope, partnerScope } from '../iam/service.ts';
import { contractRenderer } from './origination.ts';
import * as s from './schemas.ts';
import * as service from './service.ts';

// Merchants create, read, cancel and refund their installment orders with signed API calls;
// borrowers open an order by its checkout token, quote each term and accept one, or draw cash from
// a revolving line; staff read every loan. Disbursement has no route: it follows the payments
// module's events. Contracts are answered as base64 inside JSON with their stored digest.

const contractBody = (file: service.ContractFile) => ({
  contractNo: file.contractNo,
  sha256: file.sha256,
  contentType: 'application/pdf' as const,
  pdfBase64: file.pdf.toString('base64'),
});

export const loanRoutes = [
  // ---- merchant API ----
  commandRoute({
    method: 'POST',
    url: '/api/v1/merchant/orders',
    permission: 'partner:self',
    summary: 'Create an installment order; the answer carries the checkout link for the borrower',
    description:
      'Idempotent by merchantOrderId as well as by Idempotency-Key: the same content again answers the first order (200); other content under the same merchantOrderId is 409 merchant_order_conflict. A suspended merchant gets 409 merchant_not_active.',
    tags: ['loans'],
    schema: { body: s.createOrderBody, response: { 201: s.createdOrderView, 200: s.createdOrderView } },
    handler: async ({ trx, caller, body, services }) => {
      const made = await service.createOrder(trx, services.config, partnerScope(caller), {
        merchantOrderId: body.merchantOrderId,
        productCode: body.productCode,
        amountMinor: BigInt(body.amountMinor),
        items: body.items,
        customerPhone: body.customerPhone,
        returnUrl: body.returnUrl,
      });
      return { status: made.created ? 201 : 200, body: made };
    },
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/merchant/orders/:merchantOrderId',
    permission: 'partner:self',
    summary: 'One of the merchant’s orders, with its loan once accepted',
    tags: ['loans'],
    schema: { params: s.merchantOrderParams, response: { 200: s.createdOrderView } },
    handler: async ({ db, caller, params, services }) => ({
      status: 200,
      body: await service.merchantOrder(db, services.config, partnerScope(caller), params.merchantOrderId),
    }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/merchant/orders/:merchantOrderId/cancel',
    permission: 'partner:self',
    summary: 'Withdraw an order no borrower has accepted',
    description: 'An accepted order is refunded once disbursed instead (409 order_not_cancellable).',
    tags: ['loans'],
    schema: { params: s.merchantOrderParams, body: s.cancelBody, response: { 200: s.orderView } },
    handler: async ({ trx, caller, params, body }) => ({
      status: 200,
      body: await service.cancelOrder(trx, partnerScope(caller), params.merchantOrderId, body.reason),
    }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/merchant/orders/:merchantOrderId/refunds',
    permission: 'partner:self',
    summary: 'Refund part or all of a disbursed order (退货)',
    description:
      'The principal is reduced and the schedule recomputed; a full refund within the product’s cooling-off days cancels the loan with no interest or fee. Idempotent by refundId.',
    tags: ['loans'],
    schema: {
      params: s.merchantOrderParams,
      body: s.refundBody,
      response: { 201: s.refundResult, 200: s.refundResult },
    },
    handler: async ({ trx, caller, params, body }) => {
      const result = await service.refundOrder(trx, partnerScope(caller), params.merchantOrderId, {
        refundId: body.refundId,
        amountMinor: BigInt(body.amountMinor),
      });
      return { status: result.created ? 201 : 200, body: result };
    },
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/merchant/loans/:loanId/contract',
    permission: 'partner:self',
    summary: 'The contract PDF of a loan made from one of the merchant’s orders',
    tags: ['loans'],
    schema: { params: s.loanParams, response: { 200: s.contractView } },
    handler: async ({ db, caller, params }) => ({
      status: 200,
      body: contractBody(await service.merchantContract(db, partnerScope(caller), params.loanId)),
    }),
  }),

  // ---- borrower API ----
  queryRoute({
    method: 'GET',
    url: '/api/v1/borrower/checkout/:token',
    permission: 'borrower:self',
    summary: 'The order behind a checkout link, with the terms its product offers',
    tags: ['loans'],
    schema: { params: s.tokenParams, response: { 200: s.checkoutView } },
    handler: async ({ db, params }) => ({ status: 200, body: await service.checkoutView(db, params.token) }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/borrower/checkout/:token/quote',
    permission: 'borrower:self',
    summary: 'The schedule, both annualized rates and the total cost of one term',
    tags: ['loans'],
    schema: { params: s.tokenParams, querystring: s.termQuery, response: { 200: s.quoteView } },
    handler: async ({ db, caller, params, query }) => ({
      status: 200,
      body: await service.quoteOrder(db, borrowerScope(caller), params.token, query.termCount),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/borrower/checkout/:token/contract',
    permission: 'borrower:self',
    summary: 'The contract of one term, to read before accepting: a preview, not in force',
    description:
      'The same text and figures as the contract acceptance signs — today’s quote, the funders’ shares as allocation would plan them now — marked as a preview, without a contract number or acceptance. Nothing is written. An order no longer open answers 409 order_not_open.',
    tags: ['loans'],
    schema: { params: s.tokenParams, querystring: s.termQuery, response: { 200: s.contractPreviewView } },
    handler: async ({ db, caller, params, query, services, compute }) => ({
      status: 200,
      body: contractBody(
        await service.previewContract(
          db,
          services.config,
          borrowerScope(caller),
          { token: params.token, termCount: query.termCount },
          contractRenderer(compute),
        ),
      ),
    }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/borrower/checkout/:token/accept',
    permission: 'borrower:self',
    summary: 'Accept the order with a term: the loan and its contract, and the payout to the merchant',
    description:
      'In one transaction the line’s available amount is reserved, the loan is created with its schedule under the product’s current version, and the contract is rendered. Accepting again with the same term answers the same loan (200).',
    tags: ['loans'],
    schema: {
      params: s.tokenParams,
      body: s.acceptBody,
      response: { 201: s.acceptedView, 200: s.acceptedView },
    },
    handler: async ({ trx, caller, params, body, services, compute }) => {
      const accepted = await service.acceptOrder(
        trx,
        services.config,
        borrowerScope(caller),
        { token: params.token, termCount: body.termCount },
        contractRenderer(compute),
      );
      return { status: accepted.created ? 201 : 200, body: { loan: accepted.loan } };
    },
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/borrower/drawdowns/quote',
    permission: 'borrower:self',
    summary: 'Quote a cash drawdown from a revolving line',
    tags: ['loans'],
    schema: { querystring: s.drawdownQuery, response: { 200: s.quoteView } },
    handler: async ({ db, caller, query }) => ({
      status: 200,
      body: await service.quoteDrawdown(db, borrowerScope(caller), {
        productCode: query.productCode,
        amountMinor: BigInt(query.amountMinor),
        termCount: query.termCount,
      }),
    }),
  }),
  commandRoute({
    method: 'POST',
    url: '/api/v1/borrower/drawdowns',
    permission: 'borrower:self',
    summary: 'Draw cash from a revolving line to a bound card',
    tags: ['loans'],
    schema: { body: s.drawdownBody, response: { 201: s.acceptedView } },
    handler: async ({ trx, caller, body, services, compute }) => ({
      status: 201,
      body: {
        loan: await service.drawdown(
          trx,
          services.config,
          borrowerScope(caller),
          {
            productCode: body.productCode,
            amountMinor: BigInt(body.amountMinor),
            termCount: body.termCount,
            cardId: body.cardId,
          },
          contractRenderer(compute),
        ),
      },
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/borrower/loans',
    permission: 'borrower:self',
    summary: 'The signed-in borrower’s loans, newest first',
    tags: ['loans'],
    schema: { response: { 200: z.array(s.borrowerLoanView) } },
    handler: async ({ db, caller }) => ({
      status: 200,
      body: await service.ownLoans(db, borrowerScope(caller)),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/borrower/loans/:loanId',
    permission: 'borrower:self',
    summary: 'One of the borrower’s loans with its current schedule and history',
    tags: ['loans'],
    schema: { params: s.loanParams, response: { 200: s.borrowerLoanDetail } },
    handler: async ({ db, caller, params }) => ({
      status: 200,
      body: await service.ownLoan(db, borrowerScope(caller), params.loanId),
    }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/borrower/loans/:loanId/contract',
    permission: 'borrower:self',
    summary: 'The contract PDF of one of the borrower’s loans',
    tags: ['loans'],
    schema: { params: s.loanParams, response: { 200: s.contractView } },
    handler: async ({ db, caller, params }) => ({
      status: 200,
      body: contractBody(await service.ownContract(db, borrowerScope(caller), params.loanId)),
    }),
  }),

  // ---- staff ----
  queryRoute({
    method: 'GET',
    url: '/api/v1/loans',
    permission: 'loans:read',
    summary: 'Loans, newest first, filtered by state, customer, merchant, product or the date they were made',
    tags: ['loans'],
    schema: { querystring: s.loanListQuery, response: { 200: s.loanPage } },
    handler: async ({ db, query }) => ({ status: 200, body: await service.listLoans(db, query) }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/loans/:loanId',
    permission: 'loans:read',
    summary: 'A loan with its schedule, state history, refunds and funder shares',
    tags: ['loans'],
    schema: { params: s.loanParams, response: { 200: s.staffLoanDetail } },
    handler: async ({ db, params }) => ({ status: 200, body: await service.loanForStaff(db, params.loanId) }),
  }),
  queryRoute({
    method: 'GET',
    url: '/api/v1/loans/:loanId/contract',
    permission: 'loans:read',
    summary: 'A loan’s contract PDF',
    tags: ['loans'],
    schema: { params: s.loanParams, response: { 200: s.contractView } },
    handler: async ({ db, params }) => ({
      status: 200,
      body: contractBody(await service.contractForStaff(db, params.loanId)),
    }),
  }),
];
