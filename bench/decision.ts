// Decision benchmark: Fenqi's compiled policy engine against json-rules-engine and GoRules ZEN on
// the example policy (fixtures/risk/policy-example.json: 50 hard rules, a 10-characteristic
// scorecard, 4 grades), the same snapshots for all three, in the same run.
//
//   node bench/decision.ts
//   BENCH_SNAPSHOTS=20000 BENCH_RUNS=9 node bench/decision.ts
//
// Contenders:
//   fenqi          evaluateCompiled(compilePolicy(policy), snapshot): reads the snapshot JSON as sent
//                  (money as fen strings, dates as text), checks every value, and returns the whole
//                  Decision with its trace (every rule with the values it read, every bin)
//   json-rules-engine  the policy translated once (bench/decision-translate.ts) to 50 + 38 rules (one
//                  per hard rule, one per scorecard bin), run with `await engine.run(facts)`; its
//                  events are summed into the score and outcome here
//   zen-engine     the policy translated once to a JDM graph with one expression node that computes
//                  every rule, the points, score, grade and outcome; `await decision.evaluate(facts)`
//                  one at a time, and in batches of concurrent evaluations (its work runs on native
//                  threads, so a batch may use more than one core: hence the CPU-time column)
//   zen floor      a one-expression graph called the same way: the cost of a call before any rule
// The other two get their facts converted beforehand (money to numbers, dates to YYYYMMDD integers),
// outside the timing — a head start Fenqi, which parses the snapshot in the timed call, does not get.
// Every figure is the median of the timed runs after a warm-up. First, on a sample, the three must
// agree on every decision's outcome, score, grade and reasons. Then the apply endpoint over real
// HTTP at fixed rates (bench/decision-http.ts; BENCH_HTTP=0 skips it).
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { ZenEngine } from '@gorules/zen-engine';
import { Engine } from 'json-rules-engine';
import type { Policy } from '../packages/core/src/index.ts';
import { compilePolicy, evaluateCompiled, validatePolicy } from '../packages/core/src/index.ts';
import { measureApplyEndpoint } from './decision-http.ts';
import type { Facts, Verdict } from './decision-translate.ts';
import {
  factsOf,
  runJsonRulesEngine,
  toJsonRulesEngine,
  toZenGraph,
  zenVerdict,
} from './decision-translate.ts';

const snapshotCount = Number(process.env.BENCH_SNAPSHOTS ?? 10_000);
const runs = Number(process.env.BENCH_RUNS ?? 5);
const agreementSample = Math.min(snapshotCount, Number(process.env.BENCH_AGREEMENT ?? 2_000));
const runMillisecondsMin = 300;
const zenBatchSizes = [16, 64, 256];

const policyPath = new URL('../fixtures/risk/policy-example.json', import.meta.url);
const validated = validatePolicy(JSON.parse(readFileSync(policyPath, 'utf8')));
if (!validated.ok) throw new Error(`the example policy is invalid: ${JSON.stringify(validated.issues)}`);
const policy: Policy = validated.value;

/** A small deterministic generator, so every run and every engine sees the same snapshots. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * Applicants, half of them ordinary (values a clean applicant has) and half drawn across and around
 * the policy's thresholds, so that every rule and bin sees both sides and all three outcomes occur.
 */
