import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LocalDate } from '../date/local-date.ts';
import { addDays, localDate } from '../date/local-date.ts';
import { issueCatalogue } from '../issue.ts';
import { aprFromCashflows } from '../quote/apr-request.ts';
import { quoteLoan } from '../quote/quote-loan.ts';
import type { QuoteRequest } from '../quote/quote-request.ts';
import { buildSchedule } from '../schedule/schedule.ts';
import { loanTermsArb } from '../testing/arbitraries.ts';
import { countDecimalOperations } from '../testing/decimal-operations.ts';
import { referenceDiscountFactor } from '../testing/irr-reference.ts';
import { cashflowsMax, paymentsMax } from './annualized.ts';
import type { IrrWork, TimedAmount } from './irr.ts';
import {
  exactDiscountFactor,
  floatEvaluationsMax,
  floatRoot,
  IrrDecimal,
  irrWork,
  npv,
  npvEvaluationsMax,
  npvOperationsPerFlowMax,
  solveDiscountFactor,
  timeBitsMax,
} from './irr.ts';
import { scheduleApr } from './schedule-apr.ts';

// The APR solver's work is bounded by counting, never by timing: exact NPV evaluations, the Decimal
// operations inside them, and float evaluations. The hard cap (npvEvaluationsMax) holds by
// construction; these tests show that accepted input never comes near it — two sign checks, at
// most one exactly-zero check and at most three Newton steps — and that the answers are the ones
// the unbounded solver it replaced gives.

const evaluationsOnAcceptedInputMax = 6;

/** Decimal operations outside the NPV evaluations: the bracket, Newton steps, the three figures. */
const operationsBesideEvaluationsMax = 400;

function expectBounded(work: IrrWork): void {
  // The float root passed the exact sign check: the fallback never ran.
  expect(work.bracketWidenings).toBe(0);
  expect(work.npvEvaluations).toBeGreaterThan(0);
  expect(work.npvEvaluations).toBeLessThanOrEqual(evaluationsOnAcceptedInputMax);
  expect(work.floatEvaluations).toBeLessThan(floatEvaluationsMax);
}

const ctx = { businessDate: localDate('2025-01-15') };

describe('the hostile APR request (days:1, received 100.00, 2,400 × 999,999,999,999.99)', () => {
  const hostile = (count: number) => ({
    frequency: 'days:1',
    received: '100.00',
    payments: Array<string>(count).fill('999999999999.99'),
  });

  it('is refused as too many cash flows before any Decimal work (the old solver did 1,352,100 operations)', () => {
    const { result, operations } = countDecimalOperations(() => aprFromCashflows(hostile(2400)));
    expect(result).toEqual({
      ok: false,
      issues: [{ code: 'cashflows_invalid', path: 'payments', message: `at most ${paymentsMax} payments` }],
    });
    expect(operations).toBe(0);
  });

  it('at the most payments accepted costs at most 6 evaluations of 601 flows in all its Decimal work', () => {
    const work = irrWork();
    const { result, operations } = countDecimalOperations(() => aprFromCashflows(hostile(paymentsMax), work));
    expect(result.ok).toBe(true);
    expectBounded(work);
    const perEvaluation = npvOperationsPerFlowMax * cashflowsMax + 1;
    expect(operations).toBeLessThanOrEqual(
      evaluationsOnAcceptedInputMax * perEvaluation + operationsBesideEvaluationsMax,
    );
  });
});

/** Dated flows from 1900-01-01 with the given gaps in days. */
function datedFlows(gaps: readonly number[], received: string, paid: string) {
  let date: LocalDate = localDate('1900-01-01');
  const flows = [{ date: date as string, amount: received }];
  for (const gap of gaps) {
    date = addDays(date, gap);
    flows.push({ date, amount: `-${paid}` });
  }
  return flows;
}

// 600 distinct gaps of 4,095 days and up (twelve set bits and more), spanning 1900 to 9,750: the
// most expensive powers an evaluation can need, over nearly the whole LocalDate range.
const distinctGaps = Array.from({ length: paymentsMax }, (_, i) => 4095 + 2 * i);

