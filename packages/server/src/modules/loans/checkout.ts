import { sql } from 'kysely';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { Config } from '../../platform/config.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { blindIndexesOf, ownCustomerId, requireConsents } from '../customers/service.ts';
import { previewShares } from '../funding/service.ts';
import type { BorrowerScope } from '../iam/service.ts';
import { merchantById, merchantForOrders } from '../merchants/service.ts';
import { ownAgreements } from '../payments/service.ts';
import { publishedProductVersion } from '../products/service.ts';
import { contractDigest } from './contract/index.ts';
import { tokenSha256 } from './orders.ts';
import { type ContractRenderer, contractInputOf, originate } from './origination.ts';
import { priceLoan } from './pricing.ts';
import * as store from './store.ts';
import type { LoansDb } from './tables.ts';
import { type Loan, type Order, type Quote, toLoan, toOrder, toQuote } from './views.ts';

// The borrower's side of origination: an order seen by its checkout token, a quote for each term
// it offers, and acceptance, which makes the loan (origination.ts). A cash drawdown is the same
// flow without a merchant: the borrower names the product, the amount and the bound card.

/** What accepting a loan needs the borrower to have agreed to, in its current version. */
export const originationConsents = ['loan_contract'] as const;

async function customerOf(db: DB | Tx, scope: BorrowerScope): Promise<string> {
  const customerId = await ownCustomerId(db, scope);
  if (customerId === undefined) {
    throw new AppError('customer_profile_required', 'Register your name and ID number before borrowing.');
  }
  return customerId;
}

async function orderByToken(db: DB | Tx, token: string, lock: boolean): Promise<store.OrderRow> {
  const sha = tokenSha256(token);
  const row = await store.findOrderByToken(db as LoansDb, sha, lock);
  // A wrong token and another's order look the same: not found.
  if (!row) throw new AppError('not_found', 'There is no such order.');
  return row;
}

async function isExpired(db: DB | Tx, row: store.OrderRow): Promise<boolean> {
  const now = await sql<{
    expired: boolean;
  }>`SELECT ${row.expires_at}::timestamptz < now() AS expired`.execute(db);
  return now.rows[0]?.expired === true;
}

export type CheckoutView = {
  order: Order;
  merchant: { name: string; scenario: string };
  product: { code: string; version: number; termsOffered: number[]; coolingOffDays: number };
};

export async function checkoutView(db: DB, token: string): Promise<CheckoutView> {
  const row = await orderByToken(db, token, false);
  const merchant = await merchantById(db, row.merchant_id);
  const version = await publishedProductVersion(db, row.product_code);
  const order = toOrder(row);
  if (order.status === 'open' && (await isExpired(db, row))) order.status = 'expired';
  return {
    order,
    merchant: { name: merchant.name, scenario: merchant.scenario },
    product: {
      code: version.code,
      version: version.version,
      termsOffered: [...version.product.termsOffered],
      coolingOffDays: version.product.coolingOffDays,
    },
  };
}

/** The order's loan with the term, priced for the borrower today (the grade their decision gave). */
async function pricedOrder(db: DB, scope: BorrowerScope, row: store.OrderRow, termCount: number) {
  const customerId = await customerOf(db, scope);
  const merchant = await merchantById(db, row.merchant_id);
  const businessDate = await getBusinessDate(db);
  const priced = await priceLoan(db, {
    customerId,
    productCode: row.product_code,
    termCount,
    principalMinor: row.amount_minor,
    startDate: businessDate,
    merchantDiscountRate: merchant.discountRate,
  });
  return { customerId, merchant, businessDate, priced };
}

export async function quoteOrder(
  db: DB,
  scope: BorrowerScope,
  token: string,
  termCount: number,
): Promise<Quote> {
  const row = await orderByToken(db, token, false);
  return toQuote((await pricedOrder(db, scope, row, termCount)).priced);
}

/**
 * The contract the borrower would accept with this term, drawn now, to read before accepting: the
 * same text and figures as the signed one (today's quote, the funders' shares as allocation would
 * plan them now), marked as a preview — no contract number, no acceptance — and nothing is written.
 */
export async function previewContract(
  db: DB,
  config: Config,
  scope: BorrowerScope,
  input: { token: string; termCount: number },
  render: ContractRenderer,
): Promise<{ contractNo: string; sha256: string; pdf: Buffer }> {
  const row = await orderByToken(db, input.token, false);
  // An accepted order has its contract (GET /api/v1/borrower/loans/{loanId}/contract).
  if (row.status !== 'open')
    throw new AppError('order_not_open', `The order is ${row.status}.`, {
      extensions: { orderStatus: row.status },
    });
  const { customerId, merchant, businessDate, priced } = await pricedOrder(db, scope, row, input.termCount);
  const shares = await previewShares(db, {
    productCode: row.product_code,
    principalMinor: priced.schedule.financedPrincipalMinor,
  });
  const pdf = await render(
    await contractInputOf(db, config, {
      customerId,
      order: { row, merchant },
      priced,
      contractNo: previewContractNo,
      businessDate,
      shares,
      acceptedAt: null,
    }),
  );
  return { contractNo: previewContractNo, sha256: contractDigest(pdf), pdf };
}

