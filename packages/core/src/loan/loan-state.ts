// The life of a loan as a pure function, in one place: given the state a loan is in and what just
// happened to it, the state it moves to — or a refusal that names both. Every module that changes
// a loan's state asks this function first, so a transition the business does not allow (a
// cancelled loan disbursed, a written-off loan cured) cannot be written by any path.
//
//   pending_disbursement ──disbursed──▶ active ──paid_off──▶ paid_off
//        │                               │  ▲
//        │ disbursement_failed,          │  │ cured
//        │ cancelled                     ▼  │
//        ▼                             overdue ──written_off──▶ written_off
//    cancelled ◀──cooling_off_refund── active          └──paid_off──▶ paid_off
//
// A full refund inside the cooling-off days undoes the loan (cancelled, nothing charged); after
// them the merchant's refund repays the principal like any other payment (paid_off or a smaller
// active loan).

export const loanStates = [
  'pending_disbursement',
  'active',
  'overdue',
  'paid_off',
  'written_off',
  'cancelled',
] as const;
export type LoanState = (typeof loanStates)[number];

export const loanEvents = [
  'disbursed',
  'disbursement_failed',
  'cancelled',
  'cooling_off_refund',
  'paid_off',
  'fell_overdue',
  'cured',
  'written_off',
] as const;
export type LoanEvent = (typeof loanEvents)[number];

const transitions: Readonly<Record<LoanState, Partial<Record<LoanEvent, LoanState>>>> = {
  pending_disbursement: {
    disbursed: 'active',
    disbursement_failed: 'cancelled',
    cancelled: 'cancelled',
  },
  active: {
    cooling_off_refund: 'cancelled',
    paid_off: 'paid_off',
    fell_overdue: 'overdue',
  },
  overdue: {
    cured: 'active',
    paid_off: 'paid_off',
    written_off: 'written_off',
  },
  paid_off: {},
  written_off: {},
  cancelled: {},
};

export type LoanTransition =
  | { ok: true; from: LoanState; to: LoanState }
  | { ok: false; from: LoanState; event: LoanEvent; reason: string };

/** What `event` does to a loan in `from`; total over every pair (the tests enumerate them all). */
export function loanTransition(from: LoanState, event: LoanEvent): LoanTransition {
  const to = transitions[from][event];
  if (to !== undefined) return { ok: true, from, to };
  return { ok: false, from, event, reason: `a loan that is ${from} cannot be ${event.replace(/_/g, ' ')}` };
}

/** The states no event leaves. */
export function isClosedLoanState(state: LoanState): boolean {
  return Object.keys(transitions[state]).length === 0;
}

/** The states in which the borrower owes money on the loan. */
export const outstandingLoanStates = ['active', 'overdue'] as const satisfies readonly LoanState[];
