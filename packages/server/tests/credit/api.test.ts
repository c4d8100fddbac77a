import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { releaseReservation, reserve } from '../../src/modules/credit/service.ts';
import { residentIdCheckCharacter } from '../../src/modules/customers/validation.ts';
import { auditActions, createStaff, randomPhone, signIn, signInBorrower } from '../iam/support.ts';
import { http, useTestServer } from '../support/server.ts';
import { creditTables, eventsOf, grant, inTx, rowCounts } from './support.ts';

// The credit routes over real HTTP with IAM: a borrower's own lines, staff reads, freeze /
// unfreeze / close, and limit adjustments through maker-checker. Lines are granted through the
// service, as the risk module grants them; every refused request is checked to have written nothing.

const { database, server } = useTestServer({ accessControl: 'iam' });

let sequence = 300;
function idNumber(): string {
  sequence += 1;
  const first17 = `11010519900307${String(sequence).padStart(3, '0')}`;
  return `${first17}${residentIdCheckCharacter(first17)}`;
}

async function registeredBorrower() {
  const borrower = await signInBorrower(database.db, server.config, randomPhone());
  const created = await http(server.baseUrl, 'POST', '/api/v1/borrower/customers', {
    body: { name: '王小明', idNumber: idNumber() },
    headers: { ...borrower.headers, 'idempotency-key': randomUUID() },
  });
  expect(created.status).toBe(201);
  return { borrower, customerId: (created.json as { id: string }).id };
}

async function staffSession(roles: string[]) {
  const user = await createStaff(database.db, server.config, roles);
  return { user, session: await signIn(database.db, server.config, user) };
}

type Session = Awaited<ReturnType<typeof staffSession>>['session'];

const command = (session: Session, path: string, body: unknown, key = randomUUID()) =>
  http(server.baseUrl, 'POST', path, { body, headers: { ...session.headers(), 'idempotency-key': key } });

const read = (session: Session, path: string) =>
  http(server.baseUrl, 'GET', path, { headers: session.headers(false) });

/** Sends a request that must be refused, and checks that it wrote nothing. */
async function refusedOverHttp(send: () => ReturnType<typeof http>) {
  const before = await rowCounts(database.db);
  const response = await send();
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(await rowCounts(database.db)).toEqual(before);
  return response;
}

async function lineRow(lineId: string) {
  return creditTables(database.db)
    .selectFrom('credit_lines')
    .select(['limit_minor', 'used_minor', 'reserved_minor', 'status', 'frozen_reason'])
    .where('id', '=', lineId)
    .executeTakeFirstOrThrow();
}

describe('borrower credit lines', () => {
  it('a borrower reads their own lines only, without the staff fields', async () => {
    const a = await registeredBorrower();
    const b = await registeredBorrower();
    const first = await grant(database.db, server.config, {
      customerId: a.customerId,
      limitMinor: 3_000_000n,
    });
    const second = await grant(database.db, server.config, {
      customerId: a.customerId,
      limitMinor: 500_000n,
      revolving: false,
      productCodes: ['cash-line'],
    });
    await grant(database.db, server.config, { customerId: b.customerId, limitMinor: 100_000n });
    const own = await http(server.baseUrl, 'GET', '/api/v1/borrower/credit-lines', {
      headers: a.borrower.headers,
    });
    expect(own.status).toBe(200);
    expect(own.json).toEqual([
      {
        id: first.id,
        currency: 'CNY',
        limitMinor: '3000000',
        usedMinor: '0',
        reservedMinor: '0',
        availableMinor: '3000000',
        revolving: true,
        productCodes: ['pos-installment'],
        expiresOn: first.expiresOn,
        status: 'active',
        grantedOn: first.grantedOn,
      },
      {
        id: second.id,
        currency: 'CNY',
        limitMinor: '500000',
        usedMinor: '0',
        reservedMinor: '0',
        availableMinor: '500000',
        revolving: false,
        productCodes: ['cash-line'],
        expiresOn: second.expiresOn,
        status: 'active',
        grantedOn: second.grantedOn,
      },
    ]);
    const others = await http(server.baseUrl, 'GET', '/api/v1/borrower/credit-lines', {
      headers: b.borrower.headers,
    });
    expect((others.json as { limitMinor: string }[]).map((line) => line.limitMinor)).toEqual(['100000']);
    const newcomer = await signInBorrower(database.db, server.config, randomPhone());
    const none = await http(server.baseUrl, 'GET', '/api/v1/borrower/credit-lines', {
      headers: newcomer.headers,
    });
    expect(none.json).toEqual([]);
  });

  it('a borrower cannot reach the staff routes (403)', async () => {
    const a = await registeredBorrower();
    const line = await grant(database.db, server.config, { customerId: a.customerId });
    for (const path of [
      `/api/v1/credit-lines?customerId=${a.customerId}`,
      `/api/v1/credit-lines/${line.id}`,
    ]) {
      const response = await http(server.baseUrl, 'GET', path, { headers: a.borrower.headers });
      expect(response.status, path).toBe(403);
    }
    const freeze = await refusedOverHttp(() =>
      http(server.baseUrl, 'POST', `/api/v1/credit-lines/${line.id}/freeze`, {
        body: { reason: 'mine' },
        headers: { ...a.borrower.headers, 'idempotency-key': randomUUID() },
      }),
    );
    expect(freeze.status).toBe(403);
  });
});

