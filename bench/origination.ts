// Origination benchmark: accepted orders per second end to end — the borrower's quote and accept
// over HTTP (line reserved, funders allocated, loan and schedule written, the Chinese contract
// rendered and hashed, the payout order created) — at fixed offered rates, with p50/p99, against
// `fenqi serve`, `fenqi worker` and `fenqi channel-sim` as processes of their own.
//
//   node bench/origination.ts                          (DATABASE_URL's server if set, else embedded)
//   BENCH_RATES=5,10,20 BENCH_SECONDS=15 node bench/origination.ts
//
// Baselines from the same run: the contract render alone (in this process, after a warm-up), and
// the quote alone (the read half of checkout, the same HTTP stack and data).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { loadavg } from 'node:os';
import { residentIdCheckCharacter, socialCreditCheckCharacter } from '../packages/core/src/index.ts';
import { requestOtp, verifyOtpAndLogin } from '../packages/server/src/modules/iam/borrowers.ts';
import { createApiClient, signRequest } from '../packages/server/src/modules/iam/partners.ts';
import {
  measureContractRender,
  sampleContractData,
} from '../packages/server/src/modules/loans/contract/index.ts';
import { loadConfig } from '../packages/server/src/platform/config.ts';
import { createDb, createPool, type DB } from '../packages/server/src/platform/db.ts';
import { createStaff, type StaffCredentials, signIn } from '../packages/server/tests/iam/support.ts';
import { scratchDatabase } from './support/database.ts';
import { freePort } from './support/ports.ts';

const rates = (process.env.BENCH_RATES ?? '5,10,20,30').split(',').map(Number);
const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const borrowersCount = Number(process.env.BENCH_BORROWERS ?? 80);
const orderAmountMinor = 300_000n; // 3,000.00: a 50,000.00 line takes 16 of them
const fenqi = new URL('../packages/server/bin/fenqi.js', import.meta.url).pathname;
const key = () => randomBytes(32).toString('base64');
const simSecret = 'bench-merchant-secret-0123456789';

