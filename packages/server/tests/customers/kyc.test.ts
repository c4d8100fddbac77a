import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardAgreementsConsumer } from '../../src/modules/customers/kyc.ts';
import { kycOf } from '../../src/modules/customers/service.ts';
import { residentIdCheckCharacter } from '../../src/modules/customers/validation.ts';
import { setInitialBusinessDate } from '../../src/platform/business-date.ts';
import { AppError } from '../../src/platform/errors.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { deliverToConsumers, syncSubscriptions } from '../../src/platform/outbox/dispatcher.ts';
import { publishEvent } from '../../src/platform/outbox/publish.ts';
import type { Services } from '../../src/platform/services.ts';
import { useSim } from '../channel-sim/support.ts';
import { createStaff, signIn, signInBorrower } from '../iam/support.ts';
import { bindCardThroughChannel, startServerBesideSim } from '../payments/support.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { http, type TestServer } from '../support/server.ts';
import { acceptConsent } from './support.ts';

// KYC levels end to end (docs/kyc.md): register → real_name (the identity register, simulated) →
// bind a card through payments against the channel simulator, its own process → payments.card-bound
// delivered from the outbox to the customers consumer → card_bound. The outbox is run pass by pass
// here, so nothing waits for a worker.

const fixture = useSim();
let database: TestDatabase;
let server: TestServer;
let services: Services;
const consumers = new Map([[cardAgreementsConsumer.name, cardAgreementsConsumer]]);
const businessDate = '2026-03-01';

beforeAll(async () => {
  database = await createTestDatabase();
  await database.db.transaction().execute((trx) => setInitialBusinessDate(trx, businessDate));
  // Deliveries are made for the consumers subscribed when an event is published.
  await syncSubscriptions(database.db, [cardAgreementsConsumer], false);
  server = await startServerBesideSim(database, fixture);
  services = { config: server.config, db: database.db, logger: createLogger(server.config) };
}, 60_000);

afterAll(async () => {
  await server?.close();
  await database?.drop();
});

const key = () => ({ 'idempotency-key': crypto.randomUUID() });

let sequence = 400;
async function registered(cardNumber: string) {
  const borrower = await signInBorrower(database.db, server.config);
  sequence += 1;
  const first17 = `11010519900307${String(sequence).padStart(3, '0')}`;
  const created = await http(server.baseUrl, 'POST', '/api/v1/borrower/customers', {
    body: { name: '李四', idNumber: `${first17}${residentIdCheckCharacter(first17)}` },
    headers: { ...borrower.headers, ...key() },
  });
  expect(created.status).toBe(201);
  const customerId = (created.json as { id: string }).id;
  const card = await http(server.baseUrl, 'POST', `/api/v1/borrower/customers/${customerId}/cards`, {
    body: { cardNumber, bankName: '中国工商银行' },
    headers: { ...borrower.headers, ...key() },
  });
  expect(card.status).toBe(201);
  await acceptConsent(server, borrower, 'card_debit_authorization');
  return { borrower, customerId, cardId: (card.json as { id: string }).id };
}

const bindCard = (who: { borrower: { headers: Record<string, string> }; cardId: string }) =>
  bindCardThroughChannel(server, database, fixture, who);

async function kycOver(who: { borrower: { headers: Record<string, string> }; customerId: string }) {
  const profile = await http(server.baseUrl, 'GET', `/api/v1/borrower/customers/${who.customerId}`, {
    headers: who.borrower.headers,
  });
  return (profile.json as { kyc: { level: string; cardBoundAt: string | null } }).kyc;
}

const projection = (customerId: string) =>
  database.tables
    .selectFrom('customer_card_agreements')
    .select(['agreement_id', 'bound_at', 'voided_at'])
    .where('customer_id', '=', customerId)
    .orderBy('bound_at')
    .execute();

