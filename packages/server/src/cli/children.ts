import { spawn } from 'node:child_process';
import type { Config } from '../platform/config.ts';

// The services the command line runs beside itself as processes of their own: the channel
// simulator (`fenqi simulate`, and `fenqi demo` for its whole life) and the merchant sandbox
// (`fenqi demo`, cli/sandbox.ts). Each says where it listens on stderr. Each gets an IPC channel,
// which closes when this process is gone however it ends, killed included, and each stops then:
// none outlives the command that started it.

export type ChildService = {
  name: string;
  url: string;
  pid: number | undefined;
  /** SIGTERM, and wait for the exit. */
  stop(): Promise<void>;
};

/** What is kept of a child's stderr, for the message when it fails: it runs for days in a demo. */
const stderrTailChars = 4000;

export async function startChildService(options: {
  name: string;
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  /** Matches the line that says it is up; the first group is its URL. */
  listening: RegExp;
  /**
   * Told when it fails after it was up: an exit that is no clean stop. (A clean stop it was not
   * asked for is a Ctrl-C, which the terminal sends to it as to this process.)
   */
  onExit?: (description: string) => void;
}): Promise<ChildService> {
  const child = spawn(options.command, [...options.args], {
    env: options.env,
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  let stopping = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let up = false;
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-stderrTailChars);
      const match = up ? null : options.listening.exec(stderr);
      if (match?.[1]) {
        up = true;
        resolve(match[1]);
      }
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      const description = `${options.name} exited with ${code ?? signal}: ${stderr.trim()}`;
      const clean = code === 0 || code === 130 || signal === 'SIGINT' || signal === 'SIGTERM';
      if (!up) reject(new Error(description));
      else if (!stopping && !clean) options.onExit?.(description);
    });
  });
  return {
    name: options.name,
    url,
    pid: child.pid,
    async stop() {
      stopping = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

const fenqiBin = new URL('../../bin/fenqi.js', import.meta.url).pathname;

/**
 * `fenqi channel-sim` on a free loopback port, its orders in the schema channel_sim. A time scale
 * of 1 is a bank's pace (a payout takes 3 s); the simulation scales it to nothing.
 */
export function startChannelSimulator(
  config: Config,
  databaseUrl: string,
  options: { timeScale: string; onExit?: (description: string) => void },
): Promise<ChildService> {
  return startChildService({
    name: 'fenqi channel-sim',
    command: process.execPath,
    args: [fenqiBin, 'channel-sim'],
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      SIM_HOST: '127.0.0.1',
      SIM_PORT: '0',
      SIM_TIME_SCALE: options.timeScale,
      SIM_MERCHANT_NO: config.payments.sim.merchantNo,
      SIM_MERCHANT_SECRET: config.payments.sim.secret,
    },
    listening: /channel-sim listening at (http:\/\/\S+)/,
    ...(options.onExit === undefined ? {} : { onExit: options.onExit }),
  });
}
