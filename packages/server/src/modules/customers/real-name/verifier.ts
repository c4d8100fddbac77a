import { randomUUID } from 'node:crypto';
import type { Config } from '../../../platform/config.ts';
import type { DB } from '../../../platform/db.ts';
import type { RealNameOutcome } from '../tables.ts';
import { simulatedOutcome } from './simulated.ts';
import * as store from './store.ts';

// Real-name verification (实名认证): is this name the holder of this resident ID number? The
// public-security identity service (公安部公民身份信息认证) answers 一致 (match), 不一致 (mismatch)
// or 库中无此号 (not_found); a provider that cannot answer is `unavailable`. A real provider is
// another implementation of RealNameVerifier, chosen by REAL_NAME_ADAPTER (platform/config.ts).
// Callers ask outside any database transaction: the provider is a remote service.

export type RealNameAnswer = {
  outcome: RealNameOutcome;
  /** The provider's reference for this query (what an operator quotes to it); null when it did not answer. */
  providerRef: string | null;
};

export interface RealNameVerifier {
  /** The adapter's name, recorded with every check it made. */
  readonly adapter: string;
  verify(query: { name: string; idNumber: string }): Promise<RealNameAnswer>;
}

/** The simulated provider: its answers come from the rules table (PUT /api/v1/customers/real-name-sim/rules). */
export function simulatedVerifier(db: DB): RealNameVerifier {
  return {
    adapter: 'simulated',
    async verify(query) {
      const outcome = simulatedOutcome(await store.simRules(db), query);
      return { outcome, providerRef: outcome === 'unavailable' ? null : `SIM-${randomUUID()}` };
    },
  };
}

/** REAL_NAME_ADAPTER=disabled: no provider, so nobody can be verified (the production default until one is configured). */
const disabledVerifier: RealNameVerifier = {
  adapter: 'disabled',
  async verify() {
    return { outcome: 'unavailable', providerRef: null };
  },
};

export function realNameVerifierFor(config: Config, db: DB): RealNameVerifier {
  switch (config.realNameAdapter) {
    case 'simulated':
      return simulatedVerifier(db);
    case 'disabled':
      return disabledVerifier;
  }
}
