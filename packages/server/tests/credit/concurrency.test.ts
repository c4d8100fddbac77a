import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { lockExposure, reserve } from '../../src/modules/credit/service.ts';
import { creditTables, grant, inTx, useCreditDatabase } from './support.ts';

// The per-person cap under concurrency (issue 15 acceptance): 20 grants or 20 reservations of one
// person, each in its own transaction on its own connection, all at once. The cap holds to the
// fen, every refusal is the catalogued problem, and nothing else fails.

const { database, config } = useCreditDatabase();
const cap = 20_000_000n;

type Outcome<T> = { ok: true; value: T; amount: bigint } | { ok: false; code: string; amount: bigint };

/** Runs every attempt at once and says what each came to; anything but an AppError fails the test. */
async function race<T>(amounts: bigint[], attempt: (amount: bigint, index: number) => Promise<T>) {
  const settled = await Promise.allSettled(amounts.map((amount, index) => attempt(amount, index)));
  return settled.map((result, index): Outcome<T> => {
    const amount = amounts[index] ?? 0n;
    if (result.status === 'fulfilled') return { ok: true, value: result.value, amount };
    const error = result.reason as { name?: string; code?: string };
    if (error.name !== 'AppError') throw result.reason;
    return { ok: false, code: error.code ?? '', amount };
  });
}

function tally<T>(outcomes: Outcome<T>[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) {
    const label = outcome.ok ? 'ok' : outcome.code;
    counts[label] = (counts[label] ?? 0) + 1;
  }
  return counts;
}

const sum = (amounts: bigint[]) => amounts.reduce((a, b) => a + b, 0n);

async function grantedLimits(customerId: string): Promise<bigint> {
  const rows = await creditTables(database.db)
    .selectFrom('credit_lines')
    .select('limit_minor')
    .where('customer_id', '=', customerId)
    .execute();
  return sum(rows.map((row) => row.limit_minor));
}

describe('concurrent grants to one person', () => {
  it('20 grants of 20,000.00 to a new customer: 10 granted, 10 credit_cap_exceeded, exposure exactly the cap', async () => {
    const customerId = randomUUID();
    const outcomes = await race(Array(20).fill(2_000_000n), (limitMinor) =>
      grant(database.db, config, { customerId, limitMinor }),
    );
    expect(tally(outcomes)).toEqual({ ok: 10, credit_cap_exceeded: 10 });
    expect(await grantedLimits(customerId)).toBe(cap);
    const exposure = await inTx(database.db, (trx) => lockExposure(trx, config, customerId));
    expect(exposure).toMatchObject({ exposureMinor: cap, headroomMinor: 0n, linesHeld: 10 });
    const history = await creditTables(database.db)
      .selectFrom('credit_line_history')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('customer_id', '=', customerId)
      .executeTakeFirstOrThrow();
    expect(Number(history.n)).toBe(10);
  });

  it('20 grants of mixed amounts near the cap: the granted sum fits the headroom and every refused amount exceeds what is left', async () => {
    const customerId = randomUUID();
    await grant(database.db, config, { customerId, limitMinor: 13_000_000n });
    const amounts = Array.from(
      { length: 20 },
      (_, i) => [700_000n, 1_300_000n, 2_100_000n, 999_999n, 1_000_001n][i % 5] ?? 1n,
    );
    const outcomes = await race(amounts, (limitMinor) =>
      grant(database.db, config, { customerId, limitMinor }),
    );
    const granted = sum(outcomes.filter((o) => o.ok).map((o) => o.amount));
    const refusedAmounts = outcomes.filter((o) => !o.ok).map((o) => o.amount);
    expect(new Set(outcomes.filter((o) => !o.ok).map((o) => (o.ok ? '' : o.code)))).toEqual(
      new Set(['credit_cap_exceeded']),
    );
    expect(granted).toBeLessThanOrEqual(7_000_000n);
    const left = 7_000_000n - granted;
    for (const amount of refusedAmounts) expect(amount).toBeGreaterThan(left);
    expect(await grantedLimits(customerId)).toBe(13_000_000n + granted);
    expect((await inTx(database.db, (trx) => lockExposure(trx, config, customerId))).headroomMinor).toBe(
      left,
    );
  });

  it('one application granted by 10 callers at once is one line; for 10 customers at once, one line and 9 credit_source_conflict', async () => {
    const customerId = randomUUID();
    const applicationId = `app-${randomUUID()}`;
    const same = await race(Array(10).fill(1_000_000n), (limitMinor) =>
      grant(database.db, config, { customerId, applicationId, limitMinor }),
    );
    expect(tally(same)).toEqual({ ok: 10 });
    expect(new Set(same.map((o) => (o.ok ? o.value.id : ''))).size).toBe(1);

    const shared = `app-${randomUUID()}`;
    const others = await race(Array(10).fill(1_000_000n), (limitMinor) =>
      grant(database.db, config, { customerId: randomUUID(), applicationId: shared, limitMinor }),
    );
    expect(tally(others)).toEqual({ ok: 1, credit_source_conflict: 9 });
  });
});