const children: ChildProcess[] = [];
async function start(args: string[], env: Record<string, string>, ready?: RegExp): Promise<void> {
  const child = spawn(process.execPath, [fenqi, ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  if (ready === undefined) return;
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const look = (chunk: Buffer) => {
      output += chunk;
      if (ready.test(output)) resolve();
    };
    child.stdout?.on('data', look);
    child.stderr?.on('data', look);
    child.on('exit', (code) => reject(new Error(`fenqi ${args.join(' ')} exited with ${code}:\n${output}`)));
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

type Json = Record<string, unknown>;

async function call(
  base: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: unknown,
): Promise<{ status: number; json: Json }> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...headers, ...(text === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(text === undefined ? {} : { body: text }),
  });
  const raw = await response.text();
  return { status: response.status, json: raw === '' ? {} : (JSON.parse(raw) as Json) };
}

function expectStatus(result: { status: number; json: Json }, status: number, what: string) {
  if (result.status !== status) throw new Error(`${what}: ${result.status} ${JSON.stringify(result.json)}`);
}

const write = (staff: StaffCredentials) => ({ ...staff.headers(), 'idempotency-key': randomUUID() });

const policy = {
  id: 'bench-origination',
  version: 1,
  currency: 'CNY',
  eligibility: { ageMin: 18, ageMax: 60 },
  features: { age: { type: 'integer' } },
  rules: [],
  scorecard: {
    basePoints: 600,
    characteristics: [{ feature: 'age', bins: [{ range: [null, null], points: 60 }], missingPoints: 0 }],
  },
  grades: [
    { grade: 'A', minScore: 650 },
    { grade: 'B', minScore: null },
  ],
  offers: [
    {
      grade: 'A',
      creditLimit: '5000000',
      price: { kind: 'annual_rate', rate: '0.1440' },
      products: ['pos-installment'],
    },
    {
      grade: 'B',
      creditLimit: '2000000',
      price: { kind: 'annual_rate', rate: '0.1800' },
      products: ['pos-installment'],
    },
  ],
};

const product = {
  code: 'pos-installment',
  name: { zh: '商户分期', en: 'Merchant installments' },
  method: 'equal_installment',
  termsOffered: [3, 6, 12],
  prices: [
    { grade: 'A', kind: 'annual_rate', rate: '0.1440' },
    { grade: 'B', kind: 'annual_rate', rate: '0.1800' },
  ],
  amountMinMinor: '50000',
  amountMaxMinor: '10000000',
  coolingOffDays: 7,
};

async function approve(
  base: string,
  maker: StaffCredentials,
  checker: StaffCredentials,
  path: string,
  body: Json,
) {
  const request = await call(base, 'POST', path, write(maker), body);
  expectStatus(request, 201, path);
  const approved = await call(
    base,
    'POST',
    `/api/v1/approvals/${String(request.json.id)}/approve`,
    write(checker),
    {},
  );
  expectStatus(approved, 200, `approve ${path}`);
}

async function seed(base: string, db: DB, config: ReturnType<typeof loadConfig>) {
  const admin = await signIn(db, config, await createStaff(db, config, ['admin']));
  const analyst = await signIn(db, config, await createStaff(db, config, ['risk_analyst']));
  const operator = await signIn(db, config, await createStaff(db, config, ['operator']));
  const approver = await signIn(db, config, await createStaff(db, config, ['approver']));
  const draft = await call(base, 'POST', '/api/v1/risk/policies', write(analyst), { document: policy });
  expectStatus(draft, 201, 'policy draft');
  await approve(base, analyst, approver, `/api/v1/risk/policies/${String(draft.json.id)}/publish-requests`, {
    role: 'champion',
    reason: 'bench',
  });
  const productDraft = await call(base, 'POST', '/api/v1/products', write(operator), { definition: product });
  expectStatus(productDraft, 201, 'product draft');
  await approve(
    base,
    operator,
    approver,
    `/api/v1/products/versions/${String(productDraft.json.id)}/publish-requests`,
    {
      reason: 'bench',
    },
  );
  const first17 = `91440300${randomBytes(5)
    .toString('hex')
    .toUpperCase()
    .replace(/[IOSVZ]/g, 'A')
    .slice(0, 9)}`;
  const merchant = await call(base, 'POST', '/api/v1/merchants', write(admin), {
    name: '基准商户',
    legalName: '深圳市基准科技有限公司',
    scenario: 'electronics_3c',
    socialCreditCode: `${first17}${socialCreditCheckCharacter(first17)}`,
    discountRate: '0.02',
    productCodes: ['pos-installment'],
    settlementAccount: {
      accountName: '深圳市基准科技有限公司',
      accountNo: '6222000000000123456',
      bankName: '招商银行',
    },
  });
  expectStatus(merchant, 201, 'merchant');
  const merchantId = String(merchant.json.id);
  expectStatus(
    await call(base, 'POST', `/api/v1/merchants/${merchantId}/activate`, write(admin), { reason: 'bench' }),
    200,
    'activate',
  );
  const client = await db.transaction().execute((trx) =>
    createApiClient(trx, config, {
      ownerKind: 'merchant',
      ownerId: merchantId,
      name: 'bench',
      actor: { kind: 'staff', id: randomUUID() },
      origin: { ip: null, requestId: null },
    }),
  );
  const borrowers: Record<string, string>[] = [];
  for (let i = 0; i < borrowersCount; i += 1) {
    const phone = `139${String(10_000_000 + i).padStart(8, '0')}`;
    let code = '';
    await requestOtp(
      db,
      config,
      {
        async sendLoginCode(_phone, sent) {
          code = sent;
        },
      },
      {
        phone,
        origin: { ip: `10.9.${Math.floor(i / 250)}.${(i % 250) + 1}`, requestId: null },
      },
    );
    const tokens = await verifyOtpAndLogin(db, config, {
      phone,
      code,
      origin: { ip: '127.0.0.1', requestId: null },
    });
    const headers = { authorization: `Bearer ${tokens.accessToken}` };
    const first = `11010519910615${String(i % 1000).padStart(3, '0')}`;
    const customer = await call(
      base,
      'POST',
      '/api/v1/borrower/customers',
      { ...headers, 'idempotency-key': randomUUID() },
      {
        name: '王小明',
        idNumber: `${first}${residentIdCheckCharacter(first)}`,
      },
    );
    expectStatus(customer, 201, 'customer');
    const agreements = await call(base, 'GET', '/api/v1/borrower/agreements', headers);
    for (const agreement of agreements.json as unknown as { code: string; version: string }[]) {
      const accepted = await call(
        base,
        'POST',
        '/api/v1/borrower/consents',
        { ...headers, 'idempotency-key': randomUUID() },
        {
          code: agreement.code,
          version: agreement.version,
          deviceId: `bench-device-${i}`,
        },
      );
      expectStatus(accepted, 201, 'consent');
    }
    const applied = await call(
      base,
      'POST',
      '/api/v1/borrower/credit-applications',
      { ...headers, 'idempotency-key': randomUUID() },
      {
        deviceId: `bench-device-${i}`,
      },
    );
    expectStatus(applied, 201, 'application');
    if (applied.json.status !== 'approved') throw new Error(`application ${JSON.stringify(applied.json)}`);
    borrowers.push(headers);
  }
  return { client, borrowers };
}

async function createOrders(base: string, client: { keyId: string; secret: string }, count: number) {
  const tokens: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const path = '/api/v1/merchant/orders';
    const body = JSON.stringify({
      merchantOrderId: `BENCH-${randomUUID()}`,
      amountMinor: String(orderAmountMinor),
      items: [{ name: '手机', quantity: 1, unitPriceMinor: String(orderAmountMinor) }],
    });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const nonce = randomBytes(16).toString('hex');
    const response = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
        'x-fenqi-key': client.keyId,
        'x-fenqi-timestamp': timestamp,
        'x-fenqi-nonce': nonce,
        'x-fenqi-signature': signRequest(client.secret, { method: 'POST', path, timestamp, nonce, body }),
      },
      body,
    });
    const json = (await response.json()) as { checkoutToken: string };
    if (response.status !== 201) throw new Error(`order: ${response.status} ${JSON.stringify(json)}`);
    tokens.push(json.checkoutToken);
  }
  return tokens;
}

