// The HTTP part of the decision benchmark: POST /api/v1/borrower/credit-applications against a real
// `fenqi serve` process, at fixed offered rates, with p50/p99 latency per rate and the highest rate
// whose p99 stayed within 50 ms. Each application is a whole decision as production makes it: the
// consents and KYC checked, the applicant's exposure locked, the features computed from the
// database, champion evaluated, snapshot, decision and trace stored, a line granted (or the cap
// reached), an event written — in one transaction.
//
// The policy (50 rules over the features Fenqi computes, a 10-characteristic scorecard) is written
// straight into the database as a published champion: publishing through maker-checker is not what
// is measured. Borrowers sign in through the services (as the tests do), then register, pass the
// real-name check and accept the consents over HTTP.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { residentIdCheckCharacter } from '../packages/core/src/index.ts';
import { requestOtp, verifyOtpAndLogin } from '../packages/server/src/modules/iam/borrowers.ts';
import { loadConfig } from '../packages/server/src/platform/config.ts';
import { createDb, createPool } from '../packages/server/src/platform/db.ts';
import { scratchDatabase } from './support/database.ts';
import { freePort } from './support/ports.ts';

const rates = (process.env.BENCH_HTTP_RATES ?? '10,20,30,40,50,75,100').split(',').map(Number);
const secondsPerRate = Number(process.env.BENCH_HTTP_SECONDS ?? 6);
const borrowers = Number(process.env.BENCH_HTTP_BORROWERS ?? 300);
const p99Aim = 50;

