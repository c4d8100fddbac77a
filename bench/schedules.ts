// Schedule benchmark: Fenqi's exact schedule engine against the float-based npm libraries loanjs
// and amortize, on the same loans in the same run, plus how many cents each library gets wrong.
//
//   node bench/schedules.ts
//   BENCH_LOANS=20000 BENCH_RUNS=9 node bench/schedules.ts
//
// Contenders, per method (equal_installment, equal_principal) and term (12, 36 months):
//   fenqi kernel        equalInstallmentSafe / equalPrincipalSafe: the amounts only, integer fen in
//                       safe-integer Numbers, the rate an exact fraction derived once per product,
//                       the annuity factor cached per (rate, n) — the exact engine doing what the
//                       float libraries do
//   fenqi buildSchedule the full public call from LoanTerms to a complete Schedule: validation, due
//                       dates, every installment with bigint principal, interest, fee, total and
//                       balance, totals and the conservation assertions
//   loanjs              Loan(amount, n, ratePercent, diminishing): floats rounded with Math.round,
//                       its full installment list
//   amortize            one amortize() call over all n periods (it returns totals, not rows)
// Every timed call's result is consumed (an installment picked per loan is read), so nothing can be
// optimized away. Each figure is the median of several timed runs after a warm-up; runs interleave
// the contenders. The last column is the ratio the hardening asks for: buildSchedule ÷ loanjs.
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Decimal } from 'decimal.js';
import type { Installment, LoanTerms, PeriodicRate, SafeAmounts } from '../packages/core/src/index.ts';
import {
  buildSchedule,
  equalInstallmentSafe,
  equalPrincipalSafe,
  loanTerms,
  localDate,
  periodicRate,
  rational,
  rationalFromDecimal,
} from '../packages/core/src/index.ts';

const require = createRequire(import.meta.url);

interface LoanjsInstallment {
  readonly capital: number;
  readonly interest: number;
  readonly installment: number;
}
type LoanjsLoan = (
  amount: number,
  count: number,
  ratePercent: number,
  diminishing: boolean,
) => {
  readonly installments: readonly LoanjsInstallment[];
};
interface AmortizeResult {
  readonly term: { readonly principal: number; readonly interest: number };
}
type Amortize = (options: {
  amount: number;
  rate: number;
  totalTerm: number;
  amortizeTerm: number;
  repaymentType: 'amortize' | 'equal-principal-payment';
}) => AmortizeResult;

const { Loan } = require('loanjs') as { Loan: LoanjsLoan };
const amortize = require('amortize') as Amortize;

const loanCount = Number(process.env.BENCH_LOANS ?? 10_000);
const runs = Number(process.env.BENCH_RUNS ?? 7);
const runMillisecondsMin = 150;
const amortizeCheckedLoansMax = 1_000;

type Method = 'equal_installment' | 'equal_principal';

interface Loan {
  readonly principalMinor: number;
  readonly annualPercent: number;
  readonly rate: PeriodicRate;
  readonly terms: LoanTerms;
}

// Products share a handful of published rates; each product's periodic rate is derived once.
const productRates = ['0.0435', '0.049', '0.053', '0.0899', '0.12', '0.1548', '0.18', '0.24'].map((text) => {
  const annual = new Decimal(text);
  const exact = rationalFromDecimal(annual);
  return { annual, percent: Number(text) * 100, rate: periodicRate(rational(exact.num, exact.den * 12n)) };
});