type Phase = {
  offered: number;
  done: number;
  failed: number;
  seconds: number;
  quote: number[];
  accept: number[];
};

/** Quote then accept for each order, started at the offered rate (the schedule never waits). */
async function run(
  base: string,
  rate: number,
  work: { token: string; borrower: Record<string, string> }[],
  acceptToo: boolean,
): Promise<Phase> {
  const quote: number[] = [];
  const accept: number[] = [];
  let failed = 0;
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  for (const [i, item] of work.entries()) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(
      (async () => {
        const t0 = performance.now();
        const quoted = await call(
          base,
          'GET',
          `/api/v1/borrower/checkout/${item.token}/quote?termCount=12`,
          item.borrower,
        );
        const t1 = performance.now();
        quote.push(t1 - t0);
        if (quoted.status !== 200) failed += 1;
        if (!acceptToo) return;
        const accepted = await call(
          base,
          'POST',
          `/api/v1/borrower/checkout/${item.token}/accept`,
          { ...item.borrower, 'idempotency-key': randomUUID() },
          { termCount: 12 },
        );
        accept.push(performance.now() - t0);
        if (accepted.status !== 201) {
          failed += 1;
          if (failed <= 3)
            console.error(`accept answered ${accepted.status}: ${JSON.stringify(accepted.json)}`);
        }
      })(),
    );
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  return { offered: rate, done: work.length - failed, failed, seconds: elapsed, quote, accept };
}