describe('the worst accepted inputs take at most 6 exact NPV evaluations', () => {
  const cases: readonly [string, Parameters<typeof aprFromCashflows>[0]][] = [
    [
      'the widest ratio: 0.000000000001 received, 600 × 10^15 paid each day',
      {
        frequency: 'days:1',
        received: '0.000000000001',
        payments: Array(paymentsMax).fill('1000000000000000'),
      },
    ],
    [
      'the most negative: 10^15 received, 600 × 0.000000000001 paid',
      {
        frequency: 'monthly',
        received: '1000000000000000',
        payments: Array(paymentsMax).fill('0.000000000001'),
      },
    ],
    [
      'a rate of zero within a hundredth of a fen: 600 × 100.00 against 59,999.99',
      { frequency: 'monthly', received: '59999.99', payments: Array(paymentsMax).fill('100.00') },
    ],
    [
      'XIRR over 601 dates 1900–9750, distinct gaps, 10^15 against 600 × 0.000000000001',
      { cashflows: datedFlows(distinctGaps, '1000000000000000', '0.000000000001') },
    ],
    [
      'XIRR over 601 dates 1900–9750, distinct gaps, 0.000000000001 against 600 × 10^15',
      { cashflows: datedFlows(distinctGaps, '0.000000000001', '1000000000000000') },
    ],
    [
      'XIRR over 601 consecutive days of 999,999,999,999.99 against 100.00',
      { cashflows: datedFlows(Array(paymentsMax).fill(1), '100.00', '999999999999.99') },
    ],
  ];
  for (const [name, request] of cases) {
    it(name, () => {
      const work = irrWork();
      const result = aprFromCashflows(request, work);
      expect(result.ok).toBe(true);
      expectBounded(work);
    });
  }

  const quotes: readonly [string, Partial<QuoteRequest>][] = [
    ['equal installment, 600 days at 1000 %', { method: 'equal_installment', frequency: 'days:1' }],
    ['equal installment, 600 months at 1000 %', { method: 'equal_installment' }],
    [
      'equal installment, 600 × 366 days from a broken first period (XIRR over 601 years)',
      { method: 'equal_installment', frequency: 'days:366', firstDueDate: '2025-02-28' },
    ],
    [
      'equal installment, 600 months on day 31 with actual-day interest (XIRR)',
      { method: 'equal_installment', dueDay: 31, interestPeriod: 'daily', annualRate: '0.000000000001' },
    ],
    ['equal principal, 600 weeks', { method: 'equal_principal', frequency: 'weekly' }],
    ['interest first, 600 × 366 days', { method: 'interest_first', frequency: 'days:366' }],
    [
      'flat fee of 100 % a period, 600 days',
      { method: 'flat_fee', annualRate: '0', periodFeeRate: '1', frequency: 'days:1' },
    ],
    ['daily, 600 × 366 days', { method: 'daily', interestPeriod: 'daily', frequency: 'days:366' }],
  ];
  for (const [name, fields] of quotes) {
    it(`quote: ${name}`, () => {
      const work = irrWork();
      const request: QuoteRequest = {
        principal: '9999999999999.99',
        annualRate: '10',
        termCount: 600,
        startDate: '2025-01-31',
        method: 'equal_installment',
        ...fields,
      };
      const result = quoteLoan(request, ctx, work);
      expect(result.ok ? [] : result.issues).toEqual([]);
      expectBounded(work);
    });
  }
});

describe('the APR of any valid schedule', () => {
  it('takes at most 6 exact NPV evaluations, without widening the bracket', () => {
    fc.assert(
      fc.property(loanTermsArb({ termCountMax: 60 }), (terms) => {
        const built = buildSchedule(terms);
        if (!built.ok) return;
        const work = irrWork();
        expect(scheduleApr(built.value, work).ok).toBe(true);
        expectBounded(work);
      }),
      { numRuns: 150 },
    );
  });
});

describe('the work of one NPV evaluation', () => {
  const measure = (flows: readonly TimedAmount[], withSlope: boolean) => {
    const work = irrWork();
    const { operations } = countDecimalOperations(() => npv(flows, new IrrDecimal('0.99'), withSlope, work));
    return { operations, counted: work.decimalOperations };
  };
  const periodic = (count: number): TimedAmount[] => [
    { time: 0, amount: new IrrDecimal('-1000000') },
    ...Array.from({ length: count }, (_, k) => ({ time: k + 1, amount: new IrrDecimal('999999999999.99') })),
  ];

  // decimal.js carries out `plus` on operands of opposite signs as `minus`, which the prototype spy
  // sees as a second call: each flow's two additions may count twice there, never more.
  const delegatedAdditionsPerFlowMax = 2;

  it('is at most 5 Decimal operations per flow (plus the slope division) for regular periods', () => {
    for (const count of [1, 12, paymentsMax]) {
      const flows = periodic(count);
      const { operations, counted } = measure(flows, true);
      expect(counted).toBeLessThanOrEqual(npvOperationsPerFlowMax * flows.length + 1);
      expect(operations).toBeGreaterThanOrEqual(counted);
      expect(operations).toBeLessThanOrEqual(counted + delegatedAdditionsPerFlowMax * flows.length);
      // The sign checks need no slope: three operations per flow.
      expect(measure(flows, false).counted).toBeLessThanOrEqual(3 * flows.length);
    }
  });

  it('stays linear in the flows for the costliest gaps: below (5 + 2·22) per flow', () => {
    let time = 0;
    const flows: TimedAmount[] = [{ time: 0, amount: new IrrDecimal(-1) }];
    for (const gap of distinctGaps) {
      time += gap;
      flows.push({ time, amount: new IrrDecimal(1) });
    }
    expect(time).toBeLessThan(2 ** timeBitsMax);
    const { operations, counted } = measure(flows, true);
    expect(counted).toBeLessThanOrEqual((npvOperationsPerFlowMax + 2 * timeBitsMax) * flows.length);
    expect(operations).toBeLessThanOrEqual(counted + delegatedAdditionsPerFlowMax * flows.length);
  });
});

