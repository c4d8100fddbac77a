import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localDate } from '../date/local-date.ts';
import {
  agencyReviewLapsed,
  pickAssignee,
  type StrategyDefinition,
  selectStrategyRule,
  stepsDue,
  strategyIssues,
  waiverTierOf,
} from './strategy.ts';

const book: StrategyDefinition = {
  rules: [
    {
      buckets: ['M1'],
      queue: 'm1-auto',
      handler: 'automated',
      steps: [
        { dpdFrom: 1, action: 'sms_reminder', channel: 'sms' },
        { dpdFrom: 5, action: 'ai_voice', channel: 'ai_voice' },
      ],
    },
    {
      buckets: ['M2', 'M3'],
      products: ['big'],
      minOverdueMinor: '1000000',
      queue: 'm2-senior',
      handler: 'agent',
      steps: [],
    },
    {
      buckets: ['M2', 'M3'],
      queue: 'm2-agents',
      handler: 'agent',
      steps: [{ dpdFrom: 31, action: 'agent_call', channel: 'voice' }],
    },
    {
      buckets: ['M4', 'M5', 'M6'],
      queue: 'm4-agency',
      handler: 'agency',
      steps: [{ dpdFrom: 91, action: 'agency' }],
    },
    { buckets: ['M7'], queue: 'legal', handler: 'legal', steps: [{ dpdFrom: 181, action: 'legal' }] },
  ],
};

describe('selectStrategyRule', () => {
  it.each([
    ['M1', 'any', 1n, 'm1-auto'],
    ['M2', 'any', 5_000_000n, 'm2-agents'],
    ['M2', 'big', 999_999n, 'm2-agents'],
    ['M3', 'big', 1_000_000n, 'm2-senior'],
    ['M5', 'any', 1n, 'm4-agency'],
    ['M7', 'any', 1n, 'legal'],
  ] as const)(
    'puts a %s case of product %s with %s fen overdue in %s',
    (bucket, productCode, overdueMinor, queue) => {
      expect(selectStrategyRule(book, { bucket, productCode, overdueMinor })?.queue).toBe(queue);
    },
  );

  it('finds no rule for a bucket none names', () => {
    expect(
      selectStrategyRule(
        { rules: [book.rules[0] as never] },
        { bucket: 'M2', productCode: 'x', overdueMinor: 1n },
      ),
    ).toBeUndefined();
  });
});

describe('stepsDue', () => {
  it('lists the steps reached by the days past due, in order', () => {
    const rule = book.rules[0];
    if (rule === undefined) throw new Error('no rule');
    expect(stepsDue(rule, 4).map((s) => s.action)).toEqual(['sms_reminder']);
    expect(stepsDue(rule, 12).map((s) => s.action)).toEqual(['sms_reminder', 'ai_voice']);
  });
});

describe('strategyIssues', () => {
  it('accepts the book', () => {
    expect(strategyIssues(book)).toEqual([]);
  });

  it('names each problem by its path', () => {
    expect(
      strategyIssues({
        rules: [
          {
            buckets: ['M0'],
            queue: 'Bad Queue',
            handler: 'agent',
            minOverdueMinor: '-1',
            steps: [{ dpdFrom: 0, action: 'agent_call', channel: 'fax' as never }],
          },
        ],
      }),
    ).toEqual([
      { path: 'rules.0.buckets', message: 'M0 is not an overdue bucket (M1–M7)' },
      { path: 'rules.0.queue', message: 'must be 1–40 lower-case letters, digits, _ or -' },
      { path: 'rules.0.minOverdueMinor', message: 'must be a whole number of fen' },
      { path: 'rules.0.steps.0.dpdFrom', message: 'must be a whole number of days ≥ 1' },
      { path: 'rules.0.steps.0.channel', message: 'must be one of sms, voice, ai_voice, visit' },
    ]);
    expect(strategyIssues({ rules: [] })).toEqual([
      { path: 'rules', message: 'must have at least one rule' },
    ]);
  });
});

describe('pickAssignee', () => {
  it('takes the lowest load with room, ties to fewer cases then the smaller id', () => {
    expect(
      pickAssignee([
        { id: 'b', openCases: 5, capacity: 10 },
        { id: 'a', openCases: 9, capacity: 20 },
        { id: 'c', openCases: 0, capacity: 0 },
        { id: 'd', openCases: 3, capacity: 3 },
      ])?.id,
    ).toBe('a');
    expect(
      pickAssignee([
        { id: 'y', openCases: 1, capacity: 2 },
        { id: 'x', openCases: 1, capacity: 2 },
      ])?.id,
    ).toBe('x');
    expect(pickAssignee([{ id: 'full', openCases: 2, capacity: 2 }])).toBeUndefined();
  });

  it('never picks someone without room, and never someone with a higher load than another with room', () => {
    const candidate = fc.record({
      id: fc.string({ minLength: 1, maxLength: 3 }),
      openCases: fc.integer({ min: 0, max: 50 }),
      capacity: fc.integer({ min: 0, max: 50 }),
    });
    fc.assert(
      fc.property(fc.array(candidate, { maxLength: 8 }), (candidates) => {
        const picked = pickAssignee(candidates);
        const room = candidates.filter((c) => c.capacity > 0 && c.openCases < c.capacity);
        if (room.length === 0) {
          expect(picked).toBeUndefined();
          return;
        }
        if (picked === undefined) throw new Error('nobody picked though someone has room');
        expect(picked.openCases).toBeLessThan(picked.capacity);
        for (const other of room)
          expect(picked.openCases * other.capacity).toBeLessThanOrEqual(other.openCases * picked.capacity);
      }),
    );
  });
});

describe('agencyReviewLapsed', () => {
  it('lapses the day after the review’s first anniversary', () => {
    const review = localDate('2025-03-10');
    expect(agencyReviewLapsed(review, localDate('2026-03-10'))).toBe(false);
    expect(agencyReviewLapsed(review, localDate('2026-03-11'))).toBe(true);
    expect(agencyReviewLapsed(localDate('2024-02-29'), localDate('2025-03-01'))).toBe(true);
  });
});

describe('waiverTierOf', () => {
  const tiers = [
    { code: 'lead', upToMinor: 50_000n },
    { code: 'finance', upToMinor: 500_000n },
    { code: 'senior', upToMinor: null },
  ];
  it.each([
    [1n, 'lead'],
    [50_000n, 'lead'],
    [50_001n, 'finance'],
    [500_000n, 'finance'],
    [500_001n, 'senior'],
  ])('puts %s fen in tier %s', (total, code) => {
    expect(waiverTierOf(tiers, total).code).toBe(code);
  });
});
