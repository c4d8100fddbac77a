import { createHash, createHmac, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { getBusinessDate } from '../../platform/business-date.ts';
import { canonicalJson } from '../../platform/canonical-json.ts';
import type { Config } from '../../platform/config.ts';
import { blindIndex } from '../../platform/crypto/blind-index.ts';
import { createDataKey, cryptoFor, encryptField, fieldContext } from '../../platform/crypto/envelope.ts';
import { maskPhone } from '../../platform/crypto/masking.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import { publishEvent } from '../../platform/outbox/publish.ts';
import type { PartnerScope } from '../iam/service.ts';
import { merchantForOrders } from '../merchants/service.ts';
import { publishedProductVersion } from '../products/service.ts';
import * as store from './store.ts';
import type { LoansDb, LoansTx, OrderItem } from './tables.ts';
import { type Loan, type Order, toLoan, toOrder } from './views.ts';

// A merchant's installment orders (分期订单), through the signed merchant API. An order is made
// once per merchant order id: a replay with the same content answers the first order (and its
// checkout link) again; other content under the same id is refused. The checkout token is an
// HMAC of the order id, so it can be answered again without being stored.

export type NewOrder = {
  merchantOrderId: string;
  productCode?: string | undefined;
  amountMinor: bigint;
  items: OrderItem[];
  customerPhone?: string | undefined;
  returnUrl?: string | undefined;
};

export type CreatedOrder = { order: Order; checkoutToken: string; checkoutUrl: string; created: boolean };

export function checkoutTokenOf(config: Config, orderId: string): string {
  return createHmac('sha256', config.secrets.sessionKey)
    .update(`fenqi checkout token\0${orderId}`)
    .digest('base64url');
}

export const tokenSha256 = (token: string) => createHash('sha256').update(token).digest('hex');

const phoneContext = (orderId: string) => fieldContext('loan_orders', 'customer_phone', orderId);

function fingerprint(merchantId: string, input: NewOrder, productCode: string): string {
  return createHash('sha256')
    .update(
      canonicalJson({
        merchantId,
        merchantOrderId: input.merchantOrderId,
        productCode,
        amountMinor: String(input.amountMinor),
        items: input.items,
        customerPhone: input.customerPhone ?? null,
        returnUrl: input.returnUrl ?? null,
      }),
    )
    .digest('hex');
}

function created(config: Config, row: store.OrderRow, wasCreated: boolean): CreatedOrder {
  const checkoutToken = checkoutTokenOf(config, row.id);
  return {
    order: toOrder(row),
    checkoutToken,
    checkoutUrl: `${config.loans.checkoutBaseUrl}/${checkoutToken}`,
    created: wasCreated,
  };
}

function replayOrConflict(config: Config, row: store.OrderRow, sha: string): CreatedOrder {
  if (row.request_sha256 === sha) return created(config, row, false);
  throw new AppError(
    'merchant_order_conflict',
    `Merchant order ${row.merchant_order_id} was already created with different content.`,
    { extensions: { orderId: row.id } },
  );
}

export async function createOrder(
  trx: Tx,
  config: Config,
  scope: PartnerScope,
  input: NewOrder,
): Promise<CreatedOrder> {
  const t: LoansTx = trx;
  const merchant = await merchantForOrders(trx, scope.ownerId);
  const productCode = input.productCode ?? merchant.productCodes[0];
  if (productCode === undefined || !merchant.productCodes.includes(productCode)) {
    throw new AppError(
      'validation_failed',
      `The merchant does not offer product ${productCode ?? '(none)'}.`,
      {
        errors: [
          {
            in: 'body',
            path: 'productCode',
            message: `must be one of the merchant's products: ${merchant.productCodes.join(', ') || '(none)'}`,
          },
        ],
      },
    );
  }
  const sha = fingerprint(merchant.id, input, productCode);
  const earlier = await store.findMerchantOrder(t, scope, input.merchantOrderId);
  if (earlier) return replayOrConflict(config, earlier, sha);
  const itemsTotal = input.items.reduce(
    (sum, item) => sum + BigInt(item.unitPriceMinor) * BigInt(item.quantity),
    0n,
  );
  if (itemsTotal !== input.amountMinor) {
    throw new AppError(
      'validation_failed',
      `The items add up to ${itemsTotal} fen, not the order's ${input.amountMinor}.`,
      {
        errors: [
          { in: 'body', path: 'items', message: `must add up to the amount (${input.amountMinor} fen)` },
        ],
      },
    );
  }
  const version = await publishedProductVersion(trx, productCode);
  const { amountMinMinor, amountMaxMinor } = version.product;
  if (input.amountMinor < amountMinMinor || input.amountMinor > amountMaxMinor) {
    throw new AppError(
      'validation_failed',
      `Product ${productCode} lends ${amountMinMinor} to ${amountMaxMinor} fen; the order is ${input.amountMinor}.`,
      {
        errors: [
          { in: 'body', path: 'amount', message: `must be ${amountMinMinor} to ${amountMaxMinor} fen` },
        ],
      },
    );
  }
  const id = randomUUID();
  let phone: Pick<store.OrderRow, 'customer_phone_enc' | 'customer_phone_bidx' | 'customer_phone_masked'> = {
    customer_phone_enc: null,
    customer_phone_bidx: null,
    customer_phone_masked: null,
  };
  if (input.customerPhone !== undefined) {
    const key = await createDataKey(trx, cryptoFor(config).kms, 'loan-orders');
    phone = {
      customer_phone_enc: encryptField(key, input.customerPhone, phoneContext(id)),
      customer_phone_bidx: blindIndex(config.secrets.blindIndexKey, 'phone', input.customerPhone),
      customer_phone_masked: maskPhone(input.customerPhone),
    };
  }
  const row = await store.insertOrder(t, {
    id,
    merchant_id: merchant.id,
    merchant_order_id: input.merchantOrderId,
    product_code: productCode,
    amount_minor: input.amountMinor,
    currency: 'CNY',
    items: JSON.stringify(input.items),
    request_sha256: sha,
    ...phone,
    return_url: input.returnUrl ?? null,
    token_sha256: tokenSha256(checkoutTokenOf(config, id)),
    status: 'open',
    expires_at: sql<Date>`now() + make_interval(mins => ${config.loans.orderTtlMinutes})` as unknown as Date,
    business_date: await getBusinessDate(trx),
  });
  if (row === undefined) {
    // A concurrent create of the same merchant order id committed first.
    const winner = await store.findMerchantOrder(t, scope, input.merchantOrderId);
    if (winner) return replayOrConflict(config, winner, sha);
    throw new AppError('concurrent_conflict', 'Another request created this order at the same time; retry.');
  }
  return created(config, row, true);
}

export async function merchantOrder(
  db: DB | Tx,
  config: Config,
  scope: PartnerScope,
  merchantOrderId: string,
): Promise<CreatedOrder & { loan: Loan | null }> {
  const row = await store.findMerchantOrder(db as LoansDb, scope, merchantOrderId);
  if (!row) throw new AppError('not_found', `There is no order ${merchantOrderId}.`);
  const loan = row.loan_id === null ? undefined : await store.findLoan(db as LoansDb, row.loan_id);
  return { ...created(config, row, false), loan: loan ? toLoan(loan) : null };
}

/**
 * The merchant withdraws an order nobody accepted yet. An accepted order is the borrower's loan:
 * once disbursed it is refunded (refunds.ts); while its payout is in flight it cannot be stopped
 * safely, and the merchant is told so.
 */
export async function cancelOrder(
  trx: Tx,
  scope: PartnerScope,
  merchantOrderId: string,
  reason: string,
): Promise<Order> {
  const t: LoansTx = trx;
  const row = await store.lockMerchantOrder(t, scope, merchantOrderId);
  if (!row) throw new AppError('not_found', `There is no order ${merchantOrderId}.`);
  if (row.status === 'cancelled') return toOrder(row);
  if (row.status !== 'open') {
    throw new AppError(
      'order_not_cancellable',
      row.status === 'accepted'
        ? `Order ${merchantOrderId} was accepted by the borrower: refund it once it is disbursed.`
        : `Order ${merchantOrderId} is ${row.status}.`,
      { extensions: { orderStatus: row.status } },
    );
  }
  const cancelled = await store.updateOrder(t, row.id, { status: 'cancelled', cancel_reason: reason });
  await publishEvent(trx, {
    type: 'loans.order-cancelled',
    subject: { type: 'loan-order', id: row.id },
    owner: { kind: 'merchant', id: row.merchant_id },
    payload: { orderId: row.id, merchantOrderId: row.merchant_order_id, loanId: null, reason },
  });
  return toOrder(cancelled);
}
