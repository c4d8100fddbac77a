import { describe, expect, it } from 'vitest';
import { merchantStatusActions, merchantTransition } from '../../src/modules/merchants/status.ts';
import { merchantStatuses } from '../../src/modules/merchants/tables.ts';

// The merchant status machine, every (status, action) pair: onboarding → active ↔ suspended.

const table = {
  onboarding: { activate: 'active', suspend: undefined, reinstate: undefined },
  active: { activate: undefined, suspend: 'suspended', reinstate: undefined },
  suspended: { activate: undefined, suspend: undefined, reinstate: 'active' },
} as const;

describe('merchantTransition', () => {
  for (const status of merchantStatuses)
    for (const action of merchantStatusActions)
      it(`${status} --${action}--> ${table[status][action] ?? '(refused)'}`, () => {
        expect(merchantTransition(status, action)).toBe(table[status][action]);
      });

  it('never leads back to onboarding', () => {
    for (const status of merchantStatuses)
      for (const action of merchantStatusActions)
        expect(merchantTransition(status, action)).not.toBe('onboarding');
  });
});
