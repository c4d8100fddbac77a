// The life of a payment order (payout, collection or refund) as a pure function: given the state
// Fenqi holds and what it has just learned about the order (the channel's answer to the request, a
// callback, a query, the statement file), what the order's state becomes and which money effect
// that is. Two rules come from how real channels behave:
//   - acceptance is never success: only a definite business outcome ends an order;
//   - an order whose outcome is unclear (unknown) is never sent again; only a definite failure
//     allows a new attempt, and that is a new order under a new order number.
// The one resend allowed is of an order that is `submitted` and that the channel says it has never
// seen: the request may not have left (a crash between recording and sending), and the channel
// refuses a second request with the same order number, so sending it again cannot pay twice.

export const paymentOrderStates = [
  'created',
  'submitted',
  'processing',
  'unknown',
  'succeeded',
  'failed',
  'bounced',
] as const;
export type PaymentOrderState = (typeof paymentOrderStates)[number];

export const paymentOrderKinds = ['payout', 'collect', 'refund'] as const;
export type PaymentOrderKind = (typeof paymentOrderKinds)[number];

/** Where a fact about an order comes from, weakest first. */
export const observationSources = ['submit', 'callback', 'query', 'statement', 'operator'] as const;
export type ObservationSource = (typeof observationSources)[number];

/**
 * What Fenqi learned. `accepted` is the channel taking the request without an outcome yet;
 * `not_found` is a query answer; `send_failed` is a request that provably never reached the
 * channel (connection refused); `bounced` is a paid payout coming back.
 */
export type Observation =
  | { source: 'submit'; outcome: 'accepted' | 'succeeded' | 'failed' | 'unknown' | 'send_failed' }
  | {
      source: 'callback' | 'statement' | 'operator';
      outcome: 'processing' | 'succeeded' | 'failed' | 'bounced';
    }
  | { source: 'query'; outcome: 'processing' | 'succeeded' | 'failed' | 'bounced' | 'not_found' };

/** The money effect a transition has: the journal it posts and the event it publishes. */
export type OrderEffect = 'none' | 'settled' | 'failed' | 'bounced' | 'settled_then_bounced';

export type Transition =
  /** The state changes (or, for `resend`, the order is to be sent again). */
  | { kind: 'move'; to: PaymentOrderState; effect: OrderEffect }
  | { kind: 'resend' }
  /** Nothing new: a duplicate, or a stale fact older than what is known (a late `processing`). */
  | { kind: 'stale' }
  /**
   * The fact contradicts a final state (paid, then "failed"; failed, then "paid"): nothing
   * changes, and operations must look (an exception item).
   */
  | { kind: 'conflict'; reason: string };

const finalStates: ReadonlySet<PaymentOrderState> = new Set(['succeeded', 'failed', 'bounced']);

export function isFinalState(state: PaymentOrderState): boolean {
  return finalStates.has(state);
}

/** States whose outcome Fenqi must still learn (the query job asks the channel about these). */
export const unresolvedStates = [
  'submitted',
  'processing',
  'unknown',
] as const satisfies readonly PaymentOrderState[];

function move(to: PaymentOrderState, effect: OrderEffect = 'none'): Transition {
  return { kind: 'move', to, effect };
}

function definite(
  state: PaymentOrderState,
  outcome: 'succeeded' | 'failed' | 'bounced' | 'processing',
  kind: PaymentOrderKind,
): Transition {
  switch (outcome) {
    case 'processing':
      if (state === 'submitted' || state === 'unknown') return move('processing');
      return { kind: 'stale' };
    case 'succeeded':
      if (state === 'succeeded' || state === 'bounced') return { kind: 'stale' };
      if (state === 'failed')
        return { kind: 'conflict', reason: 'the channel reports success for an order Fenqi holds as failed' };
      return move('succeeded', 'settled');
    case 'failed':
      if (state === 'failed') return { kind: 'stale' };
      if (state === 'succeeded' || state === 'bounced')
        return { kind: 'conflict', reason: 'the channel reports failure for an order Fenqi holds as paid' };
      return move('failed', 'failed');
    case 'bounced':
      if (kind !== 'payout') return { kind: 'conflict', reason: `a ${kind} cannot bounce; only payouts do` };
      if (state === 'bounced') return { kind: 'stale' };
      if (state === 'failed')
        return { kind: 'conflict', reason: 'the channel reports a bounce of a payout Fenqi holds as failed' };
      // A bounce seen before the success (callbacks out of order, or a dropped one): the payout was
      // paid and came back, so both effects happen, in order.
      return move('bounced', state === 'succeeded' ? 'bounced' : 'settled_then_bounced');
  }
}

/**
 * The transition for an observation about an order in `state`. Total over every state and
 * observation (the tests enumerate them all); never throws.
 */
export function transitionOf(
  state: PaymentOrderState,
  observation: Observation,
  kind: PaymentOrderKind,
): Transition {
  if (observation.source === 'submit') {
    // The answer to our own request: only meaningful for the order we just sent.
    if (state !== 'submitted') return { kind: 'stale' };
    switch (observation.outcome) {
      case 'accepted':
        return move('processing');
      case 'succeeded':
        return move('succeeded', 'settled');
      case 'failed':
        return move('failed', 'failed');
      case 'unknown':
        return move('unknown');
      case 'send_failed':
        return { kind: 'resend' };
    }
  }
  if (state === 'created') {
    // Not yet sent, so the channel cannot know it: any fact about it is about another order.
    return { kind: 'conflict', reason: 'the channel reports on an order Fenqi has not sent' };
  }
  const outcome = observation.outcome;
  if (outcome === 'not_found') {
    // Never seen by the channel: a `submitted` order may be sent again under the same number; an
    // `unknown` one never is (the statement decides); a settled one missing is for operations.
    if (state === 'submitted') return { kind: 'resend' };
    if (state === 'processing' || state === 'unknown') return { kind: 'stale' };
    return { kind: 'conflict', reason: `the channel has no record of an order Fenqi holds as ${state}` };
  }
  return definite(state, outcome, kind);
}
