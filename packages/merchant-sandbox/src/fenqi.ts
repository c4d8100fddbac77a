import { randomUUID } from 'node:crypto';
import { newNonce, signature } from './signature.ts';

// Fenqi's merchant API as the sandbox calls it: every request signed with the merchant's API key,
// every change with an Idempotency-Key, over plain HTTP like any integrator (no Fenqi code here).

export type Problem = { status: number; code: string; title: string; detail: string };

export type FenqiAnswer<T> =
  | { ok: true; status: number; body: T; requestId: string | null }
  | { ok: false; status: number; problem: Problem; requestId: string | null };

export type OrderItem = { name: string; quantity: number; unitPriceMinor: string };

/** The order as Fenqi answers it (`CreatedInstallmentOrder` in /openapi.json), the fields we read. */
export type FenqiOrder = {
  order: {
    id: string;
    merchantOrderId: string;
    productCode: string;
    amountMinor: string;
    status: 'open' | 'accepted' | 'cancelled' | 'expired';
    loanId: string | null;
    expiresAt: string;
  };
  checkoutToken: string;
  checkoutUrl: string;
  loan?: {
    id: string;
    loanNo: string;
    state: string;
    principalMinor: string;
    outstandingPrincipalMinor: string;
    payoutMinor: string;
    termCount: number;
    disbursedOn: string | null;
  } | null;
};

export type FenqiRefund = {
  refund: { id: string; merchantRefundId: string; amountMinor: string; kind: string };
  loan: { state: string; outstandingPrincipalMinor: string };
};

export type MerchantProfile = { id: string; name: string; status: string; productCodes: string[] };

/** Fenqi could not be reached, or did not answer in time: the outcome of a change is unknown. */
export class FenqiUnreachable extends Error {}

const requestTimeoutMs = 10_000;

export type FenqiClient = ReturnType<typeof fenqiClient>;

export function fenqiClient(options: { apiUrl: string; key: string; secret: string }) {
  async function call<T>(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    idempotencyKey?: string,
  ): Promise<FenqiAnswer<T>> {
    // Serialise once: the bytes signed are the bytes sent.
    const raw = body === undefined ? '' : JSON.stringify(body);
    const url = new URL(`${options.apiUrl}${path}`);
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = newNonce();
    const headers: Record<string, string> = {
      accept: 'application/json',
      'x-fenqi-key': options.key,
      'x-fenqi-timestamp': timestamp,
      'x-fenqi-nonce': nonce,
      'x-fenqi-signature': signature(options.secret, {
        method,
        path: `${url.pathname}${url.search}`,
        timestamp,
        nonce,
        body: raw,
      }),
    };
    if (method !== 'GET') headers['idempotency-key'] = idempotencyKey ?? randomUUID();
    if (raw !== '') headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        ...(raw === '' ? {} : { body: raw }),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
    } catch (error) {
      throw new FenqiUnreachable(`${method} ${url.pathname}: ${(error as Error).message}`);
    }
    const text = await response.text();
    const requestId = response.headers.get('x-request-id');
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (response.ok) return { ok: true, status: response.status, body: json as T, requestId };
    const problem = (json ?? {}) as Partial<Problem>;
    return {
      ok: false,
      status: response.status,
      requestId,
      problem: {
        status: response.status,
        code: typeof problem.code === 'string' ? problem.code : 'http_error',
        title: typeof problem.title === 'string' ? problem.title : response.statusText,
        detail: typeof problem.detail === 'string' ? problem.detail : text.slice(0, 300),
      },
    };
  }

  const order = (merchantOrderId: string) => `/api/v1/merchant/orders/${encodeURIComponent(merchantOrderId)}`;
  return {
    profile: () => call<MerchantProfile>('GET', '/api/v1/merchant/profile'),
    createOrder: (
      input: {
        merchantOrderId: string;
        amountMinor: string;
        items: OrderItem[];
        productCode?: string;
        returnUrl?: string;
      },
      idempotencyKey: string,
    ) => call<FenqiOrder>('POST', '/api/v1/merchant/orders', input, idempotencyKey),
    getOrder: (merchantOrderId: string) => call<FenqiOrder>('GET', order(merchantOrderId)),
    cancelOrder: (merchantOrderId: string, reason: string, idempotencyKey: string) =>
      call<FenqiOrder['order']>('POST', `${order(merchantOrderId)}/cancel`, { reason }, idempotencyKey),
    refund: (
      merchantOrderId: string,
      refund: { refundId: string; amountMinor: string },
      idempotencyKey: string,
    ) => call<FenqiRefund>('POST', `${order(merchantOrderId)}/refunds`, refund, idempotencyKey),
  };
}