function makeSnapshots(count: number): Record<string, unknown>[] {
  const random = lcg(20_261_201);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
  const sometimes = (p: number) => random() < p;
  const date = (year: number, spanYears: number) => {
    const y = year + int(0, spanYears);
    return `${y}-${String(int(1, 12)).padStart(2, '0')}-${String(int(1, 28)).padStart(2, '0')}`;
  };
  return Array.from({ length: count }, () => {
    const risky = sometimes(0.5);
    const either = <T>(ordinary: () => T, wide: () => T): T =>
      risky && sometimes(0.25) ? wide() : ordinary();
    return {
      age: either(
        () => int(22, 55),
        () => int(16, 70),
      ),
      kycStatus: either(
        () => 'passed',
        () => pick(['passed', 'pending', 'failed']),
      ),
      blacklisted: either(
        () => false,
        () => sometimes(0.3),
      ),
      courtExecutee: either(
        () => false,
        () => sometimes(0.2),
      ),
      multiLendingOrgs7d: either(
        () => int(0, 1),
        () => int(0, 7),
      ),
      multiLendingOrgs30d: either(
        () => int(0, 3),
        () => int(0, 12),
      ),
      multiLendingOrgs90d: either(
        () => int(0, 8),
        () => int(0, 25),
      ),
      applications24h: either(
        () => 1,
        () => int(1, 6),
      ),
      applications7d: either(
        () => int(1, 4),
        () => int(1, 18),
      ),
      deviceRiskScore: either(
        () => Math.round(random() * 500) / 1000,
        () => Math.round(random() * 1000) / 1000,
      ),
      deviceSharedAccounts: either(
        () => int(0, 1),
        () => int(0, 8),
      ),
      ipCityMismatch: either(
        () => sometimes(0.05),
        () => sometimes(0.5),
      ),
      monthlyIncome: either(
        () => String(int(300_000, 4_000_000)),
        () => (sometimes(0.3) ? null : String(int(100_000, 600_000))),
      ),
      outstandingDebt: either(
        () => (sometimes(0.4) ? '0' : String(int(1, 6_000_000))),
        () => String(int(0, 20_000_000)),
      ),
      bureauScore: either(
        () => int(560, 850),
        () => (sometimes(0.3) ? null : int(400, 700)),
      ),
      overdueMaxDays12m: either(
        () => (sometimes(0.85) ? 0 : int(1, 20)),
        () => int(0, 120),
      ),
      currentOverdueAmount: either(
        () => '0',
        () => String(int(0, 200_000)),
      ),
      employmentType: either(
        () => pick(['salaried', 'salaried', 'salaried', 'self_employed', 'retired']),
        () => pick(['salaried', 'self_employed', 'retired', 'student', 'unemployed', 'other']),
      ),
      phoneTenureMonths: either(
        () => int(12, 120),
        () => int(0, 24),
      ),
      idExpiryDate: either(
        () => date(2028, 10),
        () => (sometimes(0.3) ? null : date(2025, 3)),
      ),
      applicationDate: either(
        () => '2026-12-01',
        () => pick(['2025-12-31', '2026-12-01']),
      ),
      provinceCode: either(
        () => pick(['11', '31', '44', '33', '32', '51']),
        () => pick(['15', '65', '81', '44']),
      ),
      cardBound: either(
        () => true,
        () => sometimes(0.5),
      ),
      contactsCount: either(
        () => int(20, 300),
        () => (sometimes(0.3) ? null : int(0, 10)),
      ),
    };
  });
}

const snapshots = makeSnapshots(snapshotCount);
const facts: Facts[] = snapshots.map((snapshot) => factsOf(policy, snapshot));
const compiled = compilePolicy(policy);
const jre = new Engine(toJsonRulesEngine(policy).rules, { allowUndefinedFacts: true });
const zenEngine = new ZenEngine();
const zen = zenEngine.createDecision(toZenGraph(policy));

function fenqiVerdict(snapshot: Record<string, unknown>): Verdict {
  const result = evaluateCompiled(compiled, snapshot);
  if (!result.ok) throw new Error(`fenqi refused a bench snapshot: ${JSON.stringify(result.issues)}`);
  const { outcome, score, grade, reasons } = result.value;
  return { outcome, score, grade, reasons };
}

async function zenOne(index: number): Promise<Verdict> {
  const response = await zen.evaluate(facts[index]);
  return zenVerdict(policy, response.result as Record<string, unknown>);
}

const same = (a: Verdict, b: Verdict) =>
  a.outcome === b.outcome &&
  a.score === b.score &&
  a.grade === b.grade &&
  [...a.reasons].sort().join() === [...b.reasons].sort().join();

