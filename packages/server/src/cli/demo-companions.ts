import { registerProxy } from '../platform/http/proxy.ts';
import { startChannelSimulator } from './children.ts';
import { ensureSandboxMerchant, sandboxBasePath, startSandbox } from './sandbox.ts';
import type { Companions } from './serve.ts';

// What `fenqi demo` runs beside the API for its whole life, each a process of its own that stops
// with it: the simulated payment channel (`fenqi channel-sim`, so money moves: payouts settle at a
// bank's pace, 3 s), and the merchant sandbox — a demo shop that calls the API as a real merchant
// would — served under /sandbox through a proxy only the demo has.

const warn = (description: string) => process.stderr.write(`fenqi demo: warning: ${description}\n`);

export function demoCompanions(): Companions {
  let sandboxUrl: string | undefined;
  let channelUrl: string | undefined;
  return {
    async start(config, database, components) {
      if (!config.payments.channels.some((channel) => channel.adapter === 'sim')) return config;
      const channel = await startChannelSimulator(config, database.url, { timeScale: '1', onExit: warn });
      components.push({ name: 'channel simulator', stop: () => channel.stop() });
      channelUrl = channel.url;
      return {
        ...config,
        payments: { ...config.payments, sim: { ...config.payments.sim, url: channel.url } },
      };
    },
    routes(app) {
      registerProxy(app, { prefix: sandboxBasePath, target: () => sandboxUrl, name: 'merchant sandbox' });
    },
    async started(url, config, database, components) {
      const lines =
        channelUrl === undefined
          ? []
          : [`Payments:   the simulated channel at ${channelUrl} (fenqi channel-sim)`];
      try {
        const { credentials, merchant, notes } = await ensureSandboxMerchant(
          database.db,
          config,
          `${url}${sandboxBasePath}/webhooks/fenqi`,
        );
        const sandbox = await startSandbox({ apiUrl: url, publicUrl: url, credentials, onExit: warn });
        components.push({ name: 'merchant sandbox', stop: () => sandbox.stop() });
        sandboxUrl = sandbox.url;
        lines.push(
          `Sandbox:    ${url}${sandboxBasePath}    (a demo shop: the merchant ${merchant.name}, ${merchant.id}; docs/merchant-integration.md)`,
          ...notes.map((note) => `            ${note}`),
        );
      } catch (error) {
        lines.push(`Sandbox:    not running: ${(error as Error).message}`);
      }
      return lines;
    },
  };
}
