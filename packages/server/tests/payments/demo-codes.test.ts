import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { residentIdCheckCharacter } from '../../src/modules/customers/validation.ts';
import { useSim } from '../channel-sim/support.ts';
import { acceptConsent } from '../customers/support.ts';
import { randomPhone, signInBorrower } from '../iam/support.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { http, type TestServer } from '../support/server.ts';
import { startServerBesideSim } from './support.ts';

// DEMO_SHOW_CODES (docs/security.md, "Demo codes") for card binding: the sim adapter asks the
// simulator (its admin API, over HTTP) for the SMS code it sent, and the 201 carries it. Off — the
// default — the answer is the binding alone.

const fixture = useSim();
let database: TestDatabase;
/** DEMO_SHOW_CODES=true. */
let demo: TestServer;
/** The default configuration, on the same database and simulator. */
let plain: TestServer;

beforeAll(async () => {
  database = await createTestDatabase();
  demo = await startServerBesideSim(database, fixture, { DEMO_SHOW_CODES: 'true' });
  plain = await startServerBesideSim(database, fixture);
}, 60_000);

afterAll(async () => {
  await demo?.close();
  await plain?.close();
  await database?.drop();
});

let sequence = 100;
/** A signed-in borrower with a customer profile, a card and the debit authorisation. */
async function borrowerWithCard(server: TestServer, cardNumber?: string) {
  sequence += 1;
  const borrower = await signInBorrower(database.db, server.config, randomPhone());
  const first17 = `11010519900307${sequence}`;
  const customer = await http(server.baseUrl, 'POST', '/api/v1/borrower/customers', {
    body: { name: '李四', idNumber: `${first17}${residentIdCheckCharacter(first17)}` },
    headers: { ...borrower.headers, 'idempotency-key': randomUUID() },
  });
  expect(customer.status, customer.text).toBe(201);
  const customerId = (customer.json as { id: string }).id;
  const card = await http(server.baseUrl, 'POST', `/api/v1/borrower/customers/${customerId}/cards`, {
    body: { cardNumber: cardNumber ?? `6222020000${sequence}001`, bankName: '中国工商银行' },
    headers: { ...borrower.headers, 'idempotency-key': randomUUID() },
  });
  expect(card.status, card.text).toBe(201);
  await acceptConsent(server, borrower, 'card_debit_authorization');
  return { borrower, cardId: (card.json as { id: string }).id };
}

const apply = (server: TestServer, who: Awaited<ReturnType<typeof borrowerWithCard>>) =>
  http(server.baseUrl, 'POST', '/api/v1/borrower/card-bindings', {
    body: { cardId: who.cardId },
    headers: { ...who.borrower.headers, 'idempotency-key': randomUUID() },
  });

/** What the simulator says it sent for a binding, read as the card holder reads the SMS. */
async function simulatorCode(bindingId: string): Promise<string> {
  const { order_no } = await database.tables
    .selectFrom('payment_card_bindings')
    .select('order_no')
    .where('id', '=', bindingId)
    .executeTakeFirstOrThrow();
  return ((await fixture.client.admin('GET', `/admin/sms?orderNo=${order_no}`)).json as { smsCode: string })
    .smsCode;
}

describe('the card-binding SMS code in the demo', () => {
  it('DEMO_SHOW_CODES=true: the 201 carries the code the channel sent, and it confirms the binding', async () => {
    const who = await borrowerWithCard(demo);
    const applied = await apply(demo, who);
    expect(applied.status, applied.text).toBe(201);
    const binding = applied.json as { id: string; status: string; demoSmsCode?: string };
    expect(binding.status).toBe('sms_sent');
    expect(binding.demoSmsCode).toMatch(/^\d{6}$/);
    expect(binding.demoSmsCode).toBe(await simulatorCode(binding.id));
    const confirmed = await http(
      demo.baseUrl,
      'POST',
      `/api/v1/borrower/card-bindings/${binding.id}/confirm`,
      {
        body: { smsCode: binding.demoSmsCode },
        headers: { ...who.borrower.headers, 'idempotency-key': randomUUID() },
      },
    );
    expect(confirmed.status, confirmed.text).toBe(200);
    expect(confirmed.json).toMatchObject({ binding: { status: 'bound' }, agreement: { status: 'active' } });
    expect(confirmed.text).not.toContain('demoSmsCode');
  });

  it('off (the default): the 201 is the binding alone', async () => {
    expect(plain.config.demoShowCodes).toBe(false);
    const who = await borrowerWithCard(plain);
    const applied = await apply(plain, who);
    expect(applied.status, applied.text).toBe(201);
    expect(Object.keys(applied.json as object).sort()).toEqual([
      'agreementId',
      'cardId',
      'channel',
      'createdAt',
      'customerId',
      'id',
      'status',
    ]);
  });

  it('a refused card has no code to show: 422 and nothing recorded', async () => {
    // A card number ending 0344 is one the simulator's bank has no record of (BF00344).
    const who = await borrowerWithCard(demo, '6222020000000344');
    const applied = await apply(demo, who);
    expect(applied.json).toMatchObject({ status: 422, code: 'card_binding_rejected' });
    expect(applied.text).not.toContain('demoSmsCode');
    const bindings = await database.tables
      .selectFrom('payment_card_bindings')
      .select('id')
      .where('card_id', '=', who.cardId)
      .execute();
    expect(bindings).toEqual([]);
  });
});
