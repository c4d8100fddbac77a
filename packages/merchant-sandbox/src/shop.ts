import { randomBytes, randomUUID } from 'node:crypto';
import type { FenqiOrder, Problem } from './fenqi.ts';

// The shop's own books: what it sells and the orders it took. A demo keeps them in memory — a
// restart forgets every order (Fenqi still has them). A real merchant would keep the same things in
// its database: the order with its Idempotency-Key before calling Fenqi, and the ids of the
// webhook events already handled, to deduplicate deliveries.

export type Text = { zh: string; en: string };

export type CatalogueItem = {
  sku: string;
  name: Text;
  blurb: Text;
  /** Price in fen, as a string of digits (Fenqi's wire format). */
  priceMinor: string;
  /** The product this kind of purchase is financed with, when the merchant offers it. */
  productCode: string;
  /** One character for its picture (no image files, no emoji font needed). */
  mark: string;
};

/** The four purchases of the demo: the scenarios the demo business has a product for. */
export const catalogue: readonly CatalogueItem[] = [
  {
    sku: 'course',
    name: { zh: '雅思精讲课程（12 周）', en: 'IELTS intensive course, 12 weeks' },
    blurb: { zh: '小班授课，含模考与批改', en: 'Small classes, mock tests and marking' },
    priceMinor: '680000',
    productCode: 'edu-installment',
    mark: '课',
  },
  {
    sku: 'trip',
    name: { zh: '云南七日游（双人）', en: 'Yunnan, seven days for two' },
    blurb: { zh: '昆明—大理—丽江，含机票酒店', en: 'Kunming, Dali, Lijiang; flights and hotels' },
    priceMinor: '880000',
    productCode: 'travel-flat',
    mark: '游',
  },
  {
    sku: 'renovation',
    name: { zh: '厨房整体翻新套餐', en: 'Kitchen renovation package' },
    blurb: { zh: '橱柜、台面、水电改造，含施工', en: 'Cabinets, worktop, plumbing and wiring, fitted' },
    priceMinor: '3800000',
    productCode: 'home-principal',
    mark: '装',
  },
  {
    sku: 'phone',
    name: { zh: '智能手机 256GB', en: 'Smartphone, 256 GB' },
    blurb: { zh: '全网通，一年质保', en: 'All networks, one-year warranty' },
    priceMinor: '599900',
    productCode: '3c-interest-first',
    mark: '机',
  },
];

export type OrderStatus =
  | 'creating'
  | 'failed'
  | 'awaiting_checkout'
  | 'approved'
  | 'paid'
  | 'partially_refunded'
  | 'refunded'
  | 'cancelled'
  | 'expired';

export const statusLabels: Record<OrderStatus, Text> = {
  creating: { zh: '下单中', en: 'Creating' },
  failed: { zh: '下单失败', en: 'Order failed' },
  awaiting_checkout: { zh: '待分期确认', en: 'Awaiting checkout' },
  approved: { zh: '已确认，放款中', en: 'Accepted, paying out' },
  paid: { zh: '已付款', en: 'Paid' },
  partially_refunded: { zh: '部分退款', en: 'Partly refunded' },
  refunded: { zh: '已退款', en: 'Refunded' },
  cancelled: { zh: '已取消', en: 'Cancelled' },
  expired: { zh: '已过期', en: 'Expired' },
};

/** How the shop learnt of a change: its own call's answer, a webhook, or asking Fenqi. */
export type Via = 'api' | 'webhook' | 'query';

export type StatusChange = { at: string; status: OrderStatus; via: Via; eventId?: string; note?: string };

export type ShopOrder = {
  merchantOrderId: string;
  sku: string;
  name: Text;
  amountMinor: string;
  productCode: string | null;
  /** The key the create call was sent with: a retry sends the same one. */
  idempotencyKey: string;
  createdAt: string;
  status: OrderStatus;
  checkoutUrl: string | null;
  fenqiOrderId: string | null;
  loanId: string | null;
  loanNo: string | null;
  /** Refunds by refund id (fen), from our own refund answers and Fenqi's refund events. */
  refunds: Record<string, string>;
  problem: Problem | null;
  history: StatusChange[];
};

export type ReceivedEvent = {
  id: string;
  type: string;
  occurredAt: string | null;
  receivedAt: string;
  merchantOrderId: string | null;
  data: Record<string, unknown>;
  /** Deliveries of this event: Fenqi delivers at least once, so a repeat is counted, not applied. */
  deliveries: number;
  /** Whether it moved the order (an event arriving after a later one changes nothing). */
  moved: boolean;
};

// Which change may follow which: events carry no order between them, so a late one never takes an
// order back (docs/events.md).
const next: Record<OrderStatus, readonly OrderStatus[]> = {
  creating: ['awaiting_checkout', 'failed'],
  failed: [],
  awaiting_checkout: ['approved', 'paid', 'cancelled', 'expired'],
  approved: ['paid', 'cancelled'],
  paid: ['partially_refunded', 'refunded'],
  partially_refunded: ['partially_refunded', 'refunded'],
  refunded: [],
  cancelled: [],
  expired: [],
};

const ordersMax = 500;
const eventsMax = 2000;

