// The life of a collections case, one transitions table. A case opens unassigned when its loan
// falls overdue and closes when the loan is current or paid off (resolved) or written off; a
// closed case never reopens — a loan that falls overdue again gets a new case.

export const caseStates = [
  'unassigned',
  'assigned',
  'in_progress',
  'promised_to_pay',
  'broken_promise',
  'transferred_to_agency',
  'resolved',
  'written_off',
] as const;
export type CaseState = (typeof caseStates)[number];

export const caseEvents = [
  'assign',
  'transfer_to_agency',
  'recall',
  'contact',
  'promise',
  'promise_kept',
  'promise_broken',
  'resolve',
  'write_off',
] as const;
export type CaseEvent = (typeof caseEvents)[number];

export const closedCaseStates: readonly CaseState[] = ['resolved', 'written_off'];
export const isOpenCaseState = (state: CaseState) => !closedCaseStates.includes(state);

/** from → event → to; a pair that is not here is refused. Reassigning a worked case keeps its state. */
export const caseTransitions: Readonly<Record<CaseState, Readonly<Partial<Record<CaseEvent, CaseState>>>>> = {
  unassigned: {
    assign: 'assigned',
    transfer_to_agency: 'transferred_to_agency',
    resolve: 'resolved',
    write_off: 'written_off',
  },
  assigned: {
    assign: 'assigned',
    transfer_to_agency: 'transferred_to_agency',
    contact: 'in_progress',
    promise: 'promised_to_pay',
    resolve: 'resolved',
    write_off: 'written_off',
  },
  in_progress: {
    assign: 'in_progress',
    transfer_to_agency: 'transferred_to_agency',
    contact: 'in_progress',
    promise: 'promised_to_pay',
    resolve: 'resolved',
    write_off: 'written_off',
  },
  promised_to_pay: {
    assign: 'promised_to_pay',
    transfer_to_agency: 'transferred_to_agency',
    contact: 'promised_to_pay',
    promise_kept: 'in_progress',
    promise_broken: 'broken_promise',
    resolve: 'resolved',
    write_off: 'written_off',
  },
  broken_promise: {
    assign: 'broken_promise',
    transfer_to_agency: 'transferred_to_agency',
    contact: 'in_progress',
    promise: 'promised_to_pay',
    resolve: 'resolved',
    write_off: 'written_off',
  },
  transferred_to_agency: {
    recall: 'unassigned',
    contact: 'in_progress',
    promise: 'promised_to_pay',
    resolve: 'resolved',
    write_off: 'written_off',
  },
  resolved: {},
  written_off: {},
};

export type CaseTransition = { ok: true; to: CaseState } | { ok: false; from: CaseState; event: CaseEvent };

export function caseTransition(from: CaseState, event: CaseEvent): CaseTransition {
  const to = caseTransitions[from][event];
  return to === undefined ? { ok: false, from, event } : { ok: true, to };
}
