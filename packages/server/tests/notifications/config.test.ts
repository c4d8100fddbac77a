import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/platform/config.ts';
import { testKeys } from '../support/server.ts';

// NOTIFICATIONS_PROVIDER: the simulated provider outside production, nothing that only pretends
// to send in production.

// Production needs the keys and the payment simulator's secret anyway: given, so only ours is left.
const production = {
  ...testKeys,
  NODE_ENV: 'production',
  SIM_MERCHANT_SECRET: 'a-secret-of-16-chars-or-more',
};

describe('NOTIFICATIONS_PROVIDER', () => {
  it('defaults to simulated outside production and to disabled in production', () => {
    expect(loadConfig({ ...testKeys }).notificationsProvider).toBe('simulated');
    expect(loadConfig(production).notificationsProvider).toBe('disabled');
  });

  it.each(['simulated', 'log'])('refuses %s when NODE_ENV=production', (provider) => {
    let error: unknown;
    try {
      loadConfig({ ...production, NOTIFICATIONS_PROVIDER: provider });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.variable)).toEqual(['NOTIFICATIONS_PROVIDER']);
  });
});
