import type { Config } from '../../../platform/config.ts';
import { AppError } from '../../../platform/errors.ts';
import type { PaymentChannel } from '../channel.ts';
import { createSimulatedChannel } from './simulated.ts';

// The channels this process talks to, built once per configuration from PAYMENT_CHANNELS
// (`code:adapter` pairs). Each channel has a clearing account in the ledger chart (1012.xx): the
// money in transit through it. A channel code without one cannot be configured.

export const clearingAccounts: Readonly<Record<string, string>> = {
  simulated: '1012.01',
  unionpay: '1012.02',
};

export type ConfiguredChannel = { channel: PaymentChannel; clearingAccount: string };

const byConfig = new WeakMap<Config, ReadonlyMap<string, ConfiguredChannel>>();

function build(config: Config): ReadonlyMap<string, ConfiguredChannel> {
  const channels = new Map<string, ConfiguredChannel>();
  for (const { code, adapter } of config.payments.channels) {
    const clearingAccount = clearingAccounts[code];
    if (clearingAccount === undefined)
      throw new Error(`payment channel ${code} has no clearing account in the chart (channels/registry.ts)`);
    switch (adapter) {
      case 'sim':
        channels.set(code, {
          clearingAccount,
          channel: createSimulatedChannel({
            code,
            baseUrl: config.payments.sim.url,
            merchantNo: config.payments.sim.merchantNo,
            secret: config.payments.sim.secret,
            timeoutMs: config.payments.channelTimeoutMs,
          }),
        });
        break;
    }
  }
  return channels;
}

export function configuredChannels(config: Config): ReadonlyMap<string, ConfiguredChannel> {
  let channels = byConfig.get(config);
  if (channels === undefined) {
    channels = build(config);
    byConfig.set(config, channels);
  }
  return channels;
}

/** The channel with this code; a code not configured is a client error (it came from a request). */
export function channelFor(config: Config, code: string): ConfiguredChannel {
  const configured = configuredChannels(config).get(code);
  if (configured === undefined) {
    throw new AppError('payment_channel_unknown', `There is no payment channel ${code} (PAYMENT_CHANNELS).`, {
      errors: [
        { path: 'channel', message: `must be one of ${[...configuredChannels(config).keys()].join(', ')}` },
      ],
    });
  }
  return configured;
}

/** Where the channel posts callbacks about our orders. */
export function notifyUrl(config: Config, code: string): string {
  return `${config.payments.callbackBaseUrl}/api/v1/payments/callbacks/${code}`;
}
