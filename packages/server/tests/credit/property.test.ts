import { randomUUID } from 'node:crypto';
import { addDays, localDate } from '@fenqi/core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  adjustLimit,
  closeLine,
  expireLines,
  freezeLine,
  releaseReservation,
  reserve,
  restore,
  unfreezeLine,
  useReservation,
} from '../../src/modules/credit/service.ts';
import { getBusinessDate } from '../../src/platform/business-date.ts';
import { creditTables, failure, grant, inTx, useCreditDatabase } from './support.ts';

// A model oracle: random sequences of every operation on one line (reservations and their
// settlement, replays of earlier sources, restores, freezes, closes, limit adjustments under the
// cap, expiry) run against PostgreSQL and against a few lines of in-memory arithmetic. After every
// step the outcome (success or the catalogued code) and every balance must be what the model says,
// the history must have grown by exactly the changes made, and its last row must hold the balances.

const { database, config } = useCreditDatabase();
let today: string;
const cap = 20_000_000n;

beforeAll(async () => {
  today = await getBusinessDate(database.db);
});

type Status = 'active' | 'frozen' | 'closed' | 'expired';

type Model = {
  limit: bigint;
  used: bigint;
  reserved: bigint;
  repaid: bigint;
  status: Status;
  revolving: boolean;
  reservations: { ref: string; id: string; amount: bigint; status: 'held' | 'used' | 'released' }[];
  restores: { ref: string; amount: bigint }[];
  history: number;
};

/** An amount: a random one, or one at the edge the command decides on (the edge, or one fen past it). */
const amount = fc.oneof(
  { weight: 4, arbitrary: fc.bigInt({ min: 1n, max: 2_000_000n }).map((fixed) => ({ fixed })) },
  { weight: 2, arbitrary: fc.constantFrom(0n, 1n).map((past) => ({ past })) },
);
type Amount = typeof amount extends fc.Arbitrary<infer A> ? A : never;
const resolve = (a: Amount, edge: bigint) => {
  const value = 'fixed' in a ? a.fixed : edge + a.past;
  return value < 1n ? 1n : value;
};
const replay = fc.option(fc.record({ pick: fc.nat(), sameAmount: fc.boolean() }), { nil: undefined });

const command = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('reserve' as const), amount, replay }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constantFrom('use' as const, 'release' as const),
      pick: fc.nat(),
      bySource: fc.boolean(),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('restore' as const), amount, replay }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constantFrom('freeze' as const, 'unfreeze' as const, 'close' as const) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('adjust' as const),
      // Random, or at an edge: the cap (a single line's headroom ends there), or used + reserved.
      limit: fc.oneof(
        fc.bigInt({ min: 1n, max: cap }).map((fixed) => ({ fixed })),
        fc.constantFrom(0n, 1n).map((past) => ({ capEdge: past })),
        fc.constantFrom(0n, -1n).map((past) => ({ committedEdge: past })),
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const) }) },
);
type Command = typeof command extends fc.Arbitrary<infer C> ? C : never;

const staff = { kind: 'staff' as const, id: randomUUID() };

type LimitPick = Extract<Command, { kind: 'adjust' }>['limit'];
function adjustedLimit(m: Model, pick: LimitPick): bigint {
  const value =
    'fixed' in pick
      ? pick.fixed
      : 'capEdge' in pick
        ? cap + pick.capEdge
        : m.used + m.reserved + pick.committedEdge;
  return value < 1n ? 1n : value;
}