describe('concurrent reservations by one person', () => {
  it('20 reservations of 20,000.00 on a line of the whole cap: 10 held, 10 credit_insufficient_available, available exactly 0', async () => {
    const line = await grant(database.db, config, { limitMinor: cap });
    const outcomes = await race(Array(20).fill(2_000_000n), (amountMinor) =>
      inTx(database.db, (trx) =>
        reserve(trx, { lineId: line.id, amountMinor, sourceRef: `order:${randomUUID()}` }),
      ),
    );
    expect(tally(outcomes)).toEqual({ ok: 10, credit_insufficient_available: 10 });
    const row = await creditTables(database.db)
      .selectFrom('credit_lines')
      .select(['reserved_minor', 'used_minor', 'limit_minor'])
      .where('id', '=', line.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ reserved_minor: cap, used_minor: 0n, limit_minor: cap });
    const held = await creditTables(database.db)
      .selectFrom('credit_reservations')
      .select('amount_minor')
      .where('line_id', '=', line.id)
      .where('status', '=', 'held')
      .execute();
    expect(sum(held.map((r) => r.amount_minor))).toBe(cap);
  });

  it('20 reservations of mixed amounts: the held sum fits what was available and every refused amount exceeds what is left', async () => {
    const line = await grant(database.db, config, { limitMinor: 9_999_999n });
    const amounts = Array.from(
      { length: 20 },
      (_, i) => [1_234_567n, 333_333n, 2_000_001n, 987_654n][i % 4] ?? 1n,
    );
    const outcomes = await race(amounts, (amountMinor, i) =>
      inTx(database.db, (trx) =>
        reserve(trx, { lineId: line.id, amountMinor, sourceRef: `order:mixed:${i}` }),
      ),
    );
    expect(new Set(outcomes.filter((o) => !o.ok).map((o) => (o.ok ? '' : o.code)))).toEqual(
      new Set(['credit_insufficient_available']),
    );
    const heldSum = sum(outcomes.filter((o) => o.ok).map((o) => o.amount));
    expect(heldSum).toBeLessThanOrEqual(9_999_999n);
    for (const o of outcomes.filter((o) => !o.ok)) expect(o.amount).toBeGreaterThan(9_999_999n - heldSum);
    const row = await creditTables(database.db)
      .selectFrom('credit_lines')
      .select('reserved_minor')
      .where('id', '=', line.id)
      .executeTakeFirstOrThrow();
    expect(row.reserved_minor).toBe(heldSum);
  });

  it('one order reserving 10 times at once holds its amount once', async () => {
    const line = await grant(database.db, config, { limitMinor: 1_000_000n });
    const outcomes = await race(Array(10).fill(400_000n), (amountMinor) =>
      inTx(database.db, (trx) => reserve(trx, { lineId: line.id, amountMinor, sourceRef: 'order:once' })),
    );
    expect(tally(outcomes)).toEqual({ ok: 10 });
    expect(new Set(outcomes.map((o) => (o.ok ? o.value.id : ''))).size).toBe(1);
    const row = await creditTables(database.db)
      .selectFrom('credit_lines')
      .select('reserved_minor')
      .where('id', '=', line.id)
      .executeTakeFirstOrThrow();
    expect(row.reserved_minor).toBe(400_000n);
  });
});