describe('staff reads', () => {
  it('a customer’s lines come with the exposure under the cap; a line with its history, a page at a time', async () => {
    const customerId = randomUUID();
    const { session } = await staffSession(['collector']);
    const line = await grant(database.db, server.config, { customerId, limitMinor: 6_000_000n });
    await grant(database.db, server.config, { customerId, limitMinor: 4_000_000n });
    const held = await inTx(database.db, (trx) =>
      reserve(trx, { lineId: line.id, amountMinor: 250_000n, sourceRef: `order:${randomUUID()}` }),
    );
    await inTx(database.db, (trx) => releaseReservation(trx, { reservationId: held.id }));

    const list = await read(session, `/api/v1/credit-lines?customerId=${customerId}`);
    expect(list.status).toBe(200);
    expect(list.json).toMatchObject({
      customerId,
      capMinor: '20000000',
      exposureMinor: '10000000',
      headroomMinor: '10000000',
      linesHeld: 2,
      lines: [
        { id: line.id, limitMinor: '6000000', applicationId: line.applicationId, frozenReason: null },
        { limitMinor: '4000000' },
      ],
    });

    const detail = await read(session, `/api/v1/credit-lines/${line.id}?limit=2`);
    expect(detail.status).toBe(200);
    const body = detail.json as { history: Record<string, unknown>[]; historyCursor: string | null };
    expect(body).toMatchObject({ id: line.id, customerId, availableMinor: '6000000', repaidMinor: '0' });
    expect(body.history).toEqual([
      {
        id: expect.any(String),
        kind: 'reservation_released',
        limitDeltaMinor: '0',
        usedDeltaMinor: '0',
        reservedDeltaMinor: '-250000',
        repaidDeltaMinor: '0',
        limitAfterMinor: '6000000',
        usedAfterMinor: '0',
        reservedAfterMinor: '0',
        repaidAfterMinor: '0',
        availableAfterMinor: '6000000',
        statusAfter: 'active',
        sourceRef: held.sourceRef,
        actor: null,
        reason: null,
        businessDate: line.grantedOn,
        at: expect.any(String),
      },
      expect.objectContaining({
        kind: 'reserved',
        reservedDeltaMinor: '250000',
        availableAfterMinor: '5750000',
      }),
    ]);
    expect(body.historyCursor).toBe(body.history[1]?.id);
    const rest = await read(session, `/api/v1/credit-lines/${line.id}?limit=2&before=${body.historyCursor}`);
    expect(rest.json).toMatchObject({
      history: [{ kind: 'granted', actor: { kind: 'system', id: 'risk' } }],
      historyCursor: null,
    });
  });

  it('an unknown line is 404; a list without a customer id is 400', async () => {
    const { session } = await staffSession(['operator']);
    const missing = randomUUID();
    const unknown = await read(session, `/api/v1/credit-lines/${missing}`);
    expect(unknown.status).toBe(404);
    expect(unknown.json).toMatchObject({ code: 'not_found', detail: `There is no credit line ${missing}.` });
    const bare = await read(session, '/api/v1/credit-lines');
    expect(bare.status).toBe(400);
    expect(bare.json).toMatchObject({ code: 'validation_failed' });
  });
});