export function createShop() {
  const orders = new Map<string, ShopOrder>();
  const events = new Map<string, ReceivedEvent>();

  function advance(
    order: ShopOrder,
    to: OrderStatus,
    via: Via,
    extra: { eventId?: string; note?: string } = {},
  ) {
    if (!next[order.status].includes(to)) return false;
    order.status = to;
    order.history.push({ at: new Date().toISOString(), status: to, via, ...extra });
    return true;
  }

  function refundedMinor(order: ShopOrder): bigint {
    return Object.values(order.refunds).reduce((sum, amount) => sum + BigInt(amount), 0n);
  }

  function afterRefund(order: ShopOrder, full: boolean, via: Via, eventId?: string) {
    const to = full || refundedMinor(order) >= BigInt(order.amountMinor) ? 'refunded' : 'partially_refunded';
    return advance(order, to, via, eventId === undefined ? {} : { eventId });
  }

  function forget<K, V>(map: Map<K, V>, max: number) {
    while (map.size > max) {
      const oldest = map.keys().next();
      if (oldest.done) return;
      map.delete(oldest.value);
    }
  }

  return {
    /** A new order in the shop's books, before Fenqi is called (its id and key are ours). */
    newOrder(item: CatalogueItem, productCode: string | null): ShopOrder {
      const day = new Date().toISOString().slice(0, 10).replaceAll('-', '');
      const order: ShopOrder = {
        merchantOrderId: `SBX-${day}-${randomBytes(5).toString('hex').toUpperCase()}`,
        sku: item.sku,
        name: item.name,
        amountMinor: item.priceMinor,
        productCode,
        idempotencyKey: randomUUID(),
        createdAt: new Date().toISOString(),
        status: 'creating',
        checkoutUrl: null,
        fenqiOrderId: null,
        loanId: null,
        loanNo: null,
        refunds: {},
        problem: null,
        history: [{ at: new Date().toISOString(), status: 'creating', via: 'api' }],
      };
      orders.set(order.merchantOrderId, order);
      forget(orders, ordersMax);
      return order;
    },

    order: (merchantOrderId: string) => orders.get(merchantOrderId),
    orders: () => [...orders.values()].reverse(),
    events: () => [...events.values()].reverse(),

    created(order: ShopOrder, answer: FenqiOrder) {
      order.checkoutUrl = answer.checkoutUrl;
      order.fenqiOrderId = answer.order.id;
      advance(order, 'awaiting_checkout', 'api');
    },

    failed(order: ShopOrder, problem: Problem) {
      order.problem = problem;
      advance(order, 'failed', 'api', { note: `${problem.code}: ${problem.detail}` });
    },

    cancelled(order: ShopOrder) {
      advance(order, 'cancelled', 'api');
    },

    refunded(order: ShopOrder, refund: { refundId: string; amountMinor: string; kind: string }) {
      order.refunds[refund.refundId] = refund.amountMinor;
      afterRefund(order, refund.kind !== 'partial', 'api');
    },

    /** What Fenqi answers to GET /merchant/orders/{id}, when it is ahead of what we know. */
    queried(order: ShopOrder, answer: FenqiOrder) {
      const loan = answer.loan ?? null;
      if (loan !== null) {
        order.loanId = loan.id;
        order.loanNo = loan.loanNo;
      }
      const status = answer.order.status;
      if (status === 'open') return;
      if (status === 'cancelled' || status === 'expired') {
        advance(order, status, 'query');
        return;
      }
      if (loan === null || loan.state === 'pending_disbursement') advance(order, 'approved', 'query');
      else if (loan.state === 'cancelled') {
        advance(order, loan.disbursedOn === null ? 'cancelled' : 'refunded', 'query');
      } else advance(order, 'paid', 'query');
    },

    /**
     * A verified webhook event. Deduplicated by its id: a delivery of an event already handled
     * is counted and changes nothing.
     */
    receive(event: { id: string; type: string; occurredAt?: unknown; data?: unknown }): {
      duplicate: boolean;
    } {
      const seen = events.get(event.id);
      if (seen !== undefined) {
        seen.deliveries += 1;
        return { duplicate: true };
      }
      const data =
        typeof event.data === 'object' && event.data !== null ? (event.data as Record<string, unknown>) : {};
      const merchantOrderId = typeof data.merchantOrderId === 'string' ? data.merchantOrderId : null;
      const received: ReceivedEvent = {
        id: event.id,
        type: event.type,
        occurredAt: typeof event.occurredAt === 'string' ? event.occurredAt : null,
        receivedAt: new Date().toISOString(),
        merchantOrderId,
        data,
        deliveries: 1,
        moved: false,
      };
      events.set(event.id, received);
      forget(events, eventsMax);
      const order = merchantOrderId === null ? undefined : orders.get(merchantOrderId);
      if (order === undefined) return { duplicate: false };
      if (typeof data.loanId === 'string') order.loanId = data.loanId;
      if (typeof data.loanNo === 'string') order.loanNo = data.loanNo;
      const by = { eventId: event.id };
      switch (event.type) {
        case 'loans.order-approved':
          received.moved = advance(order, 'approved', 'webhook', by);
          break;
        case 'loans.loan-disbursed':
          received.moved = advance(order, 'paid', 'webhook', by);
          break;
        case 'loans.order-cancelled':
          received.moved = advance(order, 'cancelled', 'webhook', {
            ...by,
            ...(typeof data.reason === 'string' ? { note: data.reason } : {}),
          });
          break;
        case 'loans.order-refunded': {
          if (typeof data.refundId === 'string' && typeof data.refundAmountMinor === 'string')
            order.refunds[data.refundId] = data.refundAmountMinor;
          const full = data.refundKind === 'full' || data.refundKind === 'cooling_off';
          received.moved = afterRefund(order, full, 'webhook', event.id);
          break;
        }
      }
      return { duplicate: false };
    },
  };
}

export type Shop = ReturnType<typeof createShop>;
