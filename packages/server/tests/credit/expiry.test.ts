import { randomUUID } from 'node:crypto';
import { addDays, localDate } from '@fenqi/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  closeLine,
  expireLines,
  freezeLine,
  lockExposure,
  reserve,
  useReservation,
} from '../../src/modules/credit/service.ts';
import { advanceBusinessDate, getBusinessDate } from '../../src/platform/business-date.ts';
import { creditTables, eventsOf, grant, inTx, refused, rowCounts, useCreditDatabase } from './support.ts';

// Expiry, as close of business will run it: one set-based sweep of the lines whose last drawing
// date has passed. This file has its own database, so the sweep meets only the lines made here.

const { database, config } = useCreditDatabase();
let today: string;

beforeAll(async () => {
  today = await getBusinessDate(database.db);
});

const staff = { kind: 'staff' as const, id: randomUUID() };

describe('expireLines', () => {
  it('expires the active and frozen lines whose expiry has passed, keeps what they used, and counts each once', async () => {
    const customerId = randomUUID();
    const tomorrow = addDays(localDate(today), 1);
    const drawn = await grant(database.db, config, { customerId, limitMinor: 1_000_000n, expiresOn: today });
    const frozen = await grant(database.db, config, { customerId, limitMinor: 2_000_000n, expiresOn: today });
    const later = await grant(database.db, config, {
      customerId,
      limitMinor: 3_000_000n,
      expiresOn: addDays(localDate(today), 10),
    });
    const closed = await grant(database.db, config, { customerId, limitMinor: 500_000n, expiresOn: today });
    await inTx(database.db, (trx) =>
      freezeLine(trx, config, { lineId: frozen.id, reason: 'fraud check', actor: staff }),
    );
    await inTx(database.db, (trx) =>
      closeLine(trx, config, { lineId: closed.id, reason: 'not wanted', actor: staff }),
    );
    const used = await inTx(database.db, (trx) =>
      reserve(trx, { lineId: drawn.id, amountMinor: 300_000n, sourceRef: 'order:used' }),
    );
    await inTx(database.db, (trx) => useReservation(trx, { reservationId: used.id }));
    const held = await inTx(database.db, (trx) =>
      reserve(trx, { lineId: drawn.id, amountMinor: 100_000n, sourceRef: 'order:held' }),
    );

    expect(await inTx(database.db, (trx) => expireLines(trx, tomorrow))).toBe(2);

    const lines = await creditTables(database.db)
      .selectFrom('credit_lines')
      .select(['id', 'status', 'frozen_reason', 'used_minor', 'reserved_minor'])
      .where('customer_id', '=', customerId)
      .execute();
    const byId = new Map(lines.map((line) => [line.id, line]));
    expect(byId.get(drawn.id)).toMatchObject({
      status: 'expired',
      used_minor: 300_000n,
      reserved_minor: 100_000n,
    });
    expect(byId.get(frozen.id)).toMatchObject({ status: 'expired', frozen_reason: null });
    expect(byId.get(later.id)).toMatchObject({ status: 'active' });
    expect(byId.get(closed.id)).toMatchObject({ status: 'closed' });
    const history = await creditTables(database.db)
      .selectFrom('credit_line_history')
      .selectAll()
      .where('kind', '=', 'expired')
      .orderBy('line_id')
      .execute();
    expect(history).toHaveLength(2);
    expect(history.find((row) => row.line_id === drawn.id)).toMatchObject({
      limit_delta_minor: 0n,
      used_delta_minor: 0n,
      limit_after_minor: 1_000_000n,
      used_after_minor: 300_000n,
      reserved_after_minor: 100_000n,
      available_after_minor: 600_000n,
      status_after: 'expired',
      business_date: tomorrow,
      actor_kind: null,
    });
    expect((await eventsOf(database.db, drawn.id)).at(-1)).toMatchObject({
      type: 'credit.line-expired',
      payload: { lineId: drawn.id, status: 'expired', usedMinor: '300000', reservedMinor: '100000' },
    });
    expect((await eventsOf(database.db, frozen.id)).map((event) => event.type)).toEqual([
      'credit.line-granted',
      'credit.line-frozen',
      'credit.line-expired',
    ]);
    // 3,000,000 still active; the expired lines count with what is owed or held: 300,000 + 100,000.
    const exposure = await inTx(database.db, (trx) => lockExposure(trx, config, customerId));
    expect(exposure).toMatchObject({ exposureMinor: 3_400_000n, linesHeld: 1 });

    const before = await rowCounts(database.db);
    expect(await inTx(database.db, (trx) => expireLines(trx, tomorrow))).toBe(0);
    expect(await rowCounts(database.db)).toEqual(before);

    const refusedReserve = await refused(database.db, () =>
      inTx(database.db, (trx) =>
        reserve(trx, { lineId: drawn.id, amountMinor: 1n, sourceRef: 'order:after' }),
      ),
    );
    expect(refusedReserve.code).toBe('credit_line_not_active');
    // The order accepted before the expiry is still disbursed.
    expect((await inTx(database.db, (trx) => useReservation(trx, { reservationId: held.id }))).status).toBe(
      'used',
    );
  });

  it('a line past its expiry reserves nothing even before the sweep has run', async () => {
    const line = await grant(database.db, config, { limitMinor: 1_000_000n, expiresOn: today });
    await inTx(database.db, (trx) => advanceBusinessDate(trx, today));
    const next = await getBusinessDate(database.db);
    const problem = await refused(database.db, () =>
      inTx(database.db, (trx) => reserve(trx, { lineId: line.id, amountMinor: 1n, sourceRef: 'order:late' })),
    );
    expect(problem).toEqual({
      code: 'credit_line_not_active',
      detail: `Credit line ${line.id} expired after ${today} (the business date is ${next}): nothing can be reserved on it.`,
      extensions: { status: 'active', expiresOn: today },
    });
    expect(await inTx(database.db, (trx) => expireLines(trx, next))).toBe(1);
  });
});
