import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseEvents, caseStates, caseTransition, closedCaseStates, isOpenCaseState } from './case-state.ts';

describe('caseTransition', () => {
  it.each([
    ['unassigned', 'assign', 'assigned'],
    ['unassigned', 'transfer_to_agency', 'transferred_to_agency'],
    ['assigned', 'contact', 'in_progress'],
    ['assigned', 'promise', 'promised_to_pay'],
    ['in_progress', 'promise', 'promised_to_pay'],
    ['in_progress', 'assign', 'in_progress'],
    ['promised_to_pay', 'promise_kept', 'in_progress'],
    ['promised_to_pay', 'promise_broken', 'broken_promise'],
    ['promised_to_pay', 'contact', 'promised_to_pay'],
    ['broken_promise', 'contact', 'in_progress'],
    ['broken_promise', 'promise', 'promised_to_pay'],
    ['broken_promise', 'transfer_to_agency', 'transferred_to_agency'],
    ['transferred_to_agency', 'contact', 'in_progress'],
    ['transferred_to_agency', 'recall', 'unassigned'],
    ['in_progress', 'resolve', 'resolved'],
    ['transferred_to_agency', 'write_off', 'written_off'],
  ] as const)('%s --%s--> %s', (from, event, to) => {
    expect(caseTransition(from, event)).toEqual({ ok: true, to });
  });

  it.each([
    ['unassigned', 'contact'],
    ['unassigned', 'promise'],
    ['promised_to_pay', 'promise'],
    ['in_progress', 'promise_broken'],
    ['assigned', 'recall'],
    ['transferred_to_agency', 'assign'],
    ['resolved', 'assign'],
    ['written_off', 'resolve'],
  ] as const)('refuses %s --%s-->', (from, event) => {
    expect(caseTransition(from, event)).toEqual({ ok: false, from, event });
  });

  it('never leaves a closed case and can close every open one', () => {
    fc.assert(
      fc.property(fc.constantFrom(...caseStates), fc.constantFrom(...caseEvents), (state, event) => {
        const result = caseTransition(state, event);
        if (!isOpenCaseState(state)) expect(result.ok).toBe(false);
        else if (event === 'resolve') expect(result).toEqual({ ok: true, to: 'resolved' });
        else if (event === 'write_off') expect(result).toEqual({ ok: true, to: 'written_off' });
        if (result.ok && !closedCaseStates.includes(result.to)) expect(isOpenCaseState(state)).toBe(true);
      }),
    );
  });

  it('reaches promised_to_pay only by a promise', () => {
    for (const state of caseStates)
      for (const event of caseEvents) {
        const result = caseTransition(state, event);
        if (result.ok && result.to === 'promised_to_pay' && state !== 'promised_to_pay')
          expect(event).toBe('promise');
      }
  });
});
