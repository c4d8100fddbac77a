import type { AccessControl } from './register.ts';

/**
 * Access control before the IAM module is wired in: every caller is anonymous and every declared
 * permission is granted. Only for tests of the platform plumbing; `fenqi serve` uses IAM.
 */
export const openAccessControl: AccessControl = {
  async authorize() {
    return { kind: 'anonymous', id: 'anonymous' };
  },
};
