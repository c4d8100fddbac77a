import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isFinalState,
  type Observation,
  type OrderEffect,
  type PaymentOrderKind,
  type PaymentOrderState,
  paymentOrderKinds,
  paymentOrderStates,
  type Transition,
  transitionOf,
} from './order-state.ts';

// The whole transition table, written out: every state × every observation of a payout. A change
// to the state machine must change this table, on purpose.

const observations: Observation[] = [
  { source: 'submit', outcome: 'accepted' },
  { source: 'submit', outcome: 'succeeded' },
  { source: 'submit', outcome: 'failed' },
  { source: 'submit', outcome: 'unknown' },
  { source: 'submit', outcome: 'send_failed' },
  ...(['callback', 'statement', 'operator'] as const).flatMap((source) =>
    (['processing', 'succeeded', 'failed', 'bounced'] as const).map((outcome) => ({ source, outcome })),
  ),
  ...(['processing', 'succeeded', 'failed', 'bounced', 'not_found'] as const).map((outcome) => ({
    source: 'query' as const,
    outcome,
  })),
];

const short = (t: Transition): string => {
  switch (t.kind) {
    case 'move':
      return t.effect === 'none' ? `→${t.to}` : `→${t.to}+${t.effect}`;
    case 'resend':
      return 'resend';
    case 'stale':
      return '-';
    case 'conflict':
      return '!';
  }
};

// Rows: states. Columns: submit accepted/succeeded/failed/unknown/send_failed; then for each of
// callback, statement, operator: processing/succeeded/failed/bounced; then query
// processing/succeeded/failed/bounced/not_found.
const definiteFrom = (state: PaymentOrderState): string[] => {
  const table: Record<PaymentOrderState, string[]> = {
    created: ['!', '!', '!', '!'],
    submitted: ['→processing', '→succeeded+settled', '→failed+failed', '→bounced+settled_then_bounced'],
    processing: ['-', '→succeeded+settled', '→failed+failed', '→bounced+settled_then_bounced'],
    unknown: ['→processing', '→succeeded+settled', '→failed+failed', '→bounced+settled_then_bounced'],
    succeeded: ['-', '-', '!', '→bounced+bounced'],
    failed: ['-', '!', '-', '!'],
    bounced: ['-', '-', '!', '-'],
  };
  return table[state];
};

const payoutTable: Record<PaymentOrderState, string[]> = Object.fromEntries(
  paymentOrderStates.map((state) => {
    const submit =
      state === 'submitted'
        ? ['→processing', '→succeeded+settled', '→failed+failed', '→unknown', 'resend']
        : ['-', '-', '-', '-', '-'];
    const definite = definiteFrom(state);
    const notFound: Record<PaymentOrderState, string> = {
      created: '!',
      submitted: 'resend',
      processing: '-',
      unknown: '-',
      succeeded: '!',
      failed: '!',
      bounced: '!',
    };
    return [state, [...submit, ...definite, ...definite, ...definite, ...definite, notFound[state]]];
  }),
) as Record<PaymentOrderState, string[]>;

describe('payment order transitions', () => {
  for (const state of paymentOrderStates) {
    it(`from ${state}, every observation of a payout`, () => {
      expect(observations.map((o) => short(transitionOf(state, o, 'payout')))).toEqual(payoutTable[state]);
    });
  }

  it('collections and refunds never bounce: a bounce is a conflict in every state that has been sent', () => {
    for (const kind of ['collect', 'refund'] as const) {
      for (const state of paymentOrderStates) {
        const t = transitionOf(state, { source: 'callback', outcome: 'bounced' }, kind);
        expect(t.kind, `${kind} ${state}`).toBe('conflict');
      }
    }
  });

  it('an unknown order is never sent again, whatever is observed', () => {
    for (const kind of paymentOrderKinds) {
      for (const o of observations) expect(transitionOf('unknown', o, kind).kind).not.toBe('resend');
    }
  });

  it('only a submitted order may be sent again', () => {
    for (const kind of paymentOrderKinds) {
      for (const state of paymentOrderStates) {
        for (const o of observations) {
          if (transitionOf(state, o, kind).kind === 'resend') expect(state).toBe('submitted');
        }
      }
    }
  });
});

// Model oracle: any sequence of observations — duplicated, reordered, contradictory — gives money
// effects that a ledger can carry: at most one settlement, a failure only without one, a bounce
// only after a settlement, and nothing once final except a payout's bounce.

type Run = { state: PaymentOrderState; effects: OrderEffect[] };

function apply(kind: PaymentOrderKind, sequence: readonly Observation[]): Run {
  let state: PaymentOrderState = 'submitted';
  const effects: OrderEffect[] = [];
  for (const observation of sequence) {
    const t = transitionOf(state, observation, kind);
    if (t.kind !== 'move') continue;
    if (isFinalState(state)) expect(`${state}→${t.to}`).toBe('succeeded→bounced');
    state = t.to;
    if (t.effect !== 'none') effects.push(t.effect);
  }
  return { state, effects };
}

const observation = fc.constantFrom(...observations);

describe('payment order state machine (model oracle)', () => {
  it('money effects stay consistent under duplicated, reordered and contradictory facts', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...paymentOrderKinds),
        fc.array(observation, { maxLength: 40 }),
        (kind, seq) => {
          const { state, effects } = apply(kind, seq);
          const settled = effects.filter((e) => e === 'settled' || e === 'settled_then_bounced').length;
          const bounced = effects.filter((e) => e === 'bounced' || e === 'settled_then_bounced').length;
          const failed = effects.filter((e) => e === 'failed').length;
          expect(settled).toBeLessThanOrEqual(1);
          expect(failed).toBeLessThanOrEqual(1);
          expect(settled + failed).toBeLessThanOrEqual(1);
          expect(bounced).toBeLessThanOrEqual(settled);
          if (kind !== 'payout') expect(bounced).toBe(0);
          // The final state says what the money did.
          if (state === 'succeeded') expect([settled, bounced]).toEqual([1, 0]);
          if (state === 'bounced') expect([settled, bounced]).toEqual([1, 1]);
          if (state === 'failed') expect([settled, failed]).toEqual([0, 1]);
          if (!isFinalState(state)) expect(effects).toEqual([]);
        },
      ),
    );
  });

  it('a fact seen twice in a row changes nothing the second time', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...paymentOrderKinds),
        fc.array(observation, { maxLength: 20 }),
        observation,
        (kind, seq, o) => {
          const once = apply(kind, [...seq, o]);
          const twice = apply(kind, [...seq, o, o]);
          expect(twice).toEqual(once);
        },
      ),
    );
  });
});