/** What the model says a command comes to: a code, or the change it makes (undefined: none). */
function predict(
  m: Model,
  cmd: Exclude<Command, { kind: 'reserve' | 'restore' }>,
): { code: string } | { change: (() => void) | undefined } {
  const exposure = m.status === 'active' || m.status === 'frozen' ? m.limit : m.used - m.repaid + m.reserved;
  switch (cmd.kind) {
    case 'use':
    case 'release': {
      const r = m.reservations[cmd.pick % Math.max(m.reservations.length, 1)];
      if (!r) return { change: undefined };
      const to = cmd.kind === 'use' ? 'used' : 'released';
      if (r.status === to) return { change: undefined };
      if (r.status !== 'held') return { code: 'credit_reservation_not_held' };
      return {
        change: () => {
          m.reserved -= r.amount;
          if (to === 'used') m.used += r.amount;
          r.status = to;
        },
      };
    }
    case 'freeze':
      return m.status === 'active'
        ? {
            change: () => {
              m.status = 'frozen';
            },
          }
        : { code: 'credit_line_status_conflict' };
    case 'unfreeze':
      return m.status === 'frozen'
        ? {
            change: () => {
              m.status = 'active';
            },
          }
        : { code: 'credit_line_status_conflict' };
    case 'close':
      if (m.status === 'closed') return { code: 'credit_line_status_conflict' };
      if (m.reserved > 0n) return { code: 'credit_line_has_reservations' };
      return {
        change: () => {
          m.status = 'closed';
        },
      };
    case 'adjust': {
      const limit = adjustedLimit(m, cmd.limit);
      if (m.status !== 'active' && m.status !== 'frozen') return { code: 'credit_line_status_conflict' };
      if (limit === m.limit) return { code: 'validation_failed' };
      if (limit < m.used + m.reserved) return { code: 'credit_limit_below_committed' };
      if (limit - m.limit > cap - exposure) return { code: 'credit_cap_exceeded' };
      return {
        change: () => {
          m.limit = limit;
        },
      };
    }
    case 'expire':
      return m.status === 'active' || m.status === 'frozen'
        ? {
            change: () => {
              m.status = 'expired';
            },
          }
        : { change: undefined };
  }
}

async function run(lineId: string, m: Model, cmd: Command): Promise<{ code: string } | { changed: boolean }> {
  const db = database.db;
  const attempt = async (work: () => Promise<unknown>) => {
    try {
      await work();
      return undefined;
    } catch (error) {
      return (await failure(() => Promise.reject(error))).code;
    }
  };
  if (cmd.kind === 'reserve') {
    const earlier = cmd.replay
      ? m.reservations[cmd.replay.pick % Math.max(m.reservations.length, 1)]
      : undefined;
    const ref = earlier?.ref ?? `order:${randomUUID()}`;
    const amountMinor = earlier
      ? cmd.replay?.sameAmount
        ? earlier.amount
        : earlier.amount + 1n
      : resolve(cmd.amount, m.limit - m.used - m.reserved);
    let id = '';
    const code = await attempt(async () => {
      id = (await inTx(db, (trx) => reserve(trx, { lineId, amountMinor, sourceRef: ref }))).id;
    });
    const available = m.limit - m.used - m.reserved;
    const expected = earlier
      ? amountMinor === earlier.amount
        ? undefined
        : 'credit_source_conflict'
      : m.status !== 'active'
        ? 'credit_line_not_active'
        : amountMinor > available
          ? 'credit_insufficient_available'
          : undefined;
    expect(code, `reserve ${amountMinor}`).toBe(expected);
    if (code !== undefined) return { code };
    if (earlier) {
      expect(id).toBe(earlier.id);
      return { changed: false };
    }
    m.reserved += amountMinor;
    m.reservations.push({ ref, id, amount: amountMinor, status: 'held' });
    return { changed: true };
  }
  if (cmd.kind === 'restore') {
    const earlier = cmd.replay ? m.restores[cmd.replay.pick % Math.max(m.restores.length, 1)] : undefined;
    const ref = earlier?.ref ?? `repayment:${randomUUID()}`;
    const amountMinor = earlier
      ? cmd.replay?.sameAmount
        ? earlier.amount
        : earlier.amount + 1n
      : resolve(cmd.amount, m.used - m.repaid);
    let restored = -1n;
    const code = await attempt(async () => {
      restored = (await inTx(db, (trx) => restore(trx, { lineId, amountMinor, sourceRef: ref })))
        .restoredMinor;
    });
    const expected = earlier
      ? amountMinor === earlier.amount
        ? undefined
        : 'credit_source_conflict'
      : amountMinor > m.used - m.repaid
        ? 'credit_restore_exceeds_used'
        : undefined;
    expect(code, `restore ${amountMinor}`).toBe(expected);
    if (code !== undefined) return { code };
    expect(restored).toBe(m.revolving ? amountMinor : 0n);
    if (earlier) return { changed: false };
    if (m.revolving) m.used -= amountMinor;
    else m.repaid += amountMinor;
    m.restores.push({ ref, amount: amountMinor });
    return { changed: true };
  }
  const predicted = predict(m, cmd);
  const code = await attempt(async () => {
    switch (cmd.kind) {
      case 'use':
      case 'release': {
        const r = m.reservations[cmd.pick % Math.max(m.reservations.length, 1)];
        if (!r) return;
        const ref = cmd.bySource ? { sourceRef: r.ref } : { reservationId: r.id };
        await inTx(db, (trx) =>
          cmd.kind === 'use' ? useReservation(trx, ref) : releaseReservation(trx, ref),
        );
        return;
      }
      case 'freeze':
        await inTx(db, (trx) => freezeLine(trx, config, { lineId, reason: 'property', actor: staff }));
        return;
      case 'unfreeze':
        await inTx(db, (trx) => unfreezeLine(trx, config, { lineId, reason: 'property', actor: staff }));
        return;
      case 'close':
        await inTx(db, (trx) => closeLine(trx, config, { lineId, reason: 'property', actor: staff }));
        return;
      case 'adjust':
        await inTx(db, (trx) =>
          adjustLimit(trx, config, {
            lineId,
            limitMinor: adjustedLimit(m, cmd.limit),
            actor: staff,
            reason: 'property',
          }),
        );
        return;
      case 'expire':
        await inTx(db, (trx) => expireLines(trx, addDays(localDate(today), 1)));
        return;
    }
  });
  if ('code' in predicted) {
    expect(code, cmd.kind).toBe(predicted.code);
    return { code: predicted.code };
  }
  expect(code, cmd.kind).toBeUndefined();
  predicted.change?.();
  return { changed: predicted.change !== undefined };
}

