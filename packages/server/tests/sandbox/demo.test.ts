import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { suspendMerchant } from '../../src/modules/merchants/service.ts';
import { loadConfig } from '../../src/platform/config.ts';
import { eventually, freePort } from '../channel-sim/support.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { request } from './support.ts';

// `fenqi demo` with its companions: the channel simulator and the merchant sandbox run as its
// children for its whole life; the demo onboards the sandbox merchant once (its keys kept in the
// data directory) and proxies /sandbox to it; Fenqi's webhooks reach the sandbox through that
// proxy; Ctrl-C stops them all, and so does killing the demo outright.

const fenqi = new URL('../../bin/fenqi.js', import.meta.url).pathname;

type Demo = { child: ChildProcess; url: string; output: () => string };

let database: TestDatabase;
let dataDir: string;
let port: number;
const started: ChildProcess[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = mkdtempSync(join(tmpdir(), 'fenqi-sandbox-demo-'));
  port = await freePort();
});

afterAll(async () => {
  for (const child of started) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) continue;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Gone meanwhile.
    }
  }
  await database?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function startDemo(): Promise<Demo> {
  // Its own process group, as a terminal's foreground job is, so Ctrl-C reaches the group.
  const child = spawn(process.execPath, [fenqi, 'demo'], {
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      FENQI_DATA_DIR: dataDir,
      FENQI_DEMO_SIMULATE: 'false',
      PORT: String(port),
      LOG_LEVEL: 'warn',
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', () => {
      // The banner is printed once everything beside the API is up.
      const match = /is running at (http:\/\/\S+)[\s\S]*Stop with Ctrl-C/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`demo exited with ${code}:\n${output}`)));
  });
  return { child, url, output: () => output };
}

/** The demo's child processes, by their command lines. */
function childrenOf(pid: number): { pid: number; command: string }[] {
  const children: { pid: number; command: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …: the command name may hold spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid)
        children.push({
          pid: Number(entry),
          command: readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' '),
        });
    } catch {
      // Exited while being read.
    }
  }
  return children;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
}

const credentialsFile = () => join(dataDir, 'sandbox-merchant.json');

describe('fenqi demo and its merchant sandbox', () => {
  let merchantId: string;

  it('serves the sandbox under /sandbox, as a merchant it onboarded, beside the channel simulator', async () => {
    const demo = await startDemo();
    expect(demo.output()).toContain(`Sandbox:    ${demo.url}/sandbox`);
    expect(demo.output()).toMatch(/Payments: {3}the simulated channel at http:\/\/127\.0\.0\.1:\d+/);
    expect(demo.output()).toContain('onboarded the sandbox merchant');

    const page = await request(`${demo.url}/sandbox/`, 'GET');
    expect(page.status).toBe(200);
    expect(page.text).toContain('分期购买<span class="en">Buy in installments</span>');

    // The keys are kept as a merchant keeps its own, readable by the owner only.
    const saved = JSON.parse(readFileSync(credentialsFile(), 'utf8')) as Record<string, string>;
    expect(statSync(credentialsFile()).mode & 0o777).toBe(0o600);
    merchantId = String(saved.merchantId);
    expect(saved).toMatchObject({ webhookUrl: `${demo.url}/sandbox/webhooks/fenqi` });
    const endpoint = await database.tables
      .selectFrom('webhook_endpoints')
      .select(['url', 'status', 'owner_kind'])
      .where('owner_id', '=', merchantId)
      .execute();
    expect(endpoint).toEqual([
      { url: `${demo.url}/sandbox/webhooks/fenqi`, status: 'active', owner_kind: 'merchant' },
    ]);

    // The sandbox's signed call gets through as the merchant: this empty database has none of the
    // demo business's products published, and Fenqi says so.
    const bought = await request(`${demo.url}/sandbox/orders`, 'POST', {
      body: { sku: 'phone' },
      headers: { accept: 'application/json' },
    });
    expect(bought.status, bought.text).toBe(422);
    expect(bought.json).toMatchObject({ problem: { code: 'product_not_available' } });

    // An event about the merchant reaches the sandbox through the proxy, its signature verified.
    const config = loadConfig({ DATABASE_URL: database.url, FENQI_DATA_DIR: dataDir });
    await database.db.transaction().execute((trx) =>
      suspendMerchant(trx, config, {
        merchantId,
        reason: 'test',
        actor: { kind: 'system', id: 'test' },
        origin: { ip: null, requestId: null },
      }),
    );
    await eventually(async () => {
      const events = await request(`${demo.url}/sandbox/api/events`, 'GET');
      return (events.json as { events: { type: string }[] }).events.some(
        (e) => e.type === 'merchants.suspended',
      );
    });

    const children = childrenOf(Number(demo.child.pid));
    expect(children.map((c) => c.command)).toHaveLength(2);
    expect(children.map((c) => c.command)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('fenqi.js channel-sim'),
        expect.stringContaining('merchant-sandbox/src/main.ts'),
      ]),
    );
    // Ctrl-C: the demo and both children stop.
    process.kill(-Number(demo.child.pid), 'SIGINT');
    expect(await exitOf(demo.child)).toBe(0);
    for (const child of children) expect(alive(child.pid)).toBe(false);
    expect(demo.output()).not.toContain('warning: fenqi channel-sim exited');
    expect(demo.output()).not.toContain('warning: merchant sandbox exited');
  }, 120_000);

  it('reuses the merchant on the next start, and its children die with it even when it is killed', async () => {
    const demo = await startDemo();
    expect(demo.output()).toContain(`(a demo shop: the merchant 演示商城, ${merchantId}`);
    expect(demo.output()).not.toContain('onboarded');
    expect(demo.output()).toContain('the sandbox merchant is suspended');
    expect((await request(`${demo.url}/sandbox/`, 'GET')).status).toBe(200);
    const children = childrenOf(Number(demo.child.pid));
    expect(children).toHaveLength(2);
    // kill -9: nothing of the demo runs to stop them; their IPC channel closes, and they go.
    demo.child.kill('SIGKILL');
    await exitOf(demo.child);
    await eventually(() => children.every((child) => !alive(child.pid)));
  }, 120_000);
});