describe('freeze, unfreeze and close', () => {
  it('an operator freezes, unfreezes and closes a line; each step is in the history, the events and the audit log', async () => {
    const { user, session } = await staffSession(['operator']);
    const line = await grant(database.db, server.config, { limitMinor: 2_000_000n });
    const path = `/api/v1/credit-lines/${line.id}`;
    const key = randomUUID();
    const frozen = await command(session, `${path}/freeze`, { reason: 'Suspected fraud' }, key);
    expect(frozen.status).toBe(200);
    expect(frozen.json).toMatchObject({ id: line.id, status: 'frozen', frozenReason: 'Suspected fraud' });
    const replayed = await command(session, `${path}/freeze`, { reason: 'Suspected fraud' }, key);
    expect(replayed.json).toEqual(frozen.json);

    const again = await refusedOverHttp(() => command(session, `${path}/freeze`, { reason: 'Twice' }));
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({
      type: 'https://fenqi.dev/problems/credit_line_status_conflict',
      title: 'The credit line cannot make this change in its current status',
      status: 409,
      code: 'credit_line_status_conflict',
      detail: `Credit line ${line.id} is frozen; only a line that is active can be frozen.`,
    });

    expect((await command(session, `${path}/unfreeze`, { reason: 'Cleared' })).json).toMatchObject({
      status: 'active',
      frozenReason: null,
    });
    const held = await inTx(database.db, (trx) =>
      reserve(trx, { lineId: line.id, amountMinor: 1n, sourceRef: `order:${randomUUID()}` }),
    );
    const busy = await refusedOverHttp(() => command(session, `${path}/close`, { reason: 'Customer asked' }));
    expect(busy.status).toBe(409);
    expect(busy.json).toMatchObject({ code: 'credit_line_has_reservations', reservedMinor: '1' });
    await inTx(database.db, (trx) => releaseReservation(trx, { reservationId: held.id }));
    expect((await command(session, `${path}/close`, { reason: 'Customer asked' })).json).toMatchObject({
      status: 'closed',
    });
    const closedAgain = await refusedOverHttp(() => command(session, `${path}/unfreeze`, { reason: 'No' }));
    expect(closedAgain.json).toMatchObject({ status: 409, code: 'credit_line_status_conflict' });

    expect((await eventsOf(database.db, line.id)).map((event) => event.type)).toEqual([
      'credit.line-granted',
      'credit.line-frozen',
      'credit.line-unfrozen',
      'credit.line-closed',
    ]);
    expect(await auditActions(database.db, line.id)).toEqual([
      'credit.line-frozen',
      'credit.line-unfrozen',
      'credit.line-closed',
    ]);
    const history = await creditTables(database.db)
      .selectFrom('credit_line_history')
      .select(['kind', 'actor_kind', 'actor_id', 'reason'])
      .where('line_id', '=', line.id)
      .where('kind', 'in', ['frozen', 'unfrozen', 'closed'])
      .orderBy('id')
      .execute();
    expect(history).toEqual([
      { kind: 'frozen', actor_kind: 'staff', actor_id: user.id, reason: 'Suspected fraud' },
      { kind: 'unfrozen', actor_kind: 'staff', actor_id: user.id, reason: 'Cleared' },
      { kind: 'closed', actor_kind: 'staff', actor_id: user.id, reason: 'Customer asked' },
    ]);
  });

  it('a collector may read lines but not change them; bad input is 400; neither writes anything', async () => {
    const { session } = await staffSession(['collector']);
    const line = await grant(database.db, server.config);
    const forbidden = await refusedOverHttp(() =>
      command(session, `/api/v1/credit-lines/${line.id}/freeze`, { reason: 'No' }),
    );
    expect(forbidden.status).toBe(403);
    const operator = (await staffSession(['operator'])).session;
    const noReason = await refusedOverHttp(() =>
      command(operator, `/api/v1/credit-lines/${line.id}/freeze`, {}),
    );
    expect(noReason.status).toBe(400);
    const badId = await refusedOverHttp(() =>
      command(operator, '/api/v1/credit-lines/not-a-uuid/freeze', { reason: 'x' }),
    );
    expect(badId.status).toBe(400);
    expect((await lineRow(line.id)).status).toBe('active');
  });
});