/** What a preview shows where the contract number will be. */
export const previewContractNo = '预览（接受后编号）';

/**
 * Accepts the order with the chosen term: the loan, under the order's row lock, so of any number
 * of concurrent accepts one makes the loan. The same borrower accepting again with the same term
 * gets that loan back (a double tap is not an error); anything else is refused.
 */
export async function acceptOrder(
  trx: Tx,
  config: Config,
  scope: BorrowerScope,
  input: { token: string; termCount: number },
  render?: ContractRenderer,
): Promise<{ loan: Loan; created: boolean }> {
  const row = await orderByToken(trx, input.token, true);
  const customerId = await customerOf(trx, scope);
  if (row.status === 'accepted' && row.loan_id !== null) {
    const loan = await store.findLoan(trx as LoansDb, row.loan_id);
    if (loan && loan.borrower_id === scope.borrowerId && loan.term_count === input.termCount) {
      return { loan: toLoan(loan), created: false };
    }
  }
  if (row.status !== 'open') {
    throw new AppError('order_not_open', `The order is ${row.status}.`, {
      extensions: { orderStatus: row.status },
    });
  }
  if (await isExpired(trx, row)) {
    // Refused and rolled back: an expired order is shown as expired from its time, not stored so.
    throw new AppError('order_not_open', 'The order has expired.', {
      extensions: { orderStatus: 'expired' },
    });
  }
  if (row.customer_phone_bidx !== null) {
    const { phoneIndex } = await blindIndexesOf(trx, customerId);
    if (phoneIndex !== row.customer_phone_bidx) {
      throw new AppError(
        'order_for_another_customer',
        'The merchant made this order for another phone number.',
      );
    }
  }
  await requireConsents(trx, customerId, originationConsents, await getBusinessDate(trx));
  const merchant = await merchantForOrders(trx, row.merchant_id);
  const loan = await originate(
    trx,
    config,
    {
      kind: 'merchant_order',
      borrowerId: scope.borrowerId,
      customerId,
      productCode: row.product_code,
      termCount: input.termCount,
      principalMinor: row.amount_minor,
      order: { row, merchant },
    },
    render,
  );
  return { loan: toLoan(loan), created: true };
}

export type DrawdownRequest = { productCode: string; amountMinor: bigint; termCount: number };

async function revolvingProduct(db: DB | Tx, productCode: string) {
  const version = await publishedProductVersion(db, productCode);
  if (!version.product.revolving) {
    throw new AppError('validation_failed', `Product ${productCode} is not a revolving cash product.`, {
      errors: [{ in: 'body', path: 'productCode', message: 'must be a revolving product' }],
    });
  }
  return version;
}

export async function quoteDrawdown(db: DB, scope: BorrowerScope, input: DrawdownRequest): Promise<Quote> {
  const customerId = await customerOf(db, scope);
  await revolvingProduct(db, input.productCode);
  const priced = await priceLoan(db, {
    customerId,
    productCode: input.productCode,
    termCount: input.termCount,
    principalMinor: input.amountMinor,
    startDate: await getBusinessDate(db),
  });
  return toQuote(priced);
}

export async function drawdown(
  trx: Tx,
  config: Config,
  scope: BorrowerScope,
  input: DrawdownRequest & { cardId: string },
  render?: ContractRenderer,
): Promise<Loan> {
  const customerId = await customerOf(trx, scope);
  await revolvingProduct(trx, input.productCode);
  // Paid only to a card bound through the channel: a card merely registered is not checked.
  const agreements = await ownAgreements(trx as unknown as DB, scope);
  if (!agreements.some((agreement) => agreement.cardId === input.cardId && agreement.status === 'active')) {
    throw new AppError('validation_failed', 'Cash is paid only to one of your bound cards.', {
      errors: [{ in: 'body', path: 'cardId', message: 'must be a card bound through card binding' }],
    });
  }
  await requireConsents(trx, customerId, originationConsents, await getBusinessDate(trx));
  const loan = await originate(
    trx,
    config,
    {
      kind: 'cash_drawdown',
      borrowerId: scope.borrowerId,
      customerId,
      productCode: input.productCode,
      termCount: input.termCount,
      principalMinor: input.amountMinor,
      payeeCardId: input.cardId,
    },
    render,
  );
  return toLoan(loan);
}
