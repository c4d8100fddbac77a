import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { signSimRequest } from '../../src/channel-sim/index.ts';
import { createEmptyDatabase } from '../support/db.ts';

// Helpers for the simulated channel's tests: the simulator runs as its own process (as it does
// for real), a signed client speaks its protocol, a receiver records callbacks, and `eventually`
// waits for things that happen in the background — never for a fixed time.

export const merchantNo = 'M100001';
export const secret = 'channel-sim-test-secret';

const fenqi = new URL('../../bin/fenqi.js', import.meta.url).pathname;

export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export type RunningSim = {
  url: string;
  port: number;
  process: ChildProcess;
  stderr(): string;
  /** SIGTERM, waiting for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: a crash, nothing flushed. */
  kill(): Promise<void>;
};

export async function startSim(databaseUrl: string, env: Record<string, string> = {}): Promise<RunningSim> {
  const port = await freePort();
  const child = spawn(process.execPath, [fenqi, 'channel-sim'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      SIM_PORT: String(port),
      SIM_TIME_SCALE: '0.001',
      SIM_MERCHANT_NO: merchantNo,
      SIM_MERCHANT_SECRET: secret,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
      const match = /channel-sim listening at (http:\/\/\S+)/.exec(stderr);
      if (match?.[1]) resolve(match[1]);
    });
    child.on('exit', (code) => reject(new Error(`channel-sim exited with ${code}:\n${stderr}`)));
  });
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    url,
    port,
    process: child,
    stderr: () => stderr,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
  };
}

export type SimAnswer = { status: number; text: string; json: unknown };

export function createSimClient(url: string, merchant = merchantNo, key = secret) {
  async function send(
    method: 'GET' | 'POST',
    path: string,
    payload?: unknown,
    options: { headers?: Record<string, string>; nowMs?: number; nonce?: string; sign?: boolean } = {},
  ): Promise<SimAnswer> {
    const body = payload === undefined ? '' : typeof payload === 'string' ? payload : JSON.stringify(payload);
    const signed =
      options.sign === false
        ? {}
        : signSimRequest({
            merchantNo: merchant,
            secret: key,
            method,
            path,
            body,
            ...(options.nowMs === undefined ? {} : { nowMs: options.nowMs }),
            ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
          });
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...signed,
        ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(payload === undefined ? {} : { body }),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, text, json };
  }
  const admin = async (
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    payload?: unknown,
  ): Promise<SimAnswer> => {
    const response = await fetch(`${url}${path}`, {
      method,
      ...(payload === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) }),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, text, json };
  };
  return {
    post: (path: string, payload: unknown, options?: Parameters<typeof send>[3]) =>
      send('POST', path, payload, options),
    get: (path: string, options?: Parameters<typeof send>[3]) => send('GET', path, undefined, options),
    admin,
    setRules: async (rules: unknown[]) => {
      const answer = await admin('POST', '/admin/rules', rules);
      if (answer.status !== 200) throw new Error(`rules refused: ${answer.text}`);
    },
    order: async (orderNo: string) =>
      (await send('GET', `/v1/orders/${orderNo}`)).json as Record<string, unknown>,
    callbacks: async (orderNo: string) =>
      (await admin('GET', `/admin/callbacks?orderNo=${orderNo}`)).json as CallbackLog[],
  };
}

export type SimClient = ReturnType<typeof createSimClient>;

export type CallbackLog = {
  id: string;
  status: string;
  body: string;
  attempts: number;
  acknowledged: boolean;
  attemptLog: { attempt: number; httpStatus: number | null; body: string | null }[];
};

export type ReceivedCallback = {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  body: Record<string, unknown>;
  /** What the receiver answered. */
  answeredStatus: number;
};

export type Receiver = {
  notifyUrl: string;
  received: ReceivedCallback[];
  /** The answer to the n-th request (1-based) of one order; SUCCESS by default. */
  answerWith(answer: (orderNo: string, attempt: number) => { status: number; body: string }): void;
  forOrder(orderNo: string): ReceivedCallback[];
  close(): Promise<void>;
};

export async function startReceiver(): Promise<Receiver> {
  const received: ReceivedCallback[] = [];
  const attempts = new Map<string, number>();
  let answer = (_orderNo: string, _attempt: number) => ({ status: 200, body: 'SUCCESS' });
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks);
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(rawBody.toString('utf8')) as Record<string, unknown>;
      } catch {}
      const orderNo = String(body.orderNo ?? '');
      const attempt = (attempts.get(orderNo) ?? 0) + 1;
      attempts.set(orderNo, attempt);
      const reply = answer(orderNo, attempt);
      received.push({
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        rawBody,
        body,
        answeredStatus: reply.status,
      });
      response.writeHead(reply.status, { 'content-type': 'text/plain' });
      response.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    notifyUrl: `http://127.0.0.1:${port}/callbacks/sim?src=channel`,
    received,
    answerWith(next) {
      answer = next;
    },
    forOrder: (orderNo) => received.filter((callback) => callback.body.orderNo === orderNo),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Retries `check` until it stops throwing (or returns non-false), up to a generous deadline. */
export async function eventually<T>(
  check: () => Promise<T> | T,
  { timeoutMs = 30_000, intervalMs = 25 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await check();
      if (value !== false) return value;
      throw new Error('the condition is still false');
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

let counter = 0;
/** Order numbers unique across runs and files. */
export const orderNo = (prefix = 'FQ') =>
  `${prefix}${Date.now().toString(36)}${process.pid.toString(36)}${(counter++).toString(36)}`.toUpperCase();

/** Binds a card and returns its agreement number. */
export async function bindCard(client: SimClient, cardNo = '6222020000001234'): Promise<string> {
  const number = orderNo('BD');
  const applied = await client.post('/v1/bind/apply', {
    orderNo: number,
    name: '张三',
    idNumber: '11010519491231002X',
    cardNo,
    phone: '13800138000',
  });
  if ((applied.json as { status?: string }).status !== 'SMS_SENT') throw new Error(`apply: ${applied.text}`);
  const sms = (await client.admin('GET', `/admin/sms?orderNo=${number}`)).json as { smsCode: string };
  const confirmed = await client.post('/v1/bind/confirm', { orderNo: number, smsCode: sms.smsCode });
  const agreementNo = (confirmed.json as { agreementNo?: string }).agreementNo;
  if (!agreementNo) throw new Error(`confirm: ${confirmed.text}`);
  return agreementNo;
}

export type SimFixture = {
  databaseUrl: string;
  sim: RunningSim;
  client: SimClient;
  receiver: Receiver;
};

/** A file's own database, simulator process and callback receiver. */
export function useSim(env: Record<string, string> = {}): SimFixture {
  const fixture = {} as SimFixture;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const database = await createEmptyDatabase();
    drop = database.drop;
    fixture.databaseUrl = database.url;
    fixture.sim = await startSim(database.url, env);
    fixture.client = createSimClient(fixture.sim.url);
    fixture.receiver = await startReceiver();
  });
  afterAll(async () => {
    await fixture.sim?.kill();
    await fixture.receiver?.close();
    await drop?.();
  });
  return fixture;
}

/** A behaviour rule; the protocol's `then` field is built here once, out of the linter's way. */
export function rule(match: Record<string, unknown>, effect: Record<string, unknown>) {
  // biome-ignore lint/suspicious/noThenProperty: the protocol names the field; its value is an object, never a function
  return { match, then: effect };
}