/** A small deterministic generator, so every run and every contender sees the same loans. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state / 2 ** 32;
  };
}

function makeLoans(method: Method, termCount: number): Loan[] {
  const random = lcg(termCount * 7 + (method === 'equal_installment' ? 1 : 2));
  const start = localDate('2025-01-15');
  return Array.from({ length: loanCount }, () => {
    const principalMinor = 100_000 + Math.floor(random() * 19_900_001); // 1,000.00 to 200,000.00
    const product = productRates[Math.floor(random() * productRates.length)] ?? productRates[0];
    if (product === undefined) throw new Error('no product');
    const terms = loanTerms({
      method,
      principalMinor: BigInt(principalMinor),
      annualRate: product.annual,
      termCount,
      startDate: start,
    });
    return { principalMinor, annualPercent: product.percent, rate: product.rate, terms };
  });
}

type FloorRow = Installment;

type Contender = { readonly name: string; readonly run: (loan: Loan, method: Method, n: number) => number };

const contenders: readonly Contender[] = [
  {
    name: 'fenqi kernel',
    run: (loan, method, n) => {
      const amounts =
        method === 'equal_installment'
          ? equalInstallmentSafe(loan.principalMinor, loan.rate, n, 'half_up', 'last_principal')
          : equalPrincipalSafe(loan.principalMinor, loan.rate, n, 'half_up');
      return amounts?.interestMinor[n - 1] ?? -1;
    },
  },
  {
    name: 'fenqi buildSchedule',
    run: (loan, _method, n) => {
      const built = buildSchedule(loan.terms);
      if (!built.ok) return -1;
      const picked = built.value.installments[loan.principalMinor % n];
      return picked !== undefined && picked.interestMinor > 0n && picked.balanceMinor >= 0n ? n : -1;
    },
  },
  {
    name: 'loanjs',
    run: (loan, method, n) => {
      const { installments } = Loan(
        loan.principalMinor / 100,
        n,
        loan.annualPercent,
        method === 'equal_principal',
      );
      const picked = installments[loan.principalMinor % n];
      return picked !== undefined && picked.interest > 0 && picked.capital >= 0 ? installments.length : -1;
    },
  },
  {
    // Not a schedule: the least any code returning Fenqi's Schedule must allocate — n installment
    // objects of the same shape, each with the three bigints that differ from one installment to the
    // next (interest, balance, and principal or total), here mere 64-bit counters. Timed beside the
    // others so that where buildSchedule stays behind loanjs, the run itself shows how much of that
    // is the result type rather than the computation.
    name: 'bigint rows floor',
    run: (loan, _method, n) => {
      const rows: FloorRow[] = new Array<FloorRow>(n);
      let balance = BigInt(loan.principalMinor);
      const start = loan.terms.startDate;
      for (let k = 0; k < n; k += 1) {
        balance = BigInt.asIntN(64, balance - 977n);
        rows[k] = {
          number: k + 1,
          periodStart: start,
          dueDate: start,
          principalMinor: BigInt.asIntN(64, balance + 1n),
          interestMinor: BigInt.asIntN(64, balance + 2n),
          feeMinor: 0n,
          totalMinor: 0n,
          balanceMinor: balance,
        };
      }
      const picked = rows[loan.principalMinor % n];
      return picked !== undefined && picked.interestMinor > 0n ? n : -1;
    },
  },
  {
    name: 'amortize',
    run: (loan, method, n) =>
      amortize({
        amount: loan.principalMinor / 100,
        rate: loan.annualPercent,
        totalTerm: n,
        amortizeTerm: n,
        repaymentType: method === 'equal_installment' ? 'amortize' : 'equal-principal-payment',
      }).term.interest,
  },
];

let sink = 0;

/** Schedules per second for one timed run: whole passes over the loans for at least runMillisecondsMin. */
function timedRun(contender: Contender, loans: readonly Loan[], method: Method, n: number): number {
  let built = 0;
  const started = performance.now();
  let elapsed = 0;
  do {
    for (const loan of loans) sink += contender.run(loan, method, n);
    built += loans.length;
    elapsed = performance.now() - started;
  } while (elapsed < runMillisecondsMin);
  return (built / elapsed) * 1000;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function measure(method: Method, n: number, loans: readonly Loan[]): Map<string, number> {
  for (const contender of contenders) timedRun(contender, loans, method, n);
  const samples = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
  for (let run = 0; run < runs; run += 1) {
    // Rotate the order so no contender always runs first (or last) in a round.
    for (let i = 0; i < contenders.length; i += 1) {
      const contender = contenders[(run + i) % contenders.length];
      if (contender === undefined) continue;
      samples.get(contender.name)?.push(timedRun(contender, loans, method, n));
    }
  }
  return new Map([...samples].map(([name, values]) => [name, median(values)]));
}

const cents = (yuan: number) => Math.round(yuan * 100);

interface Disagreement {
  figures: number;
  differing: number;
  centsOff: number;
  /** The same, leaving out each schedule's last installment, where remainder policies differ. */
  differingBeforeLast: number;
  centsOffBeforeLast: number;
}

const emptyTally = (): Disagreement => ({
  figures: 0,
  differing: 0,
  centsOff: 0,
  differingBeforeLast: 0,
  centsOffBeforeLast: 0,
});

function compare(tally: Disagreement, ours: number, theirs: number, last: boolean): void {
  tally.figures += 1;
  if (ours === theirs) return;
  tally.differing += 1;
  tally.centsOff += Math.abs(ours - theirs);
  if (last) return;
  tally.differingBeforeLast += 1;
  tally.centsOffBeforeLast += Math.abs(ours - theirs);
}

/** Ours must be exact: every schedule repays the principal to the fen and matches buildSchedule. */
function kernelAmounts(loan: Loan, method: Method, n: number): SafeAmounts {
  const amounts =
    method === 'equal_installment'
      ? equalInstallmentSafe(loan.principalMinor, loan.rate, n, 'half_up', 'last_principal')
      : equalPrincipalSafe(loan.principalMinor, loan.rate, n, 'half_up');
  if (amounts === undefined || amounts === null) throw new Error('kernel refused a bench loan');
  const repaid = amounts.principalMinor.reduce((sum, part) => sum + part, 0);
  if (repaid !== loan.principalMinor) throw new Error('kernel principal parts do not sum to the principal');
  const built = buildSchedule(loan.terms);
  if (!built.ok) throw new Error('buildSchedule refused a bench loan');
  built.value.installments.forEach((installment, k) => {
    if (installment.principalMinor !== BigInt(amounts.principalMinor[k] ?? -1))
      throw new Error('kernel ≠ buildSchedule');
    if (installment.interestMinor !== BigInt(amounts.interestMinor[k] ?? -1))
      throw new Error('kernel ≠ buildSchedule');
  });
  return amounts;
}

function disagreements(
  method: Method,
  n: number,
  loans: readonly Loan[],
): { loanjs: Disagreement; amortize: Disagreement } {
  const loanjs = emptyTally();
  const amortizeTally = emptyTally();
  for (const [index, loan] of loans.entries()) {
    const ours = kernelAmounts(loan, method, n);
    const theirs = Loan(
      loan.principalMinor / 100,
      n,
      loan.annualPercent,
      method === 'equal_principal',
    ).installments;
    for (let k = 0; k < n; k += 1) {
      compare(loanjs, ours.principalMinor[k] ?? 0, cents(theirs[k]?.capital ?? Number.NaN), k === n - 1);
      compare(loanjs, ours.interestMinor[k] ?? 0, cents(theirs[k]?.interest ?? Number.NaN), k === n - 1);
    }
    if (index >= amortizeCheckedLoansMax) continue;
    for (let k = 1; k <= n; k += 1) {
      const term = amortize({
        amount: loan.principalMinor / 100,
        rate: loan.annualPercent,
        totalTerm: n,
        amortizeTerm: k,
        repaymentType: method === 'equal_installment' ? 'amortize' : 'equal-principal-payment',
      }).term;
      compare(amortizeTally, ours.principalMinor[k - 1] ?? 0, cents(term.principal), k === n);
      compare(amortizeTally, ours.interestMinor[k - 1] ?? 0, cents(term.interest), k === n);
    }
  }
  return { loanjs, amortize: amortizeTally };
}

const perSecond = (value: number) => `${(value / 1e6).toFixed(3)} M/s`;
const pad = (text: string, width: number) => text.padEnd(width);
const padLeft = (text: string, width: number) => text.padStart(width);

const cases: readonly [Method, number][] = [
  ['equal_installment', 12],
  ['equal_installment', 36],
  ['equal_principal', 12],
  ['equal_principal', 36],
];

interface CaseTiming {
  readonly method: Method;
  readonly n: number;
  readonly rates: Record<string, number>;
  /** Folds every result in, so no timed call can be optimized away. */
  readonly checksum: number;
}

/** Child mode: time one case and print its medians as one JSON line. */
function timeCase(method: Method, n: number): void {
  const loans = makeLoans(method, n);
  const rates = measure(method, n, loans);
  const timing: CaseTiming = {
    method,
    n,
    rates: Object.fromEntries(rates),
    checksum: Math.round(sink) % 1000,
  };
  console.log(JSON.stringify(timing));
}

/**
 * Each case is timed in a fresh process: a library used for one loan type only stays monomorphic,
 * exactly as it would in a program that uses it that way, so no contender (theirs or ours) is
 * slowed by JIT state another case left behind. All contenders of a case share that process.
 */
function timeCaseInChild(method: Method, n: number): CaseTiming {
  const output = execFileSync(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_CASE: `${method}:${n}` },
    encoding: 'utf8',
  });
  return JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as CaseTiming;
}

