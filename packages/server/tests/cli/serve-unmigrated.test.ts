import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase } from '../support/db.ts';
import { testKeys } from '../support/server.ts';

// `fenqi serve` on a database nobody migrated: it listens (so /livez answers), says once — in its
// log and in /readyz — that the schema is not migrated and what to run, and does not log a stack
// trace per probe. MIGRATE_ON_START=true migrates first, for single-node installs.

const fenqi = new URL('../../bin/fenqi.js', import.meta.url).pathname;
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
});

async function serve(env: Record<string, string>) {
  const child = spawn(process.execPath, [fenqi, 'serve'], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', ...testKeys, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
      const match = /(?:is running|is listening) at (http:\/\/[^\s]+)/.exec(stderr);
      if (match?.[1]) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}:\n${stderr}`)));
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      child.on('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return { url, stop, stdout: () => stdout, stderr: () => stderr };
}

const message =
  'schema not migrated: run `fenqi migrate` (or start with `fenqi serve --migrate`, or MIGRATE_ON_START=true)';

describe('fenqi serve on an unmigrated database', () => {
  it('says so once, in the log and in /readyz, and logs no stack trace per probe', async () => {
    const database = await createEmptyDatabase();
    try {
      const server = await serve({ DATABASE_URL: database.url });
      expect(server.stderr()).toContain(`NOT READY: ${message}`);
      expect((await fetch(`${server.url}/livez`)).status).toBe(200);
      for (let probe = 0; probe < 5; probe++) {
        const ready = await fetch(`${server.url}/readyz`);
        expect(ready.status).toBe(503);
        expect(((await ready.json()) as { detail: string }).detail).toBe(message);
      }
      await server.stop();
      const lines = server
        .stdout()
        .split('\n')
        .filter((line) => line.includes('schema not migrated'));
      // Once at start-up and once when /readyz first saw it; five probes add nothing.
      expect(lines).toHaveLength(2);
      expect(server.stdout()).not.toContain('"stack"');
      expect(server.stdout()).not.toContain('not reachable');
    } finally {
      await database.drop();
    }
  });

  it('with MIGRATE_ON_START=true it migrates first and is ready', async () => {
    const database = await createEmptyDatabase();
    try {
      const server = await serve({ DATABASE_URL: database.url, MIGRATE_ON_START: 'true' });
      expect(server.stderr()).toContain('is running at');
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      await server.stop();
    } finally {
      await database.drop();
    }
  });
});
