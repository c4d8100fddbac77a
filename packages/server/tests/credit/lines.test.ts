import { randomUUID } from 'node:crypto';
import { addDays, localDate } from '@fenqi/core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  closeLine,
  freezeLine,
  lockExposure,
  releaseReservation,
  reserve,
  restore,
  useReservation,
} from '../../src/modules/credit/service.ts';
import { getBusinessDate } from '../../src/platform/business-date.ts';
import {
  creditConfig,
  creditTables,
  eventsOf,
  grant,
  inTx,
  refused,
  rowCounts,
  useCreditDatabase,
} from './support.ts';

// The credit service, called as the risk, origination and servicing modules will call it: grants
// under the cap, reservations and their settlement, restores, and every refusal writing nothing.

const { database, config } = useCreditDatabase();
let today: string;

beforeAll(async () => {
  today = await getBusinessDate(database.db);
});

const staff = () => ({ kind: 'staff' as const, id: randomUUID() });

async function historyKinds(lineId: string): Promise<string[]> {
  const rows = await creditTables(database.db)
    .selectFrom('credit_line_history')
    .select('kind')
    .where('line_id', '=', lineId)
    .orderBy('id')
    .execute();
  return rows.map((row) => row.kind);
}

describe('grantLine', () => {
  it('grants a line with its history row, its event and the customer’s exposure row', async () => {
    const customerId = randomUUID();
    const expiresOn = addDays(localDate(today), 365);
    const line = await grant(database.db, config, {
      customerId,
      applicationId: 'app-grant-1',
      limitMinor: 5_000_000n,
      productCodes: ['pos-installment', 'cash-line'],
      expiresOn,
    });
    expect(line).toEqual({
      id: expect.any(String),
      customerId,
      applicationId: 'app-grant-1',
      currency: 'CNY',
      limitMinor: 5_000_000n,
      usedMinor: 0n,
      reservedMinor: 0n,
      repaidMinor: 0n,
      availableMinor: 5_000_000n,
      revolving: true,
      productCodes: ['pos-installment', 'cash-line'],
      expiresOn,
      status: 'active',
      frozenReason: null,
      grantedOn: today,
      createdAt: expect.any(Date),
      updatedAt: expect.any(Date),
    });
    const history = await creditTables(database.db)
      .selectFrom('credit_line_history')
      .selectAll()
      .where('line_id', '=', line.id)
      .execute();
    expect(history).toMatchObject([
      {
        kind: 'granted',
        limit_delta_minor: 5_000_000n,
        used_delta_minor: 0n,
        reserved_delta_minor: 0n,
        limit_after_minor: 5_000_000n,
        available_after_minor: 5_000_000n,
        status_after: 'active',
        source_ref: 'app-grant-1',
        actor_kind: 'system',
        actor_id: 'risk',
        business_date: today,
      },
    ]);
    expect(await eventsOf(database.db, line.id)).toEqual([
      {
        type: 'credit.line-granted',
        payload: {
          lineId: line.id,
          customerId,
          applicationId: 'app-grant-1',
          currency: 'CNY',
          limitMinor: '5000000',
          usedMinor: '0',
          reservedMinor: '0',
          availableMinor: '5000000',
          revolving: true,
          productCodes: ['pos-installment', 'cash-line'],
          expiresOn,
          status: 'active',
        },
      },
    ]);
    const exposure = await inTx(database.db, (trx) => lockExposure(trx, config, customerId));
    expect(exposure).toEqual({
      customerId,
      capMinor: 20_000_000n,
      exposureMinor: 5_000_000n,
      headroomMinor: 15_000_000n,
      linesHeld: 1,
    });
    const row = await creditTables(database.db)
      .selectFrom('credit_exposures')
      .select(['customer_id', 'version'])
      .where('customer_id', '=', customerId)
      .executeTakeFirst();
    expect(row).toEqual({ customer_id: customerId, version: 1n });
  });

  it('granting again for the same application returns the same line and writes nothing', async () => {
    const input = { customerId: randomUUID(), applicationId: `app-${randomUUID()}`, limitMinor: 800_000n };
    const first = await grant(database.db, config, input);
    const before = await rowCounts(database.db);
    const again = await grant(database.db, config, { ...input, expiresOn: first.expiresOn });
    expect(again).toEqual(first);
    expect(await rowCounts(database.db)).toEqual(before);
  });

  it('the same application with other terms is credit_source_conflict and writes nothing', async () => {
    const first = await grant(database.db, config, { limitMinor: 800_000n });
    const problem = await refused(database.db, () =>
      grant(database.db, config, {
        customerId: first.customerId,
        applicationId: first.applicationId,
        limitMinor: 900_000n,
        expiresOn: first.expiresOn,
      }),
    );
    expect(problem).toEqual({
      code: 'credit_source_conflict',
      detail: `Risk application ${first.applicationId} was already used on a credit line with other terms.`,
    });
  });

  it('a limit above the headroom is credit_cap_exceeded with the figures; the cap itself can be reached to the fen', async () => {
    const customerId = randomUUID();
    await grant(database.db, config, { customerId, limitMinor: 15_000_000n });
    const problem = await refused(database.db, () =>
      grant(database.db, config, { customerId, limitMinor: 5_000_001n }),
    );
    expect(problem).toEqual({
      code: 'credit_cap_exceeded',
      detail:
        "The customer's credit exposure is 150000.00 CNY of the 200000.00 CNY cap, which leaves 50000.00 CNY; 50000.01 CNY more was asked for.",
      extensions: {
        capMinor: '20000000',
        exposureMinor: '15000000',
        headroomMinor: '5000000',
        requestedMinor: '5000001',
      },
    });
    await grant(database.db, config, { customerId, limitMinor: 5_000_000n });
    const full = await inTx(database.db, (trx) => lockExposure(trx, config, customerId));
    expect(full).toMatchObject({ exposureMinor: 20_000_000n, headroomMinor: 0n, linesHeld: 2 });
    const one = await refused(database.db, () => grant(database.db, config, { customerId, limitMinor: 1n }));
    expect(one.code).toBe('credit_cap_exceeded');
  });

  it('CREDIT_EXPOSURE_CAP sets the cap, in yuan', async () => {
    const small = creditConfig({ CREDIT_EXPOSURE_CAP: '1000.50' });
    expect(small.credit.exposureCapMinor).toBe(100_050n);
    const customerId = randomUUID();
    const problem = await refused(database.db, () =>
      grant(database.db, small, { customerId, limitMinor: 100_051n }),
    );
    expect(problem).toMatchObject({ code: 'credit_cap_exceeded', extensions: { capMinor: '100050' } });
    expect((await grant(database.db, small, { customerId, limitMinor: 100_050n })).limitMinor).toBe(100_050n);
  });

  it('bad input is validation_failed naming each field, and writes nothing', async () => {
    const problem = await refused(database.db, () =>
      grant(database.db, config, {
        customerId: 'not-a-uuid',
        limitMinor: 0n,
        productCodes: ['pos', 'bad code', 'pos'],
        expiresOn: '2026-02-30',
      }),
    );
    expect(problem).toMatchObject({ code: 'validation_failed' });
    expect(problem.errors).toEqual([
      { path: 'customerId', message: 'must be a UUID' },
      { path: 'limitMinor', message: 'must be 1 to 999999999999 fen' },
      { path: 'productCodes.1', message: 'must match ^[A-Za-z0-9][A-Za-z0-9_.-]*$' },
      { path: 'productCodes.2', message: 'lists pos twice' },
      { path: 'expiresOn', message: 'must be a date YYYY-MM-DD' },
    ]);
    const past = await refused(database.db, () =>
      grant(database.db, config, { expiresOn: addDays(localDate(today), -1) }),
    );
    expect(past.errors).toEqual([
      { path: 'expiresOn', message: `must not be before the business date ${today}` },
    ]);
  });
});

