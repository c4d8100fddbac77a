import type { PaymentOrderKind } from '@fenqi/core';
import type { DateString } from '../../platform/tables.ts';
import type { BindingElement } from './tables.ts';

// What Fenqi needs from a payment channel, whatever its wire protocol: one adapter per channel
// (channels/simulated.ts speaks the simulator's protocol, docs/payments.md). Amounts cross this
// interface as bigint minor units (fen) only; each adapter converts to its API's unit in one
// function of its own (元 strings for one API, 分 integers for another).

/**
 * A business outcome, as the channel reports it. `processing` and `unknown` are not outcomes yet:
 * `processing` means the channel has the order and will finish it; `unknown` means Fenqi cannot
 * tell (a timeout, a dropped connection after sending, an explicit "result unknown").
 */
export type ChannelOutcome =
  | { status: 'succeeded'; txnId: string; finishedAt: Date | null }
  | { status: 'failed'; code: string; message: string; retryable: boolean; txnId: string | null }
  | { status: 'processing'; txnId: string | null }
  | { status: 'unknown'; reason: string };

/** The answer to sending a request, before any outcome: the request never left (safe to send again). */
export type SendFailure = { status: 'send_failed'; reason: string };

export type SubmitAnswer = ChannelOutcome | SendFailure;

/** What a query finds. A bounced payout is reported as such. */
export type QueryAnswer =
  | { found: false }
  | {
      found: true;
      txnId: string;
      kind: PaymentOrderKind;
      status: 'succeeded' | 'failed' | 'processing' | 'bounced';
      amountMinor: bigint;
      code: string | null;
      /** For a failure: whether the channel says a new order may succeed. */
      retryable: boolean;
      finishedAt: Date | null;
    };

export type CardElements = { name: string; idNumber: string; cardNumber: string; phone: string };

export type BindApplyAnswer =
  | { status: 'sms_sent' }
  | { status: 'rejected'; code: string; message: string; element: BindingElement | null };

export type BindConfirmAnswer =
  | { status: 'bound'; agreementNo: string }
  | { status: 'rejected'; code: string; message: string; element: BindingElement | null };

/** A callback, once its signature is verified: what the channel says happened to an order. */
export type CallbackNotice = {
  txnId: string;
  orderNo: string;
  kind: PaymentOrderKind;
  status: 'succeeded' | 'failed' | 'processing' | 'bounced';
  amountMinor: bigint;
  code: string | null;
  /** For a failure: whether the channel says a new order may succeed (its code's class). */
  retryable: boolean;
  finishedAt: Date | null;
};

/**
 * Why a collection failed, in words a borrower is shown (the H5 translates each): the channel's
 * own codes differ per channel, so each adapter maps its codes to these.
 */
export const failureReasons = [
  'insufficient_balance',
  'card_unavailable',
  'channel_busy',
  'declined',
] as const;
export type FailureReason = (typeof failureReasons)[number];

/** A callback's verification failed: answered 401, and nothing is recorded. */
export class CallbackRejected extends Error {}

export type CallbackRequest = {
  method: string;
  /** Path and query as received. */
  path: string;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  rawBody: Buffer;
};

export type StatementRow = {
  lineNo: number;
  txnId: string;
  orderNo: string;
  kind: PaymentOrderKind;
  status: 'succeeded' | 'failed' | 'bounced';
  amountMinor: bigint;
  feeMinor: bigint;
  /**
   * When the channel finished the order, as an ISO 8601 instant in UTC (`2026-11-30T08:00:00Z`),
   * checked by the adapter. It stays text on its way into the database: a statement has a million
   * rows, and a Date per row would cost more than the rest of the row.
   */
  finishedAt: string;
};

/**
 * A statement file whose digest, header and summary line were checked. Its rows are read as they
 * are consumed: a statement has a million of them, and they stream into the database while the
 * next are parsed instead of first filling an array.
 */
export type Statement = {
  date: DateString;
  digest: string;
  /** The file as received, archived with the reconciliation. */
  text: string;
  /** The summary line as stated; `rows()` proves it against the rows. */
  summary: { count: number; grossMinor: bigint; feeMinor: bigint; refundMinor: bigint; netMinor: bigint };
  /**
   * Every row, checked as it is read; after the last, the summary is recomputed from them and
   * compared. Either check failing throws statement_invalid, so a consumer must treat one pass as
   * all or nothing (reconcile reads it inside its transaction, which the error rolls back).
   */
  rows(): Iterable<StatementRow>;
};

export interface PaymentChannel {
  /** Fenqi's code for the channel (`simulated`), as in payment orders and PAYMENT_CHANNELS. */
  readonly code: string;
  /** The time zone whose calendar days the channel's statements cover (an IANA name). */
  readonly statementTimeZone: string;
  /** Four-element card verification: apply (the channel sends an SMS code), then confirm. */
  readonly verifyCard: {
    apply(request: { orderNo: string } & CardElements): Promise<BindApplyAnswer>;
    confirm(request: { orderNo: string; smsCode: string }): Promise<BindConfirmAnswer>;
  };
  /**
   * A simulator's only, for the demo (DEMO_SHOW_CODES): the SMS code the channel sent for a binding
   * order, as its holder reads it on the phone. A real channel's adapter has no such thing.
   */
  readonly demoSmsCode?: (orderNo: string) => Promise<string>;
  unbind(agreementNo: string): Promise<void>;
  payout(request: {
    orderNo: string;
    amountMinor: bigint;
    accountName: string;
    accountNo: string;
    notifyUrl: string;
  }): Promise<SubmitAnswer>;
  collect(request: {
    orderNo: string;
    agreementNo: string;
    amountMinor: bigint;
    notifyUrl: string;
  }): Promise<SubmitAnswer>;
  refund(request: {
    orderNo: string;
    originalOrderNo: string;
    amountMinor: bigint;
    notifyUrl: string;
  }): Promise<SubmitAnswer>;
  query(orderNo: string): Promise<QueryAnswer>;
  /** What a failure code of this channel means for the payer (an unknown code is `declined`). */
  failureReason(code: string): FailureReason;
  /** The statement of one settlement date, fetched, parsed and checked (digest, summary). */
  fetchStatement(date: DateString): Promise<Statement>;
  /** Parses and checks a statement file's text (the CLI may import a file from disk). */
  parseStatement(text: string, date: DateString): Statement;
  /**
   * Verifies a callback's signature and freshness and parses it; throws CallbackRejected. Returns
   * the nonce too, so the receiver refuses a replay within the window.
   */
  verifyCallback(request: CallbackRequest, nowMs: number): { notice: CallbackNotice; nonce: string };
  /** What the channel expects in answer to a callback it may stop retrying. */
  readonly acknowledgement: { status: number; contentType: string; body: string };
}