async function agreement(): Promise<{ jre: number; zen: number; outcomes: Record<string, number> }> {
  let jreAgree = 0;
  let zenAgree = 0;
  const outcomes: Record<string, number> = { approve: 0, review: 0, reject: 0 };
  for (let index = 0; index < agreementSample; index += 1) {
    const ours = fenqiVerdict(snapshots[index] ?? {});
    outcomes[ours.outcome] = (outcomes[ours.outcome] ?? 0) + 1;
    const theirs = await runJsonRulesEngine(policy, jre, facts[index] ?? {});
    if (same(ours, theirs)) jreAgree += 1;
    else if (jreAgree + 5 > index) console.error('json-rules-engine disagrees', index, ours, theirs);
    const zens = await zenOne(index);
    if (same(ours, zens)) zenAgree += 1;
    else if (zenAgree + 5 > index) console.error('zen-engine disagrees', index, ours, zens);
  }
  return { jre: jreAgree, zen: zenAgree, outcomes };
}

interface Timing {
  /** Evaluations per second of wall time. */
  readonly wall: number;
  /** Evaluations per second of CPU time of the whole process (every thread). */
  readonly cpu: number;
}

let sink = 0;

/** One timed run: whole passes over the snapshots until at least runMillisecondsMin has passed. */
async function timedRun(pass: () => Promise<number> | number): Promise<Timing> {
  let evaluated = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let elapsed = 0;
  do {
    evaluated += await pass();
    elapsed = performance.now() - started;
  } while (elapsed < runMillisecondsMin);
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMilliseconds = (cpu.user + cpu.system) / 1000;
  return { wall: (evaluated / elapsed) * 1000, cpu: (evaluated / cpuMilliseconds) * 1000 };
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function measure(pass: () => Promise<number> | number): Promise<Timing> {
  await timedRun(pass);
  const samples: Timing[] = [];
  for (let run = 0; run < runs; run += 1) samples.push(await timedRun(pass));
  return { wall: median(samples.map((s) => s.wall)), cpu: median(samples.map((s) => s.cpu)) };
}

function fenqiPass(): number {
  for (const snapshot of snapshots) {
    const result = evaluateCompiled(compiled, snapshot);
    if (result.ok) sink += result.value.score;
  }
  return snapshots.length;
}

/** json-rules-engine is much slower: each pass takes a slice of the snapshots, in turn. */
const jreSlice = 1_000;
let jreNext = 0;
async function jrePass(): Promise<number> {
  for (let k = 0; k < jreSlice; k += 1) {
    const verdict = await runJsonRulesEngine(policy, jre, facts[jreNext] ?? {});
    sink += verdict.score;
    jreNext = (jreNext + 1) % facts.length;
  }
  return jreSlice;
}

async function zenSequentialPass(): Promise<number> {
  for (const fact of facts) sink += Number((await zen.evaluate(fact)).result.score);
  return facts.length;
}

function zenBatchPass(size: number): () => Promise<number> {
  return async () => {
    for (let start = 0; start < facts.length; start += size) {
      const batch = facts.slice(start, start + size).map((fact) => zen.evaluate(fact));
      for (const response of await Promise.all(batch)) sink += Number(response.result.score);
    }
    return facts.length;
  };
}

/**
 * Not a decision: a graph whose one expression reads one fact, evaluated the same way — what a
 * zen-engine call costs before any rule (crossing into the native engine and back with the facts).
 */
const zenFloor = zenEngine.createDecision({
  nodes: [
    { id: 'input', type: 'inputNode', name: 'Snapshot', position: { x: 0, y: 0 }, content: {} },
    {
      id: 'floor',
      type: 'expressionNode',
      name: 'floor',
      position: { x: 0, y: 0 },
      content: { expressions: [{ id: 'score', key: 'score', value: 'age' }] },
    },
    { id: 'output', type: 'outputNode', name: 'Decision', position: { x: 0, y: 0 }, content: {} },
  ],
  edges: [
    { id: 'e1', sourceId: 'input', targetId: 'floor', type: 'edge' },
    { id: 'e2', sourceId: 'floor', targetId: 'output', type: 'edge' },
  ],
});

async function zenFloorPass(): Promise<number> {
  for (const fact of facts) sink += Number((await zenFloor.evaluate(fact)).result.score);
  return facts.length;
}

const rate = (value: number) => `${Math.round(value).toLocaleString('en')}/s`;
const ratio = (value: number) => `${value.toFixed(2)}×`;

async function main(): Promise<void> {
  console.log(
    `Decisions per second — example policy (${policy.rules.length} rules, ${policy.scorecard.characteristics.length} characteristics), ` +
      `${snapshotCount.toLocaleString('en')} snapshots, median of ${runs} runs after warm-up; ` +
      `Node ${process.version}, ${availableParallelism()} CPUs\n`,
  );
  const agreed = await agreement();
  console.log(
    `Agreement on ${agreementSample.toLocaleString('en')} snapshots (outcome, score, grade, reasons): ` +
      `json-rules-engine ${agreed.jre}/${agreementSample}, zen-engine ${agreed.zen}/${agreementSample} ` +
      `(fenqi: ${agreed.outcomes.approve} approve, ${agreed.outcomes.review} review, ${agreed.outcomes.reject} reject)\n`,
  );
  const fenqi = await measure(fenqiPass);
  const jreTiming = await measure(jrePass);
  const zenSequential = await measure(zenSequentialPass);
  const zenFloorTiming = await measure(zenFloorPass);
  const zenBatches = new Map<number, Timing>();
  for (const size of zenBatchSizes) zenBatches.set(size, await measure(zenBatchPass(size)));
  const [bestSize, bestBatch] = [...zenBatches].reduce((best, entry) =>
    entry[1].wall > best[1].wall ? entry : best,
  );
  const zenBest = bestBatch.wall > zenSequential.wall ? bestBatch : zenSequential;
  const rows: [string, Timing][] = [
    ['fenqi evaluateCompiled (one core)', fenqi],
    ['json-rules-engine, sequential await', jreTiming],
    ['zen-engine, sequential await', zenSequential],
    ...[...zenBatches].map(([size, timing]): [string, Timing] => [`zen-engine, batches of ${size}`, timing]),
    ['zen-engine floor: 1 expression, sequential', zenFloorTiming],
  ];
  console.log(`${'engine'.padEnd(44)}${'evals/s (wall)'.padStart(16)}${'evals per CPU-s'.padStart(17)}`);
  for (const [name, timing] of rows)
    console.log(`${name.padEnd(44)}${rate(timing.wall).padStart(16)}${rate(timing.cpu).padStart(17)}`);
  console.log('');
  console.log(
    `fenqi ≥ 100,000/s on one core (aim): ${fenqi.wall >= 100_000 ? 'yes' : 'NO'} — ${rate(fenqi.wall)}`,
  );
  console.log(
    `fenqi ÷ json-rules-engine: ${ratio(fenqi.wall / jreTiming.wall)} wall, ${ratio(fenqi.cpu / jreTiming.cpu)} CPU (aim ≥ 5×)`,
  );
  console.log(
    `fenqi ÷ zen-engine (best: ${zenBest === zenSequential ? 'sequential' : `batches of ${bestSize}`}): ` +
      `${ratio(fenqi.wall / zenBest.wall)} wall, ${ratio(fenqi.cpu / zenBest.cpu)} CPU ` +
      '(aim ≥ 1×; its authors publish 45k/s on one M3 core)',
  );
  console.log(
    '(zen-engine floor: a graph with one expression reading one fact, called as above — the cost of a call\n' +
      ' before any rule; the example policy is 50 rule expressions, 10 point chains and 5 more.)',
  );
  if (process.env.BENCH_HTTP !== '0') console.log(await measureApplyEndpoint());
  zenEngine.dispose();
  if (sink === Number.MIN_SAFE_INTEGER) console.log('');
}

await main();