describe('reservations', () => {
  it('a reservation holds an amount; disbursement makes it used; repeating either step changes nothing', async () => {
    const line = await grant(database.db, config, { limitMinor: 1_000_000n });
    const held = await inTx(database.db, (trx) =>
      reserve(trx, { lineId: line.id, amountMinor: 300_000n, sourceRef: 'order:1/acceptance' }),
    );
    expect(held).toMatchObject({
      lineId: line.id,
      amountMinor: 300_000n,
      status: 'held',
      businessDate: today,
    });
    const before = await rowCounts(database.db);
    const again = await inTx(database.db, (trx) =>
      reserve(trx, { lineId: line.id, amountMinor: 300_000n, sourceRef: 'order:1/acceptance' }),
    );
    expect(again).toEqual(held);
    expect(await rowCounts(database.db)).toEqual(before);
    const used = await inTx(database.db, (trx) => useReservation(trx, { reservationId: held.id }));
    expect(used).toMatchObject({ id: held.id, status: 'used', settledAt: expect.any(Date) });
    const usedAgain = await inTx(database.db, (trx) =>
      useReservation(trx, { sourceRef: 'order:1/acceptance' }),
    );
    expect(usedAgain).toEqual(used);
    const after = await creditTables(database.db)
      .selectFrom('credit_lines')
      .select(['limit_minor', 'used_minor', 'reserved_minor'])
      .where('id', '=', line.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ limit_minor: 1_000_000n, used_minor: 300_000n, reserved_minor: 0n });
    expect(await historyKinds(line.id)).toEqual(['granted', 'reserved', 'reservation_used']);
  });

  it('a released reservation is available again and cannot be used; a used one cannot be released', async () => {
    const line = await grant(database.db, config, { limitMinor: 1_000_000n });
    const a = await inTx(database.db, (trx) =>
      reserve(trx, { lineId: line.id, amountMinor: 400_000n, sourceRef: `order:${randomUUID()}` }),
    );
    const b = await inTx(database.db, (trx) =>
      reserve(trx, { lineId: line.id, amountMinor: 100_000n, sourceRef: `order:${randomUUID()}` }),
    );
    await inTx(database.db, (trx) => releaseReservation(trx, { reservationId: a.id }));
    await inTx(database.db, (trx) => useReservation(trx, { reservationId: b.id }));
    const useReleased = await refused(database.db, () =>
      inTx(database.db, (trx) => useReservation(trx, { reservationId: a.id })),
    );
    expect(useReleased).toEqual({
      code: 'credit_reservation_not_held',
      detail: `Reservation ${a.id} was already released; it cannot be used.`,
      extensions: { status: 'released' },
    });
    const releaseUsed = await refused(database.db, () =>
      inTx(database.db, (trx) => releaseReservation(trx, { reservationId: b.id })),
    );
    expect(releaseUsed.code).toBe('credit_reservation_not_held');
    const row = await creditTables(database.db)
      .selectFrom('credit_lines')
      .select(['used_minor', 'reserved_minor'])
      .where('id', '=', line.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ used_minor: 100_000n, reserved_minor: 0n });
  });

  it('more than is available is credit_insufficient_available, to the fen, and writes nothing', async () => {
    const line = await grant(database.db, config, { limitMinor: 1_000_000n });
    await inTx(database.db, (trx) =>
      reserve(trx, { lineId: line.id, amountMinor: 999_999n, sourceRef: `order:${randomUUID()}` }),
    );
    const problem = await refused(database.db, () =>
      inTx(database.db, (trx) =>
        reserve(trx, { lineId: line.id, amountMinor: 2n, sourceRef: 'order:too-much' }),
      ),
    );
    expect(problem).toEqual({
      code: 'credit_insufficient_available',
      detail: `Credit line ${line.id} has 0.01 CNY available; 0.02 CNY was asked for.`,
      extensions: { availableMinor: '1', requestedMinor: '2' },
    });
    await inTx(database.db, (trx) =>
      reserve(trx, { lineId: line.id, amountMinor: 1n, sourceRef: 'order:last-fen' }),
    );
  });

  it('the same source with another amount is credit_source_conflict; a frozen line reserves nothing but its held reservations can still be used', async () => {
    const line = await grant(database.db, config, { limitMinor: 1_000_000n });
    const sourceRef = `order:${randomUUID()}`;
    const held = await inTx(database.db, (trx) =>
      reserve(trx, { lineId: line.id, amountMinor: 50_000n, sourceRef }),
    );
    const conflict = await refused(database.db, () =>
      inTx(database.db, (trx) => reserve(trx, { lineId: line.id, amountMinor: 60_000n, sourceRef })),
    );
    expect(conflict).toEqual({
      code: 'credit_source_conflict',
      detail: `Reservation source ${sourceRef} was already used on a credit line with other terms.`,
    });
    await inTx(database.db, (trx) =>
      freezeLine(trx, config, { lineId: line.id, reason: 'dispute', actor: staff() }),
    );
    const frozen = await refused(database.db, () =>
      inTx(database.db, (trx) =>
        reserve(trx, { lineId: line.id, amountMinor: 1n, sourceRef: `order:${randomUUID()}` }),
      ),
    );
    expect(frozen).toEqual({
      code: 'credit_line_not_active',
      detail: `Credit line ${line.id} is frozen: nothing can be reserved on it.`,
      extensions: { status: 'frozen', expiresOn: line.expiresOn },
    });
    expect((await inTx(database.db, (trx) => useReservation(trx, { reservationId: held.id }))).status).toBe(
      'used',
    );
  });

  it('an unknown line or reservation is not_found; amounts out of bounds are validation_failed', async () => {
    const missing = randomUUID();
    expect(
      await refused(database.db, () =>
        inTx(database.db, (trx) => reserve(trx, { lineId: missing, amountMinor: 1n, sourceRef: 'x' })),
      ),
    ).toEqual({ code: 'not_found', detail: `There is no credit line ${missing}.` });
    expect(
      await refused(database.db, () =>
        inTx(database.db, (trx) => useReservation(trx, { sourceRef: 'order:none' })),
      ),
    ).toEqual({ code: 'not_found', detail: 'There is no reservation for order:none.' });
    const line = await grant(database.db, config);
    const bad = await refused(database.db, () =>
      inTx(database.db, (trx) => reserve(trx, { lineId: line.id, amountMinor: 0n, sourceRef: '' })),
    );
    expect(bad.errors).toEqual([
      { path: 'amountMinor', message: 'must be 1 to 999999999999 fen' },
      { path: 'sourceRef', message: 'must be 1 to 200 characters' },
    ]);
  });
});