function line(label: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  return `${label} p50 ${ms(percentile(sorted, 50))}  p99 ${ms(percentile(sorted, 99))}`;
}

async function main() {
  const scratch = await scratchDatabase('origination');
  const port = await freePort();
  const simPort = await freePort();
  const env = {
    FENQI_MASTER_KEYS: `bench1:${key()}`,
    FENQI_BLIND_INDEX_KEY: key(),
    FENQI_AUDIT_KEY: key(),
    FENQI_SESSION_KEY: key(),
    DATABASE_URL: scratch.url,
    PORT: String(port),
    RATE_LIMIT_MAX: '1000000',
    OTP_SENDS_PER_IP_MAX: '100000',
    SIM_CHANNEL_URL: `http://127.0.0.1:${simPort}`,
    SIM_MERCHANT_NO: 'M100001',
    SIM_MERCHANT_SECRET: simSecret,
    PAYMENT_CALLBACK_BASE_URL: `http://127.0.0.1:${port}`,
  };
  const pool = createPool({ connectionString: scratch.url, max: 4 });
  const db = createDb(pool);
  try {
    await start(
      ['channel-sim'],
      { ...env, SIM_PORT: String(simPort), SIM_TIME_SCALE: '0.001' },
      /listening at/,
    );
    await start(['serve'], env, /is running at/);
    await start(['worker'], env);
    const base = `http://127.0.0.1:${port}`;
    const config = loadConfig(env);
    console.log(`origination benchmark on ${scratch.server}; load before ${loadavg()[0]?.toFixed(2)}`);
    const seeded = await seed(base, db, config);

    // Baseline 1: the contract render alone, in this process.
    const render = await measureContractRender(sampleContractData({ termCount: 12 }), {
      warmups: 10,
      renders: 50,
    });
    console.log(
      `contract render alone (12 installments): mean ${ms(render.meanMs)}  p50 ${ms(render.p50Ms)}  p99 ${ms(render.p99Ms)}  (${Math.round(render.bytes / 1024)} KiB)`,
    );

    const perBorrower = 16;
    const capacity = seeded.borrowers.length * perBorrower;
    let used = 0;
    // Orders only quoted (the baseline) draw nothing on the lines.
    const workFor = async (count: number, accepting = true) => {
      if (accepting && used + count > capacity)
        throw new Error(`BENCH_BORROWERS=${borrowersCount} lines cannot take ${used + count} orders`);
      const tokens = await createOrders(base, seeded.client, count);
      const work = tokens.map((token, i) => ({
        token,
        borrower: seeded.borrowers[(used + i) % seeded.borrowers.length] as Record<string, string>,
      }));
      if (accepting) used += count;
      return work;
    };
    // A warm-up: the server's first contract loads the fonts.
    await run(base, 5, await workFor(5), true);
    for (const rate of rates) {
      const count = Math.round(rate * seconds);
      const baseline = await run(base, rate, await workFor(count, false), false);
      const phase = await run(base, rate, await workFor(count), true);
      console.log(
        `offered ${rate}/s for ${seconds}s: ${phase.done} accepted, ${phase.failed} failed, ${(phase.done / phase.seconds).toFixed(1)}/s achieved (load ${loadavg()[0]?.toFixed(2)})`,
      );
      console.log(`  ${line('quote + accept', phase.accept)}`);
      console.log(`  ${line('baseline: quote alone', baseline.quote)}`);
      const acceptP50 = percentile(
        [...phase.accept].sort((a, b) => a - b),
        50,
      );
      console.log(`  accept p50 / render p50: ${(acceptP50 / render.p50Ms).toFixed(2)}×`);
    }
  } finally {
    for (const child of children.reverse()) child.kill('SIGTERM');
    await pool.end();
    await scratch.drop();
  }
}

await main();