describe('KYC levels', () => {
  it('register → real_name; a bound card → card_bound once payments.card-bound is delivered', async () => {
    const who = await registered('6222020000001234');
    expect(await kycOver(who)).toMatchObject({ level: 'real_name', cardBoundAt: null });
    const agreementId = await bindCard(who);
    // Bound at the channel, not yet known to customers: the event is still in the outbox.
    expect(await kycOver(who)).toMatchObject({ level: 'real_name' });
    expect(await deliverToConsumers({ services, consumers })).toBe(1);
    const kyc = await kycOver(who);
    expect(kyc).toEqual({
      level: 'card_bound',
      phoneVerifiedAt: expect.any(String),
      realNameAt: expect.any(String),
      cardBoundAt: expect.any(String),
    });
    expect(await projection(who.customerId)).toEqual([
      { agreement_id: agreementId, bound_at: expect.any(Date), voided_at: null },
    ]);

    const operator = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['operator']),
    );
    const staff = await http(server.baseUrl, 'GET', `/api/v1/customers/${who.customerId}`, {
      headers: operator.headers(false),
    });
    expect(staff.json).toMatchObject({ id: who.customerId, kyc: { level: 'card_bound' } });
  });

  it('unbinding the last card over the API publishes payments.card-unbound: the level is real_name again', async () => {
    const who = await registered('6222020000009876');
    const agreementId = await bindCard(who);
    await deliverToConsumers({ services, consumers });
    expect(await kycOver(who)).toMatchObject({ level: 'card_bound' });
    const unbound = await http(
      server.baseUrl,
      'POST',
      `/api/v1/borrower/card-agreements/${agreementId}/unbind`,
      {
        headers: { ...who.borrower.headers, ...key() },
      },
    );
    expect(unbound.status, unbound.text).toBe(200);
    expect(await deliverToConsumers({ services, consumers })).toBe(1);
    expect(await kycOver(who)).toMatchObject({ level: 'real_name', cardBoundAt: null });
    expect(await projection(who.customerId)).toEqual([
      { agreement_id: agreementId, bound_at: expect.any(Date), voided_at: expect.any(Date) },
    ]);
  });

  it('binding the same card again keeps card_bound from the first binding; the old agreement is void', async () => {
    const who = await registered('6222020000005678');
    const first = await bindCard(who);
    await deliverToConsumers({ services, consumers });
    const since = (await kycOver(who)).cardBoundAt;
    const second = await bindCard(who);
    expect(await deliverToConsumers({ services, consumers })).toBe(1);
    expect(await kycOver(who)).toMatchObject({ level: 'card_bound', cardBoundAt: since });
    const rows = await projection(who.customerId);
    expect(rows.map((row) => ({ agreementId: row.agreement_id, void: row.voided_at !== null }))).toEqual([
      { agreementId: first, void: true },
      { agreementId: second, void: false },
    ]);
  });

  it('a replayed delivery changes nothing (idempotent by event id)', async () => {
    const who = await registered('6222020000009999');
    await bindCard(who);
    await deliverToConsumers({ services, consumers });
    const event = await sql<{ event_id: string; occurred_at: Date; business_date: string; payload: object }>`
      SELECT event_id, occurred_at, business_date, payload FROM outbox_events
      WHERE type = 'payments.card-bound' AND payload->>'customerId' = ${who.customerId}`.execute(database.db);
    const row = event.rows[0];
    if (!row) throw new Error('no card-bound event');
    const customerRow = () =>
      database.tables
        .selectFrom('customers')
        .selectAll()
        .where('id', '=', who.customerId)
        .executeTakeFirstOrThrow();
    const before = await customerRow();
    await database.db.transaction().execute((trx) =>
      cardAgreementsConsumer.handle(
        trx,
        {
          id: row.event_id,
          type: 'payments.card-bound',
          occurredAt: new Date(row.occurred_at.getTime() + 60_000).toISOString(),
          businessDate: row.business_date,
          subject: null,
          data: row.payload as { [key: string]: string },
        },
        services,
      ),
    );
    // Not even touched (updated_at included): the event id was seen.
    expect(await customerRow()).toEqual(before);
    const consumed = await database.tables
      .selectFrom('customer_consumed_events')
      .select('event_id')
      .where('event_id', '=', row.event_id)
      .execute();
    expect(consumed).toHaveLength(1);
  });

  it('an unbound agreement (payments.card-unbound) takes the level back to real_name, in either order of events', async () => {
    const who = await registered('6222020000004321');
    const agreementId = await bindCard(who);
    await deliverToConsumers({ services, consumers });
    const unbound = (id: string) =>
      database.db.transaction().execute((trx) =>
        publishEvent(trx, {
          type: 'payments.card-unbound',
          subject: { type: 'card-agreement', id },
          payload: { agreementId: id, channel: 'simulated', customerId: who.customerId, cardId: who.cardId },
        }),
      );
    await unbound(agreementId);
    expect(await deliverToConsumers({ services, consumers })).toBe(1);
    expect(await kycOver(who)).toMatchObject({ level: 'real_name', cardBoundAt: null });

    // The void of a later agreement arrives before its binding: the binding does not revive it.
    const later = randomUUID();
    await unbound(later);
    await database.db.transaction().execute((trx) =>
      publishEvent(trx, {
        type: 'payments.card-bound',
        subject: { type: 'card-agreement', id: later },
        payload: {
          agreementId: later,
          channel: 'simulated',
          customerId: who.customerId,
          cardId: who.cardId,
          replacedAgreementId: null,
        },
      }),
    );
    expect(await deliverToConsumers({ services, consumers })).toBe(2);
    expect(await kycOver(who)).toMatchObject({ level: 'real_name', cardBoundAt: null });
  });
});

describe('kycOf (what the risk module reads)', () => {
  it('gives the level, when each step was reached, the birth date from the ID number and the age on a date', async () => {
    const who = await registered('6222020000002222');
    const before = await kycOf(database.db, server.config, who.customerId, businessDate);
    expect(before).toEqual({
      customerId: who.customerId,
      level: 'real_name',
      phoneVerifiedAt: expect.any(Date),
      realNameAt: expect.any(Date),
      cardBoundAt: null,
      birthDate: '1990-03-07',
      age: 35,
    });
    expect((await kycOf(database.db, server.config, who.customerId, '2026-03-07')).age).toBe(36);
    expect(await kycOf(database.db, server.config, who.customerId)).not.toHaveProperty('age');
    await bindCard(who);
    await deliverToConsumers({ services, consumers });
    expect(await kycOf(database.db, server.config, who.customerId)).toMatchObject({
      level: 'card_bound',
      cardBoundAt: expect.any(Date),
    });
  });

  it('is not_found for a customer that does not exist', async () => {
    const missing = randomUUID();
    await expect(kycOf(database.db, server.config, missing)).rejects.toEqual(
      new AppError('not_found', `There is no customer ${missing}.`),
    );
  });
});
