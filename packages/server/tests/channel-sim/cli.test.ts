import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { createEmptyDatabase } from '../support/db.ts';
import { startSim } from './support.ts';

// `fenqi channel-sim` as an operator meets it: what it says without a database, with the
// development secret, and how it stops.

const fenqi = new URL('../../bin/fenqi.js', import.meta.url).pathname;

function run(env: Record<string, string | undefined>) {
  return new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [fenqi, 'channel-sim'], {
      env: { ...process.env, DATABASE_URL: undefined, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('fenqi channel-sim', () => {
  it('explains that it needs DATABASE_URL', async () => {
    const { code, stderr } = await run({});
    expect(code).toBe(2);
    expect(stderr).toContain('DATABASE_URL is not set');
  });

  it('refuses a bad SIM_TIME_SCALE', async () => {
    const { code, stderr } = await run({
      DATABASE_URL: 'postgres://127.0.0.1:1/none',
      SIM_TIME_SCALE: 'fast',
    });
    expect(code).toBe(2);
    expect(stderr).toContain('SIM_TIME_SCALE');
  });

  it('warns about the development secret and stops cleanly on SIGTERM', async () => {
    const database = await createEmptyDatabase();
    try {
      const sim = await startSim(database.url, { SIM_MERCHANT_SECRET: '' });
      expect(sim.stderr()).toContain('SIM_MERCHANT_SECRET is not set');
      expect((await fetch(`${sim.url}/admin/rules`)).status).toBe(200);
      await sim.stop();
      expect(sim.process.exitCode).toBe(0);
    } finally {
      await database.drop();
    }
  });
});