async function check(lineId: string, m: Model): Promise<void> {
  const t = creditTables(database.db);
  const line = await t
    .selectFrom('credit_lines')
    .select(['limit_minor', 'used_minor', 'reserved_minor', 'repaid_minor', 'status'])
    .where('id', '=', lineId)
    .executeTakeFirstOrThrow();
  expect(line).toEqual({
    limit_minor: m.limit,
    used_minor: m.used,
    reserved_minor: m.reserved,
    repaid_minor: m.repaid,
    status: m.status,
  });
  const history = await t
    .selectFrom('credit_line_history')
    .selectAll()
    .where('line_id', '=', lineId)
    .orderBy('id', 'desc')
    .execute();
  expect(history).toHaveLength(m.history);
  expect(history[0]).toMatchObject({
    limit_after_minor: m.limit,
    used_after_minor: m.used,
    reserved_after_minor: m.reserved,
    repaid_after_minor: m.repaid,
    available_after_minor: m.limit - m.used - m.reserved,
    status_after: m.status,
  });
  const held = m.reservations.filter((r) => r.status === 'held').reduce((a, r) => a + r.amount, 0n);
  expect(held).toBe(m.reserved);
}

describe('a credit line against its model', () => {
  it('random operations leave every balance, status and history row where the model puts them', {
    timeout: 240_000,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.bigInt({ min: 100_000n, max: 5_000_000n }),
        fc.boolean(),
        fc.array(command, { minLength: 1, maxLength: 30 }),
        async (limit, revolving, commands) => {
          const line = await grant(database.db, config, { limitMinor: limit, revolving, expiresOn: today });
          const m: Model = {
            limit,
            used: 0n,
            reserved: 0n,
            repaid: 0n,
            status: 'active',
            revolving,
            reservations: [],
            restores: [],
            history: 1,
          };
          for (const cmd of commands) {
            const outcome = await run(line.id, m, cmd);
            if ('changed' in outcome && outcome.changed) m.history += 1;
            await check(line.id, m);
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