function report(): void {
  console.log(
    `Schedules per second — ${loanCount.toLocaleString('en')} loans per case (1,000.00–200,000.00 CNY, 8 product rates), ` +
      `median of ${runs} runs after warm-up, each case in its own process; Node ${process.version}, ${availableParallelism()} CPUs\n`,
  );
  const ratioColumns = ['kernel ÷ fastest float', 'buildSchedule ÷ loanjs', 'floor ÷ loanjs'];
  const header = ['method', 'n', ...contenders.map((c) => c.name), ...ratioColumns];
  const widths = header.map((h, i) => (i === 0 ? 19 : i === 1 ? 4 : Math.max(12, h.length)));
  console.log(header.map((h, i) => (i < 2 ? pad(h, widths[i] ?? 0) : padLeft(h, widths[i] ?? 0))).join(' '));
  const ratio = (value: number) => `${value.toFixed(2)}×`;
  for (const [method, n] of cases) {
    const { rates } = timeCaseInChild(method, n);
    const loanjs = rates.loanjs ?? 0;
    const fastestFloat = Math.max(loanjs, rates.amortize ?? 0);
    const cells = [
      method,
      String(n),
      ...contenders.map((c) => perSecond(rates[c.name] ?? 0)),
      ratio((rates['fenqi kernel'] ?? 0) / fastestFloat),
      ratio((rates['fenqi buildSchedule'] ?? 0) / loanjs),
      ratio((rates['bigint rows floor'] ?? 0) / loanjs),
    ];
    console.log(
      cells.map((cell, i) => (i < 2 ? pad(cell, widths[i] ?? 0) : padLeft(cell, widths[i] ?? 0))).join(' '),
    );
  }
  console.log(
    '(bigint rows floor: n objects of the Installment shape with three distinct bigints each and nothing\n' +
      ' computed — the least a Schedule costs to allocate; below 1.00× loanjs, no exact bigint schedule can\n' +
      ' reach loanjs on that row.)',
  );
  console.log('\nDisagreement with Fenqi: principal and interest of every installment, in fen');
  console.log(
    [
      pad('method', 19),
      pad('n', 4),
      pad('library', 10),
      padLeft('loans', 8),
      padLeft('figures', 10),
      padLeft('differing', 10),
      padLeft('fen off', 10),
      padLeft('differing¹', 14),
      padLeft('fen off¹', 14),
    ].join(' '),
  );
  for (const [method, n] of cases) {
    const loans = makeLoans(method, n);
    const { loanjs, amortize: amortizeTally } = disagreements(method, n, loans);
    for (const [name, tally, checked] of [
      ['loanjs', loanjs, loans.length],
      ['amortize', amortizeTally, Math.min(loans.length, amortizeCheckedLoansMax)],
    ] as const) {
      console.log(
        [
          pad(method, 19),
          pad(String(n), 4),
          pad(name, 10),
          padLeft(checked.toLocaleString('en'), 8),
          padLeft(tally.figures.toLocaleString('en'), 10),
          padLeft(tally.differing.toLocaleString('en'), 10),
          padLeft(tally.centsOff.toLocaleString('en'), 10),
          padLeft(tally.differingBeforeLast.toLocaleString('en'), 14),
          padLeft(tally.centsOffBeforeLast.toLocaleString('en'), 14),
        ].join(' '),
      );
    }
  }
  console.log(
    "¹ leaving out each schedule's last installment, where remainder policies differ (loanjs does not put the\n" +
      '  rounding remainder into the last principal; amortize never rounds per period, so its balance drifts).\n' +
      'Fenqi figures are exact: checked here, every kernel schedule repays the principal to the fen and equals\n' +
      'buildSchedule.',
  );
}

const caseArgument = process.env.BENCH_CASE;
if (caseArgument === undefined) {
  report();
} else {
  const [method, n] = caseArgument.split(':');
  if (method !== 'equal_installment' && method !== 'equal_principal')
    throw new Error(`bad BENCH_CASE ${caseArgument}`);
  timeCase(method, Number(n));
}