describe('restore', () => {
  async function drawn(revolving: boolean, amount: bigint) {
    const line = await grant(database.db, config, { limitMinor: 1_000_000n, revolving });
    const r = await inTx(database.db, (trx) =>
      reserve(trx, { lineId: line.id, amountMinor: amount, sourceRef: `order:${randomUUID()}` }),
    );
    await inTx(database.db, (trx) => useReservation(trx, { reservationId: r.id }));
    return line;
  }

  it('principal repaid on a revolving line is available again, once per repayment, never more than drawn', async () => {
    const line = await drawn(true, 300_000n);
    const restored = await inTx(database.db, (trx) =>
      restore(trx, { lineId: line.id, amountMinor: 100_000n, sourceRef: 'repayment:1' }),
    );
    expect(restored.restoredMinor).toBe(100_000n);
    expect(restored.line).toMatchObject({ usedMinor: 200_000n, repaidMinor: 0n, availableMinor: 800_000n });
    const before = await rowCounts(database.db);
    const again = await inTx(database.db, (trx) =>
      restore(trx, { lineId: line.id, amountMinor: 100_000n, sourceRef: 'repayment:1' }),
    );
    expect(again).toEqual({ line: restored.line, restoredMinor: 100_000n });
    expect(await rowCounts(database.db)).toEqual(before);
    expect(
      (
        await refused(database.db, () =>
          inTx(database.db, (trx) =>
            restore(trx, { lineId: line.id, amountMinor: 1n, sourceRef: 'repayment:1' }),
          ),
        )
      ).code,
    ).toBe('credit_source_conflict');
    const tooMuch = await refused(database.db, () =>
      inTx(database.db, (trx) =>
        restore(trx, { lineId: line.id, amountMinor: 200_001n, sourceRef: 'repayment:2' }),
      ),
    );
    expect(tooMuch).toEqual({
      code: 'credit_restore_exceeds_used',
      detail: `Credit line ${line.id} has 2000.00 CNY of principal outstanding; 2000.01 CNY cannot be repaid on it.`,
      extensions: { outstandingMinor: '200000', requestedMinor: '200001' },
    });
    const last = await inTx(database.db, (trx) =>
      restore(trx, { lineId: line.id, amountMinor: 200_000n, sourceRef: 'repayment:2' }),
    );
    expect(last.line).toMatchObject({ usedMinor: 0n, availableMinor: 1_000_000n, limitMinor: 1_000_000n });
  });

  it('on a non-revolving line repaid principal is counted as repaid, not made available', async () => {
    const line = await drawn(false, 300_000n);
    const result = await inTx(database.db, (trx) =>
      restore(trx, { lineId: line.id, amountMinor: 120_000n, sourceRef: `repayment:${randomUUID()}` }),
    );
    expect(result.restoredMinor).toBe(0n);
    expect(result.line).toMatchObject({
      usedMinor: 300_000n,
      repaidMinor: 120_000n,
      availableMinor: 700_000n,
    });
    expect(await historyKinds(line.id)).toEqual(['granted', 'reserved', 'reservation_used', 'repaid']);
    const tooMuch = await refused(database.db, () =>
      inTx(database.db, (trx) =>
        restore(trx, { lineId: line.id, amountMinor: 180_001n, sourceRef: 'repayment:x' }),
      ),
    );
    expect(tooMuch.extensions).toEqual({ outstandingMinor: '180000', requestedMinor: '180001' });
  });
});

