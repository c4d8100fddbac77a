import { startChannelSim } from '../channel-sim/index.ts';
import type { Command } from './command.ts';

// `fenqi channel-sim`: the simulated payment channel as its own process, configured only by SIM_*
// variables and DATABASE_URL (it shares no configuration with Fenqi: it stands for a bank).

const developmentSecret = 'channel-sim-development-secret';

function positiveNumber(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, not ${JSON.stringify(text)}`);
  return value;
}

function fen(name: string, fallback: bigint): bigint {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d{1,12}$/.test(text))
    throw new Error(`${name} must be a whole number of fen, not ${JSON.stringify(text)}`);
  return BigInt(text);
}

export const channelSimCommand: Command = {
  name: 'channel-sim',
  summary: 'Run the simulated payment channel',
  usage: 'fenqi channel-sim',
  description: [
    'Runs the simulated payment channel (docs/payments.md, "The simulated channel\'s protocol") on',
    'SIM_HOST:SIM_PORT (default 127.0.0.1:8090), storing its orders in the schema channel_sim of DATABASE_URL.',
    'Environment: SIM_MERCHANT_NO (default M100001), SIM_MERCHANT_SECRET, SIM_TIME_SCALE (default 1;',
    'every simulated delay is multiplied by it), SIM_FEE_FEN (payout fee, default 150).',
  ].join('\n'),
  options: {},
  run: async () => {
    const databaseUrl = process.env.DATABASE_URL;
    if (databaseUrl === undefined || databaseUrl === '') {
      process.stderr.write(
        "fenqi channel-sim: DATABASE_URL is not set. The simulated channel keeps its orders in the schema channel_sim of a PostgreSQL database: set DATABASE_URL=postgres://… (it may be Fenqi's own database).\n",
      );
      return 2;
    }
    let settings: { port: number; timeScale: number; feeFen: bigint };
    try {
      const port = Number(process.env.SIM_PORT ?? '8090');
      if (!Number.isInteger(port) || port < 0 || port > 65_535)
        throw new Error('SIM_PORT must be a port number');
      settings = { port, timeScale: positiveNumber('SIM_TIME_SCALE', 1), feeFen: fen('SIM_FEE_FEN', 150n) };
    } catch (error) {
      process.stderr.write(`fenqi channel-sim: ${(error as Error).message}\n`);
      return 2;
    }
    const secret = process.env.SIM_MERCHANT_SECRET || developmentSecret;
    if (secret === developmentSecret) {
      process.stderr.write(
        'fenqi channel-sim: warning: SIM_MERCHANT_SECRET is not set; using the development secret (anyone can sign as the merchant)\n',
      );
    }
    let sim: Awaited<ReturnType<typeof startChannelSim>>;
    try {
      sim = await startChannelSim({
        databaseUrl,
        port: settings.port,
        host: process.env.SIM_HOST || '127.0.0.1',
        merchantNo: process.env.SIM_MERCHANT_NO || 'M100001',
        merchantSecret: secret,
        timeScale: settings.timeScale,
        feeFen: settings.feeFen,
      });
    } catch (error) {
      process.stderr.write(`fenqi channel-sim: could not start: ${(error as Error).message}\n`);
      return 1;
    }
    let stopping = false;
    const stop = async () => {
      if (stopping) process.exit(130);
      stopping = true;
      try {
        await sim.close();
        process.exit(0);
      } catch (error) {
        process.stderr.write(`fenqi channel-sim: stop failed: ${(error as Error).message}\n`);
        process.exit(1);
      }
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    // Started by `fenqi demo` or `simulate` with an IPC channel (cli/children.ts): it closes when
    // the parent is gone, even killed, and the simulator goes with it.
    process.on('disconnect', () => {
      if (!stopping) void stop();
    });
    process.stderr.write(`channel-sim listening at ${sim.url}\n`);
    return new Promise<number>(() => {});
  },
};