describe('solveDiscountFactor', () => {
  // Small flows keep the unbounded reference quick; the bounded solver's cost does not depend on
  // the draw, only on the count (bounded above).
  const amountArb = fc
    .tuple(fc.bigInt({ min: 1n, max: 10n ** 27n }), fc.constantFrom(1n, 1_000n, 10n ** 9n))
    .map(([value, divisor]) => (value / divisor > 0n ? value / divisor : value));
  const flowsArb: fc.Arbitrary<TimedAmount[]> = fc
    .record({
      received: fc.array(amountArb, { minLength: 1, maxLength: 3 }),
      paid: fc.array(fc.option(amountArb, { freq: 8, nil: undefined }), { minLength: 1, maxLength: 16 }),
      gapDays: fc.array(fc.integer({ min: 1, max: 800 }), { minLength: 19, maxLength: 19 }),
      dated: fc.boolean(),
    })
    .filter(({ paid }) => paid.some((amount) => amount !== undefined))
    .map(({ received, paid, gapDays, dated }) => {
      const amounts = [...received.map((a) => -a), ...paid.map((a) => a ?? 0n)];
      let time = 0;
      return amounts.map((amount, index) => {
        if (index > 0) time += dated ? (gapDays[index] ?? 1) : 1;
        return { time, amount: new IrrDecimal(amount.toString()).toSignificantDigits() };
      });
    });

  it('takes at most 6 evaluations on arbitrary accepted flows and agrees with the unbounded solver to 1e-30', () => {
    fc.assert(
      fc.property(flowsArb, (flows) => {
        const work = irrWork();
        const { v } = solveDiscountFactor(flows, work);
        expectBounded(work);
        const reference = referenceDiscountFactor(flows);
        if (v === undefined || reference === undefined) throw new Error('no root');
        expect(v.minus(reference).abs().lessThanOrEqualTo(reference.times('1e-30'))).toBe(true);
      }),
      { numRuns: 80 },
    );
  });

  it('never exceeds its evaluation budget: a budget too small for the flows gives undefined, not a loop', () => {
    const flows = [
      { time: 0, amount: new IrrDecimal(-99_000) },
      ...Array.from({ length: 12 }, (_, k) => ({ time: k + 1, amount: new IrrDecimal('8833.33') })),
    ];
    expect(npvEvaluationsMax).toBeGreaterThan(evaluationsOnAcceptedInputMax);
    for (let budget = 0; budget <= 4; budget += 1) {
      const work = irrWork();
      expect(solveDiscountFactor(flows, work, budget).v).toBeUndefined();
      expect(work.npvEvaluations).toBe(budget);
    }
    const work = irrWork();
    expect(solveDiscountFactor(flows, work, 5).v?.toSignificantDigits(12).toString()).toBe('0.989442281375');
  });

  it('recovers the same root within the cap from a float estimate off by up to 1e-5, and refuses a hopeless one within it', () => {
    const flows = [
      { time: 0, amount: new IrrDecimal(-1_000_000) },
      ...Array.from({ length: paymentsMax }, (_, k) => ({
        time: (k + 1) * 366,
        amount: new IrrDecimal(9_000),
      })),
    ];
    const exact = solveDiscountFactor(flows).v;
    if (exact === undefined) throw new Error('no root');
    const root = floatRoot(flows, irrWork());
    for (const error of [-1e-5, -1e-8, 1e-8, 1e-5]) {
      const work = irrWork();
      const { v } = exactDiscountFactor(flows, { ...root, x: root.x + error }, work);
      expect(work.bracketWidenings).toBeGreaterThan(0);
      expect(work.npvEvaluations).toBeLessThanOrEqual(npvEvaluationsMax);
      expect(v?.minus(exact).abs().lessThanOrEqualTo(exact.times('1e-30'))).toBe(true);
    }
    const work = irrWork();
    expect(exactDiscountFactor(flows, { ...root, x: root.x + 1 }, work).v).toBeUndefined();
    expect(work.npvEvaluations).toBe(npvEvaluationsMax);
  });
});

describe('the issue catalogue states the bounds in force', () => {
  it('names the flow limit and the evaluation cap', () => {
    expect(issueCatalogue.cashflows_invalid).toContain(String(cashflowsMax));
    expect(issueCatalogue.irr_not_found).toContain(String(npvEvaluationsMax));
  });
});
