import { type ChildProcess, spawn } from 'node:child_process';
import type { SimulationResult } from '../../src/modules/simulation/service.ts';
import { testKeys } from '../support/server.ts';

// `fenqi simulate` as an operator runs it: its own process against the test file's database, with
// the file's keys, the channel simulator its own child process. Waiting is for the process's end
// (or a line of its progress), never for a time.

const fenqi = new URL('../../bin/fenqi.js', import.meta.url).pathname;

export type Finished = { code: number | null; stdout: string; stderr: string };

export function fenqiEnv(databaseUrl: string, env: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', ...testKeys, ...env };
}

export function startFenqi(
  databaseUrl: string,
  args: string[],
  env: Record<string, string> = {},
): ChildProcess {
  // Its own process group, so that a test can end it with its channel simulator at once.
  return spawn(process.execPath, [fenqi, ...args], {
    env: fenqiEnv(databaseUrl, env),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function finished(child: ChildProcess): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

export async function fenqiRun(databaseUrl: string, args: string[]): Promise<Finished> {
  return finished(startFenqi(databaseUrl, args));
}

/** `fenqi simulate … --json`: the exit status and the printed result. */
export async function simulate(
  databaseUrl: string,
  options: { months: number; borrowers: number; seed: number },
): Promise<Finished & { result: SimulationResult }> {
  const run = await fenqiRun(databaseUrl, [
    'simulate',
    '--months',
    String(options.months),
    '--borrowers',
    String(options.borrowers),
    '--seed',
    String(options.seed),
    '--json',
  ]);
  let result: SimulationResult;
  try {
    result = JSON.parse(run.stdout) as SimulationResult;
  } catch {
    throw new Error(`fenqi simulate printed no JSON (exit ${run.code}):\n${run.stderr.slice(-4000)}`);
  }
  return { ...run, result };
}