describe('limit adjustments (maker-checker)', () => {
  it('a new limit waits for a different checker; approved, it applies with its history, event and audit rows', async () => {
    const maker = await staffSession(['risk_analyst']);
    const admin = await staffSession(['admin']);
    const checker = await staffSession(['approver']);
    const line = await grant(database.db, server.config, { limitMinor: 1_000_000n });
    const requested = await command(maker.session, `/api/v1/credit-lines/${line.id}/limit-adjustments`, {
      limitMinor: '3000000',
      reason: 'Good repayment record',
    });
    expect(requested.status).toBe(201);
    const request = requested.json as { id: string };
    expect(requested.json).toMatchObject({
      action: 'credit.adjust-limit',
      status: 'pending',
      makerId: maker.user.id,
      reason: 'Good repayment record',
      payload: { lineId: line.id, limitMinor: '3000000', reason: 'Good repayment record' },
    });
    expect((await lineRow(line.id)).limit_minor).toBe(1_000_000n);

    const makerDecides = await refusedOverHttp(() =>
      command(maker.session, `/api/v1/approvals/${request.id}/approve`, {}),
    );
    expect(makerDecides.json).toMatchObject({
      status: 403,
      code: 'forbidden',
      detail: 'Deciding credit.adjust-limit needs the permission credit:approve.',
    });

    const approved = await command(checker.session, `/api/v1/approvals/${request.id}/approve`, {
      note: 'ok',
    });
    expect(approved.status).toBe(200);
    expect(approved.json).toMatchObject({
      status: 'approved',
      checkerId: checker.user.id,
      result: { lineId: line.id, limitMinor: '3000000' },
    });
    expect(await lineRow(line.id)).toMatchObject({ limit_minor: 3_000_000n, status: 'active' });
    const last = await creditTables(database.db)
      .selectFrom('credit_line_history')
      .selectAll()
      .where('line_id', '=', line.id)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(last).toMatchObject({
      kind: 'limit_adjusted',
      limit_delta_minor: 2_000_000n,
      limit_after_minor: 3_000_000n,
      available_after_minor: 3_000_000n,
      source_ref: request.id,
      actor_kind: 'staff',
      actor_id: checker.user.id,
      reason: 'Good repayment record',
    });
    expect((await eventsOf(database.db, line.id)).at(-1)).toMatchObject({
      type: 'credit.line-adjusted',
      payload: {
        lineId: line.id,
        limitMinor: '3000000',
        fromLimitMinor: '1000000',
        availableMinor: '3000000',
      },
    });
    expect(await auditActions(database.db, line.id)).toEqual(['credit.line-limit-adjusted']);

    // An admin holds both permissions, but still cannot decide their own request.
    const own = await command(admin.session, `/api/v1/credit-lines/${line.id}/limit-adjustments`, {
      limitMinor: '2000000',
      reason: 'Lower',
    });
    const self = await refusedOverHttp(() =>
      command(admin.session, `/api/v1/approvals/${(own.json as { id: string }).id}/approve`, {}),
    );
    expect(self.json).toMatchObject({ status: 403, code: 'maker_cannot_check' });
  });

  it('a decrease below used + reserved, or an increase beyond the cap, is refused when asked and queues nothing', async () => {
    const { session } = await staffSession(['risk_analyst']);
    const customerId = randomUUID();
    const line = await grant(database.db, server.config, { customerId, limitMinor: 1_000_000n });
    await grant(database.db, server.config, { customerId, limitMinor: 18_000_000n });
    await inTx(database.db, (trx) =>
      reserve(trx, { lineId: line.id, amountMinor: 600_000n, sourceRef: `order:${randomUUID()}` }),
    );
    const path = `/api/v1/credit-lines/${line.id}/limit-adjustments`;
    const below = await refusedOverHttp(() =>
      command(session, path, { limitMinor: '599999', reason: 'Lower' }),
    );
    expect(below.status).toBe(422);
    expect(below.json).toMatchObject({
      code: 'credit_limit_below_committed',
      detail: `Credit line ${line.id} has 0.00 CNY used and 6000.00 CNY reserved; its limit cannot go down to 5999.99 CNY.`,
      committedMinor: '600000',
      requestedLimitMinor: '599999',
    });
    const beyond = await refusedOverHttp(() =>
      command(session, path, { limitMinor: '2000001', reason: 'Higher' }),
    );
    expect(beyond.status).toBe(422);
    expect(beyond.json).toMatchObject({
      code: 'credit_cap_exceeded',
      capMinor: '20000000',
      exposureMinor: '19000000',
      headroomMinor: '1000000',
      requestedMinor: '1000001',
    });
    const same = await refusedOverHttp(() =>
      command(session, path, { limitMinor: '1000000', reason: 'Same' }),
    );
    expect(same.json).toMatchObject({ status: 400, code: 'validation_failed' });
    const fits = await command(session, path, { limitMinor: '2000000', reason: 'To the cap' });
    expect(fits.status).toBe(201);
  });

  it('the approval checks the cap again: headroom used up in between leaves the request pending and the limit as it was', async () => {
    const maker = await staffSession(['risk_analyst']);
    const checker = await staffSession(['approver']);
    const customerId = randomUUID();
    const line = await grant(database.db, server.config, { customerId, limitMinor: 15_000_000n });
    const requested = await command(maker.session, `/api/v1/credit-lines/${line.id}/limit-adjustments`, {
      limitMinor: '17000000',
      reason: 'Higher',
    });
    expect(requested.status).toBe(201);
    const id = (requested.json as { id: string }).id;
    await grant(database.db, server.config, { customerId, limitMinor: 4_000_000n });
    const refusedApproval = await refusedOverHttp(() =>
      command(checker.session, `/api/v1/approvals/${id}/approve`, {}),
    );
    expect(refusedApproval.json).toMatchObject({
      status: 422,
      code: 'credit_cap_exceeded',
      exposureMinor: '19000000',
      headroomMinor: '1000000',
      requestedMinor: '2000000',
    });
    const view = await read(checker.session, `/api/v1/approvals/${id}`);
    expect(view.json).toMatchObject({ status: 'pending' });
    expect((await lineRow(line.id)).limit_minor).toBe(15_000_000n);
  });
});