describe('closing and the exposure', () => {
  it('a line holding a reservation cannot be closed; once closed it counts with what is still owed on it', async () => {
    const customerId = randomUUID();
    const closing = await grant(database.db, config, {
      customerId,
      limitMinor: 4_000_000n,
      revolving: false,
    });
    await grant(database.db, config, { customerId, limitMinor: 5_000_000n });
    const frozen = await grant(database.db, config, { customerId, limitMinor: 3_000_000n });
    await inTx(database.db, (trx) =>
      freezeLine(trx, config, { lineId: frozen.id, reason: 'fraud check', actor: staff() }),
    );
    const drawn = await inTx(database.db, (trx) =>
      reserve(trx, { lineId: closing.id, amountMinor: 2_500_000n, sourceRef: `order:${randomUUID()}` }),
    );
    const held = await inTx(database.db, (trx) =>
      reserve(trx, { lineId: closing.id, amountMinor: 200_000n, sourceRef: `order:${randomUUID()}` }),
    );
    await inTx(database.db, (trx) => useReservation(trx, { reservationId: drawn.id }));
    await inTx(database.db, (trx) =>
      restore(trx, { lineId: closing.id, amountMinor: 500_000n, sourceRef: `repayment:${randomUUID()}` }),
    );
    const problem = await refused(database.db, () =>
      inTx(database.db, (trx) =>
        closeLine(trx, config, { lineId: closing.id, reason: 'customer asked', actor: staff() }),
      ),
    );
    expect(problem).toEqual({
      code: 'credit_line_has_reservations',
      detail: `Credit line ${closing.id} still holds 2000.00 CNY in reservations; they must be used or released before it is closed.`,
      extensions: { reservedMinor: '200000' },
    });
    await inTx(database.db, (trx) => releaseReservation(trx, { reservationId: held.id }));
    const closed = await inTx(database.db, (trx) =>
      closeLine(trx, config, { lineId: closing.id, reason: 'customer asked', actor: staff() }),
    );
    expect(closed).toMatchObject({ status: 'closed', usedMinor: 2_500_000n, repaidMinor: 500_000n });
    // 5,000,000 active + 3,000,000 frozen + (2,500,000 − 500,000) still owed on the closed line.
    const exposure = await inTx(database.db, (trx) => lockExposure(trx, config, customerId));
    expect(exposure).toMatchObject({ exposureMinor: 10_000_000n, headroomMinor: 10_000_000n, linesHeld: 2 });
    expect((await eventsOf(database.db, closing.id)).map((e) => e.type)).toEqual([
      'credit.line-granted',
      'credit.line-closed',
    ]);
  });
});
