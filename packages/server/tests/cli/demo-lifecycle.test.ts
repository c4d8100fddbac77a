import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase } from '../support/db.ts';

// The README's promise: `npm start` (= `fenqi demo`) comes up and serves /readyz = 200, and Ctrl-C
// leaves no PostgreSQL process behind — with the embedded database and with DATABASE_URL.

const fenqi = new URL('../../bin/fenqi.js', import.meta.url).pathname;

type Started = { child: ChildProcess; url: string; output: () => string };

async function startDemo(env: Record<string, string>): Promise<Started> {
  // Its own process group, like a terminal's foreground job, so Ctrl-C can be sent to the group.
  const child = spawn(process.execPath, [fenqi, 'demo'], {
    // The lifecycle, not the simulated business (tests/simulation/ covers that): no simulation.
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'warn', FENQI_DEMO_SIMULATE: 'false', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const check = () => {
      const match = /is running at (http:\/\/[^\s]+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    };
    child.stderr?.on('data', check);
    child.on('exit', (code) => reject(new Error(`demo exited with ${code}:\n${output}`)));
  });
  for (;;) {
    const response = await fetch(`${url}/readyz`).catch(() => undefined);
    if (response?.status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, url, output: () => output };
}

function pressCtrlC(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.on('exit', (code) => resolve(code));
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGINT');
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  // A failed assertion must not leave servers running: kill what is left, then remove the data.
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) continue;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone between the check and the kill.
    }
  }
  for (const dir of dirs) {
    const pidFile = join(dir, 'pg', 'postmaster.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
      if (isAlive(pid)) {
        try {
          process.kill(pid, 'SIGQUIT');
        } catch {
          // Stopped meanwhile.
        }
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('fenqi demo', () => {
  it('on the embedded database: it becomes ready; Ctrl-C stops it and leaves no postgres behind', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fenqi-demo-'));
    dirs.push(dataDir);
    const demo = await startDemo({ DATABASE_URL: '', FENQI_DATA_DIR: dataDir });
    expect(demo.output()).toContain(`embedded PostgreSQL (data in ${dataDir}/pg)`);
    const postmaster = readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n');
    const postgresPid = Number(postmaster[0]);
    expect(isAlive(postgresPid)).toBe(true);

    const code = await pressCtrlC(demo.child);
    expect(code).toBe(0);
    expect(isAlive(postgresPid)).toBe(false);
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  }, 90_000);

  it('restarts on the same embedded data, and adopts a server orphaned by a killed process', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'fenqi-demo-'));
    dirs.push(dataDir);
    const first = await startDemo({ DATABASE_URL: '', FENQI_DATA_DIR: dataDir });
    const postgresPid = Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    // kill -9: no cleanup runs, the database server is orphaned.
    const killed = new Promise((resolve) => first.child.on('exit', resolve));
    first.child.kill('SIGKILL');
    await killed;
    expect(isAlive(postgresPid)).toBe(true);

    const second = await startDemo({ DATABASE_URL: '', FENQI_DATA_DIR: dataDir });
    expect(second.output()).toContain('adopting the embedded PostgreSQL');
    expect(await pressCtrlC(second.child)).toBe(0);
    expect(isAlive(postgresPid)).toBe(false);
  }, 120_000);

  it('with DATABASE_URL: ready, and Ctrl-C exits cleanly without starting any postgres', async () => {
    const database = await createEmptyDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'fenqi-demo-'));
    dirs.push(dataDir);
    try {
      const demo = await startDemo({ DATABASE_URL: database.url, FENQI_DATA_DIR: dataDir });
      expect(demo.output()).toContain('Database:   DATABASE_URL');
      const ready = (await (await fetch(`${demo.url}/readyz`)).json()) as { status: string };
      expect(ready.status).toBe('ready');
      expect(await pressCtrlC(demo.child)).toBe(0);
      expect(existsSync(join(dataDir, 'pg'))).toBe(false);
    } finally {
      await database.drop();
    }
  }, 90_000);
});
