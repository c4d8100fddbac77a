import { describe, expect, it } from 'vitest';
import {
  isClosedLoanState,
  type LoanEvent,
  type LoanState,
  loanEvents,
  loanStates,
  loanTransition,
} from './loan-state.ts';

// Every (state, event) pair, spelled out: the table below is the specification the function is
// checked against, so a transition added to one and not the other fails here.
const allowed: Record<string, LoanState> = {
  'pending_disbursement/disbursed': 'active',
  'pending_disbursement/disbursement_failed': 'cancelled',
  'pending_disbursement/cancelled': 'cancelled',
  'active/cooling_off_refund': 'cancelled',
  'active/paid_off': 'paid_off',
  'active/fell_overdue': 'overdue',
  'overdue/cured': 'active',
  'overdue/paid_off': 'paid_off',
  'overdue/written_off': 'written_off',
};

describe('loanTransition', () => {
  const pairs = loanStates.flatMap((state) => loanEvents.map((event) => [state, event] as const));

  it.each(pairs)('%s + %s', (state: LoanState, event: LoanEvent) => {
    const result = loanTransition(state, event);
    const expected = allowed[`${state}/${event}`];
    if (expected === undefined) {
      expect(result).toEqual({
        ok: false,
        from: state,
        event,
        reason: `a loan that is ${state} cannot be ${event.replace(/_/g, ' ')}`,
      });
    } else {
      expect(result).toEqual({ ok: true, from: state, to: expected });
    }
  });

  it('allows exactly the nine transitions of the specification', () => {
    expect(pairs.filter(([state, event]) => loanTransition(state, event).ok)).toHaveLength(9);
  });

  it('closes paid-off, written-off and cancelled loans for good', () => {
    expect(loanStates.filter(isClosedLoanState)).toEqual(['paid_off', 'written_off', 'cancelled']);
  });

  it('reaches every state from pending_disbursement', () => {
    const reached = new Set<LoanState>(['pending_disbursement']);
    for (let round = 0; round < loanStates.length; round += 1) {
      for (const state of [...reached]) {
        for (const event of loanEvents) {
          const result = loanTransition(state, event);
          if (result.ok) reached.add(result.to);
        }
      }
    }
    expect([...reached].sort()).toEqual([...loanStates].sort());
  });
});
