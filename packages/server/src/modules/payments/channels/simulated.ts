import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { CNY, formatMinor } from '@fenqi/core';
import { z } from 'zod';
import type { DateString } from '../../../platform/tables.ts';
import {
  type BindApplyAnswer,
  type BindConfirmAnswer,
  CallbackRejected,
  type CallbackRequest,
  type ChannelOutcome,
  type FailureReason,
  type PaymentChannel,
  type QueryAnswer,
  type Statement,
  type SubmitAnswer,
} from '../channel.ts';
import { parseSimStatement } from './simulated-statement.ts';

// The adapter for the simulated channel (`fenqi channel-sim`), written from its protocol in
// docs/payments.md and nothing else: a real channel's adapter has the same shape. Requests and
// callbacks are signed with HMAC-SHA256 over method, path, timestamp, nonce and the body's hash.

export type SimulatedChannelOptions = {
  code: string;
  baseUrl: string;
  merchantNo: string;
  secret: string;
  timeoutMs: number;
  /** Seconds a callback's timestamp may be off (the protocol says 300). */
  toleranceSeconds?: number;
};

const noncePattern = /^[A-Za-z0-9_-]{16,64}$/;

function stringToSign(method: string, path: string, timestamp: string, nonce: string, body: Buffer | string) {
  const bodyHash = createHash('sha256').update(body).digest('hex');
  return `${method.toUpperCase()}\n${path}\n${timestamp}\n${nonce}\n${bodyHash}`;
}

function hmac(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('hex');
}

/** 分 → the payout API's 元: a decimal string with exactly two places. */
export function fenToYuan(amountMinor: bigint): string {
  return formatMinor(amountMinor, CNY.minorDigits);
}

/** The collection API's 分: an integer, exact as a JSON number below 2^53. */
export function fenToJsonNumber(amountMinor: bigint): number {
  const value = Number(amountMinor);
  if (!Number.isSafeInteger(value))
    throw new Error(`amount ${amountMinor} is beyond a JSON number's exact range`);
  return value;
}

const kindOf = { PAYOUT: 'payout', COLLECT: 'collect', REFUND: 'refund' } as const;
const statusOf = {
  SUCCEEDED: 'succeeded',
  FAILED: 'failed',
  PROCESSING: 'processing',
  BOUNCED: 'bounced',
} as const;

const fen = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

const callbackBody = z.object({
  txnId: z.string().min(1).max(64),
  orderNo: z.string().min(1).max(64),
  kind: z.enum(['PAYOUT', 'COLLECT', 'REFUND']),
  status: z.enum(['SUCCEEDED', 'FAILED', 'PROCESSING', 'BOUNCED']),
  amountFen: fen,
  code: z.string().max(40).nullable().optional(),
  finishedAt: z.iso.datetime().nullable().optional(),
  bouncedAt: z.iso.datetime().optional(),
});

const paymentAnswer = z.union([
  z.object({
    returnCode: z.literal('ACCEPTED'),
    status: z.enum(['SUCCEEDED', 'FAILED', 'PROCESSING', 'UNKNOWN']),
    txnId: z.string().min(1).max(64),
    code: z.string().max(40).nullable().optional(),
    message: z.string().max(500).optional(),
  }),
  z.object({ returnCode: z.literal('REJECTED'), code: z.string().max(40), message: z.string().max(500) }),
]);

const queryAnswer = z.union([
  z.object({ found: z.literal(false) }),
  z.object({
    found: z.literal(true),
    txnId: z.string().min(1).max(64),
    kind: z.enum(['PAYOUT', 'COLLECT', 'REFUND']),
    status: z.enum(['SUCCEEDED', 'FAILED', 'PROCESSING', 'BOUNCED']),
    amountFen: fen,
    code: z.string().max(40).nullable().optional(),
    finishedAt: z.iso.datetime().nullable().optional(),
  }),
]);

const bindAnswer = z.union([
  z.object({ returnCode: z.literal('ACCEPTED'), status: z.literal('SMS_SENT') }),
  z.object({
    returnCode: z.literal('ACCEPTED'),
    status: z.literal('BOUND'),
    agreementNo: z.string().min(1).max(64),
  }),
  z.object({ returnCode: z.literal('REJECTED'), code: z.string().max(40), message: z.string().max(500) }),
]);

const smsAnswer = z.object({ orderNo: z.string(), smsCode: z.string().regex(/^\d{4,8}$/) });

/** The binding codes that name the element that was wrong. */
const elementOfCode = {
  BF00343: 'phone',
  BF00344: 'cardNumber',
  BF00345: 'name',
  BF00346: 'idNumber',
  BF00347: 'smsCode',
  BF00348: 'smsCode',
} as const;