/** 50 rules and 10 characteristics over the catalogue's features (docs/risk.md). */
function benchPolicy(): Record<string, unknown> {
  const numeric = [
    'age',
    'applications1d',
    'applications7d',
    'applications30d',
    'deviceSharedCustomers',
    'multiLendingOrgs30d',
    'linesHeld',
  ];
  const rules: unknown[] = [];
  for (let i = 0; rules.length < 50; i += 1) {
    const feature = numeric[i % numeric.length] ?? 'age';
    const threshold = feature === 'age' ? 61 + (i % 5) : 40 + i;
    rules.push({
      id: `R${String(i + 1).padStart(3, '0')}`,
      when:
        i % 3 === 0
          ? {
              all: [
                { feature, op: '>=', value: threshold },
                { feature: 'blacklisted', op: '==', value: false },
              ],
            }
          : i % 3 === 1
            ? {
                any: [
                  { feature, op: '>', value: threshold },
                  { feature: 'bureauScore', op: '<', value: 300 },
                ],
              }
            : { feature, op: 'between', value: [threshold, threshold + 10] },
      action: i % 7 === 0 ? 'review' : 'reject',
      reason: `R${String(i + 1).padStart(3, '0')}_LIMIT`,
    });
  }
  const bins = (cuts: (number | string)[]) =>
    cuts
      .map((cut, index) => ({ range: [index === 0 ? null : cuts[index - 1], cut], points: (index + 1) * 5 }))
      .concat([{ range: [cuts[cuts.length - 1] ?? 0, null], points: 0 }]);
  return {
    id: 'bench-http',
    version: 1,
    currency: 'CNY',
    eligibility: { ageMin: 18, ageMax: 65 },
    features: {
      age: { type: 'integer' },
      applications1d: { type: 'integer' },
      applications7d: { type: 'integer' },
      applications30d: { type: 'integer' },
      deviceSharedCustomers: { type: 'integer' },
      multiLendingOrgs30d: { type: 'integer' },
      linesHeld: { type: 'integer' },
      bureauScore: { type: 'integer', nullable: true },
      exposure: { type: 'money' },
      kycLevel: { type: 'string' },
      blacklisted: { type: 'boolean' },
    },
    rules,
    scorecard: {
      basePoints: 560,
      characteristics: [
        { feature: 'age', bins: bins([25, 35, 45]), missingPoints: 0 },
        { feature: 'applications1d', bins: bins([1, 3]), missingPoints: 0 },
        { feature: 'applications7d', bins: bins([2, 5]), missingPoints: 0 },
        { feature: 'applications30d', bins: bins([3, 8]), missingPoints: 0 },
        { feature: 'deviceSharedCustomers', bins: bins([1, 2]), missingPoints: 0 },
        { feature: 'multiLendingOrgs30d', bins: bins([1, 3]), missingPoints: 0 },
        { feature: 'linesHeld', bins: bins([1, 2]), missingPoints: 0 },
        { feature: 'bureauScore', bins: bins([600, 700]), missingPoints: -10 },
        { feature: 'exposure', bins: bins(['1000000', '5000000']), missingPoints: 0 },
        {
          feature: 'kycLevel',
          bins: [{ values: ['card_bound'], points: 20 }],
          missingPoints: 0,
          otherPoints: 0,
        },
      ],
    },
    grades: [
      { grade: 'A', minScore: 600 },
      { grade: 'B', minScore: 580 },
      { grade: 'C', minScore: null },
    ],
    offers: [
      {
        grade: 'A',
        creditLimit: '3000000',
        price: { kind: 'annual_rate', rate: '0.1440' },
        products: ['cash-line'],
      },
      {
        grade: 'B',
        creditLimit: '1000000',
        price: { kind: 'annual_rate', rate: '0.1800' },
        products: ['cash-line'],
      },
      {
        grade: 'C',
        creditLimit: '300000',
        price: { kind: 'annual_rate', rate: '0.2200' },
        products: ['pos-installment'],
      },
    ],
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export async function measureApplyEndpoint(): Promise<string> {
  const scratch = await scratchDatabase('decision_http');
  const pool = createPool({ connectionString: scratch.url, max: 8 });
  const db = createDb(pool);
  const key = () => randomBytes(32).toString('base64');
  const port = await freePort();
  const env = {
    FENQI_MASTER_KEYS: `bench1:${key()}`,
    FENQI_BLIND_INDEX_KEY: key(),
    FENQI_AUDIT_KEY: key(),
    FENQI_SESSION_KEY: key(),
    DATABASE_URL: scratch.url,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '1000000',
    OTP_SENDS_PER_IP_MAX: '100000',
  };
  let server: ChildProcess | undefined;
  try {
    const document = benchPolicy();
    const versionId = randomUUID();
    await sql`
      INSERT INTO risk_policy_versions (id, policy_id, version, document, status, created_by, published_at, published_by)
      VALUES (${versionId}, 'bench-http', 1, ${JSON.stringify(document)}::jsonb, 'published', 'bench', now(), 'bench')`.execute(
      db,
    );
    await sql`INSERT INTO risk_assignment (champion_id) VALUES (${versionId})`.execute(db);

    server = spawn(
      process.execPath,
      [new URL('../packages/server/bin/fenqi.js', import.meta.url).pathname, 'serve'],
      {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const look = (chunk: Buffer) => {
        output += chunk;
        if (/is running at/.test(output)) resolve();
      };
      server?.stdout?.on('data', look);
      server?.stderr?.on('data', look);
      server?.on('exit', (code) => reject(new Error(`fenqi serve exited with ${code}:\n${output}`)));
    });
    const base = `http://127.0.0.1:${port}`;
    const config = loadConfig(env);
    const post = (path: string, body: unknown, token: string) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          'idempotency-key': randomUUID(),
        },
        body: JSON.stringify(body),
      });

    const tokens: string[] = [];
    const year = Number(
      String(
        (await sql<{ d: string }>`SELECT business_date::text AS d FROM business_date`.execute(db)).rows[0]?.d,
      ).slice(0, 4),
    );
    for (let i = 0; i < borrowers; i += 1) {
      const phone = `139${String(i).padStart(8, '0')}`;
      let code = '';
      const ip = `10.${randomInt(0, 255)}.${randomInt(0, 255)}.${randomInt(1, 255)}`;
      await requestOtp(
        db,
        config,
        {
          async sendLoginCode(_p, sent) {
            code = sent;
          },
        },
        { phone, origin: { ip, requestId: null } },
      );
      const { accessToken } = await verifyOtpAndLogin(db, config, {
        phone,
        code,
        origin: { ip, requestId: null },
      });
      const first17 = `110105${year - 25 - (i % 30)}0307${String(i % 1000).padStart(3, '0')}`;
      const registered = await post(
        '/api/v1/borrower/customers',
        { name: '王小明', idNumber: `${first17}${residentIdCheckCharacter(first17)}` },
        accessToken,
      );
      if (registered.status !== 201)
        throw new Error(`registration ${registered.status}: ${await registered.text()}`);
      const agreements = (await (
        await fetch(`${base}/api/v1/borrower/agreements`, {
          headers: { authorization: `Bearer ${accessToken}` },
        })
      ).json()) as { code: string; version: string }[];
      for (const code of ['credit_bureau_query', 'privacy_policy']) {
        const version = agreements.find((a) => a.code === code)?.version;
        const accepted = await post(
          '/api/v1/borrower/consents',
          { code, version, deviceId: `bench-device-${i}` },
          accessToken,
        );
        if (accepted.status !== 201) throw new Error(`consent ${accepted.status}: ${await accepted.text()}`);
      }
      tokens.push(accessToken);
    }

    const lines: string[] = [];
    let best: number | undefined;
    let next = 0;
    // A short warm-up, so the first rate is not measuring JIT and pool start.
    for (let i = 0; i < 50; i += 1)
      await post(
        '/api/v1/borrower/credit-applications',
        { deviceId: `bench-device-w${i}` },
        tokens[next++ % tokens.length] ?? '',
      );
    for (const rate of rates) {
      const total = rate * secondsPerRate;
      const latencies: number[] = [];
      let failed = 0;
      const failures = new Map<number, number>();
      const started = performance.now();
      const inFlight: Promise<void>[] = [];
      for (let i = 0; i < total; i += 1) {
        const due = started + (i * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const token = tokens[next++ % tokens.length] ?? '';
        // The latency is from when the request was due, not sent: no coordinated omission.
        inFlight.push(
          post(
            '/api/v1/borrower/credit-applications',
            { deviceId: `bench-device-${i % borrowers}` },
            token,
          ).then(async (response) => {
            await response.text();
            if (response.status === 201) latencies.push(performance.now() - due);
            else {
              failed += 1;
              failures.set(response.status, (failures.get(response.status) ?? 0) + 1);
            }
          }),
        );
      }
      await Promise.all(inFlight);
      const sorted = latencies.sort((a, b) => a - b);
      const p50 = percentile(sorted, 50);
      const p99 = percentile(sorted, 99);
      if (p99 <= p99Aim && failed === 0) best = rate;
      lines.push(
        `  offered ${String(rate).padStart(4)}/s for ${secondsPerRate} s: ${sorted.length} decided, ${failed} failed${
          failed === 0 ? '' : ` (${[...failures].map(([status, n]) => `${n} × ${status}`).join(', ')})`
        }, p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms`,
      );
    }
    const stored = await sql<{ n: number }>`SELECT count(*)::int AS n FROM risk_decisions`.execute(db);
    return [
      '',
      `HTTP: POST /api/v1/borrower/credit-applications against fenqi serve (${scratch.server}), ${borrowers} borrowers, policy of 50 rules and 10 characteristics`,
      ...lines,
      `  highest offered rate with p99 ≤ ${p99Aim} ms and no failure: ${best === undefined ? 'none' : `${best}/s`}; decisions stored ${stored.rows[0]?.n}`,
    ].join('\n');
  } finally {
    server?.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await pool.end();
    await scratch.drop();
  }
}