/** Failures another attempt (a new order) may get past; the rest are final for this counterpart. */
const retryableCodes = new Set(['BF00113', 'BF00115', 'BF00202']);

/** The codes whose meaning a payer is told; the rest are a refusal by the bank (`declined`). */
const reasonOfCode: Readonly<Record<string, FailureReason>> = {
  BF00311: 'insufficient_balance', // 余额不足
  BF00360: 'card_unavailable', // the agreement is unknown, voided or unbound
};

/** The request never reached the channel: nothing could have been accepted. */
function neverSent(error: unknown): boolean {
  const code = (error as { cause?: { code?: string } } | undefined)?.cause?.code;
  return code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN';
}

const toDate = (value: string | null | undefined) => (value ? new Date(value) : null);

export function createSimulatedChannel(options: SimulatedChannelOptions): PaymentChannel {
  const tolerance = options.toleranceSeconds ?? 300;
  const base = options.baseUrl.replace(/\/$/, '');

  function signedHeaders(method: string, path: string, body: string): Record<string, string> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = randomBytes(24).toString('base64url');
    return {
      'x-sim-merchant': options.merchantNo,
      'x-sim-timestamp': timestamp,
      'x-sim-nonce': nonce,
      'x-sim-signature': hmac(options.secret, stringToSign(method, path, timestamp, nonce, body)),
    };
  }

  async function call(method: 'GET' | 'POST', path: string, payload?: unknown): Promise<unknown> {
    const body = payload === undefined ? '' : JSON.stringify(payload);
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...signedHeaders(method, path, body),
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(payload === undefined ? {} : { body }),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const text = await response.text();
    if (response.status >= 500 || response.status === 401) {
      throw new Error(`${options.code} ${method} ${path} answered ${response.status}: ${text.slice(0, 200)}`);
    }
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`${options.code} ${method} ${path} answered ${response.status} with no JSON`);
    }
  }

  /** Sends a payment request and maps the two-layer answer (acceptance, then status). */
  async function submit(path: string, payload: unknown): Promise<SubmitAnswer> {
    let raw: unknown;
    try {
      raw = await call('POST', path, payload);
    } catch (error) {
      if (neverSent(error)) return { status: 'send_failed', reason: String(error) };
      // It may have arrived: the outcome is unknown, and the order is never sent again.
      return { status: 'unknown', reason: error instanceof Error ? error.message : String(error) };
    }
    const answer = paymentAnswer.safeParse(raw);
    if (!answer.success) return { status: 'unknown', reason: 'the channel answered something unreadable' };
    const a = answer.data;
    if (a.returnCode === 'REJECTED') {
      if (a.code === 'BF00126') {
        // A duplicate order number: the first request arrived, so the order exists there.
        return { status: 'processing', txnId: null };
      }
      return {
        status: 'failed',
        code: a.code,
        message: a.message,
        retryable: retryableCodes.has(a.code),
        txnId: null,
      };
    }
    const outcomes: Record<typeof a.status, () => ChannelOutcome> = {
      SUCCEEDED: () => ({ status: 'succeeded', txnId: a.txnId, finishedAt: null }),
      FAILED: () => ({
        status: 'failed',
        code: a.code ?? 'FAILED',
        message: a.message ?? 'failed',
        retryable: retryableCodes.has(a.code ?? ''),
        txnId: a.txnId,
      }),
      PROCESSING: () => ({ status: 'processing', txnId: a.txnId }),
      UNKNOWN: () => ({ status: 'unknown', reason: 'the channel answered UNKNOWN' }),
    };
    return outcomes[a.status]();
  }

  function bindRejection(code: string, message: string) {
    return {
      status: 'rejected' as const,
      code,
      message,
      element: code in elementOfCode ? elementOfCode[code as keyof typeof elementOfCode] : null,
    };
  }

  return {
    code: options.code,
    statementTimeZone: 'Asia/Shanghai',
    verifyCard: {
      async apply(request): Promise<BindApplyAnswer> {
        const answer = bindAnswer.parse(
          await call('POST', '/v1/bind/apply', {
            orderNo: request.orderNo,
            name: request.name,
            idNumber: request.idNumber,
            cardNo: request.cardNumber,
            phone: request.phone,
          }),
        );
        if (answer.returnCode === 'REJECTED') return bindRejection(answer.code, answer.message);
        if (answer.status !== 'SMS_SENT') throw new Error('the channel bound a card without an SMS code');
        return { status: 'sms_sent' };
      },
      async confirm(request): Promise<BindConfirmAnswer> {
        const answer = bindAnswer.parse(await call('POST', '/v1/bind/confirm', request));
        if (answer.returnCode === 'REJECTED') return bindRejection(answer.code, answer.message);
        if (answer.status !== 'BOUND')
          throw new Error('the channel answered a confirmation without an agreement');
        return { status: 'bound', agreementNo: answer.agreementNo };
      },
    },
    // The simulator's admin API (unauthenticated: it is a simulator) tells the code it "sent".
    async demoSmsCode(orderNo) {
      const response = await fetch(`${base}/admin/sms?orderNo=${encodeURIComponent(orderNo)}`, {
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      if (response.status !== 200)
        throw new Error(`${options.code} has no SMS code for ${orderNo}: answered ${response.status}`);
      return smsAnswer.parse(await response.json()).smsCode;
    },
    async unbind(agreementNo) {
      await call('POST', '/v1/unbind', { agreementNo });
    },
    payout: (request) =>
      submit('/v1/payouts', {
        orderNo: request.orderNo,
        amount: fenToYuan(request.amountMinor),
        accountName: request.accountName,
        accountNo: request.accountNo,
        notifyUrl: request.notifyUrl,
      }),
    collect: (request) =>
      submit('/v1/collections', {
        orderNo: request.orderNo,
        agreementNo: request.agreementNo,
        amountFen: fenToJsonNumber(request.amountMinor),
        notifyUrl: request.notifyUrl,
      }),
    refund: (request) =>
      submit('/v1/refunds', {
        orderNo: request.orderNo,
        originalOrderNo: request.originalOrderNo,
        amountFen: fenToJsonNumber(request.amountMinor),
        notifyUrl: request.notifyUrl,
      }),
    async query(orderNo): Promise<QueryAnswer> {
      const answer = queryAnswer.parse(await call('GET', `/v1/orders/${encodeURIComponent(orderNo)}`));
      if (!answer.found) return { found: false };
      return {
        found: true,
        txnId: answer.txnId,
        kind: kindOf[answer.kind],
        status: statusOf[answer.status],
        amountMinor: BigInt(answer.amountFen),
        code: answer.code ?? null,
        retryable: retryableCodes.has(answer.code ?? ''),
        finishedAt: toDate(answer.finishedAt),
      };
    },
    async fetchStatement(date: DateString): Promise<Statement> {
      const path = `/v1/statements/${date}`;
      const response = await fetch(`${base}${path}`, {
        headers: signedHeaders('GET', path, ''),
        signal: AbortSignal.timeout(Math.max(options.timeoutMs, 120_000)),
      });
      if (response.status !== 200)
        throw new Error(`${options.code} statement ${date}: answered ${response.status}`);
      return parseSimStatement(await response.text(), date, options.merchantNo);
    },
    parseStatement: (text, date) => parseSimStatement(text, date, options.merchantNo),
    verifyCallback(request: CallbackRequest, nowMs: number) {
      const header = (name: string) => {
        const value = request.headers[name];
        return typeof value === 'string' ? value : undefined;
      };
      const merchant = header('x-sim-merchant');
      const timestamp = header('x-sim-timestamp');
      const nonce = header('x-sim-nonce');
      const signature = header('x-sim-signature');
      if (merchant !== options.merchantNo)
        throw new CallbackRejected('the callback is not for this merchant');
      if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp))
        throw new CallbackRejected('the callback has no timestamp');
      if (Math.abs(nowMs / 1000 - Number(timestamp)) > tolerance)
        throw new CallbackRejected('the callback timestamp is outside the signature window');
      if (nonce === undefined || !noncePattern.test(nonce))
        throw new CallbackRejected('the callback has no nonce');
      if (signature === undefined || !/^[0-9a-f]{64}$/.test(signature))
        throw new CallbackRejected('the callback has no signature');
      const expected = Buffer.from(
        hmac(options.secret, stringToSign(request.method, request.path, timestamp, nonce, request.rawBody)),
      );
      if (!timingSafeEqual(expected, Buffer.from(signature)))
        throw new CallbackRejected('the signature does not match');
      let parsed: z.output<typeof callbackBody>;
      try {
        parsed = callbackBody.parse(JSON.parse(request.rawBody.toString('utf8')));
      } catch {
        throw new CallbackRejected('the callback body is not a notice');
      }
      return {
        nonce,
        notice: {
          txnId: parsed.txnId,
          orderNo: parsed.orderNo,
          kind: kindOf[parsed.kind],
          status: statusOf[parsed.status],
          amountMinor: BigInt(parsed.amountFen),
          code: parsed.code ?? null,
          retryable: retryableCodes.has(parsed.code ?? ''),
          finishedAt: toDate(parsed.finishedAt),
        },
      };
    },
    failureReason: (code) => reasonOfCode[code] ?? (retryableCodes.has(code) ? 'channel_busy' : 'declined'),
    acknowledgement: { status: 200, contentType: 'text/plain; charset=utf-8', body: 'SUCCESS' },
  };
}
