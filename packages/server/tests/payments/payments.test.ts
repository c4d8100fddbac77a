import { createHash, randomInt } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signSimRequest } from '../../src/channel-sim/index.ts';
import { residentIdCheckCharacter } from '../../src/modules/customers/validation.ts';
import type { PaymentChannel } from '../../src/modules/payments/channel.ts';
import { configuredChannels } from '../../src/modules/payments/channels/registry.ts';
import { createPaymentOrder } from '../../src/modules/payments/orders.ts';
import { queryDue } from '../../src/modules/payments/queries.ts';
import { submitDue } from '../../src/modules/payments/submission.ts';
import { createLogger } from '../../src/platform/logger.ts';
import type { Services } from '../../src/platform/services.ts';
import { eventually, merchantNo, rule, secret, useSim } from '../channel-sim/support.ts';
import { acceptConsent } from '../customers/support.ts';
import { randomPhone, signInBorrower } from '../iam/support.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { http, type TestServer } from '../support/server.ts';
import { startServerBesideSim } from './support.ts';

// Payments end to end: Fenqi's real HTTP server and the simulated channel as its own process,
// talking over HTTP in both directions with signed requests and callbacks. The submit and query
// jobs are run pass by pass with an injected clock, so nothing here waits on a back-off.

const fixture = useSim();
let database: TestDatabase;
let server: TestServer;
let services: Services;
let payoutsSent = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startServerBesideSim(database, fixture);
  services = { config: server.config, db: database.db, logger: createLogger(server.config) };
  // Every payout request that leaves Fenqi is counted: "never paid twice" is about requests.
  const channel = configuredChannels(server.config).get('simulated')?.channel as PaymentChannel;
  const payout = channel.payout.bind(channel);
  channel.payout = (request) => {
    payoutsSent += 1;
    return payout(request);
  };
}, 60_000);

afterAll(async () => {
  await server?.close();
  await database?.drop();
});

let sequence = 0;
/** A payout order for this test, made as another module would: in its own transaction. */
async function payout(amountMinor: bigint, accountNo = `62220200${String(randomInt(1e8)).padStart(8, '0')}`) {
  sequence += 1;
  const { order } = await database.db.transaction().execute((trx) =>
    createPaymentOrder(trx, server.config, {
      channel: 'simulated',
      purpose: 'disbursement',
      amountMinor,
      currency: 'CNY',
      sourceRef: `test:${sequence}/disbursement`,
      counterpart: { kind: 'payout', accountName: '张三', accountNo },
    }),
  );
  return order.orderNo;
}

async function orderRow(orderNo: string) {
  return database.tables
    .selectFrom('payment_orders')
    .selectAll()
    .where('order_no', '=', orderNo)
    .executeTakeFirstOrThrow();
}

/** What one order left behind: journal entries, events, transitions, exceptions. */
async function effectsOf(orderNo: string) {
  const result = await sql<{ entries: number; events: number; transitions: number; exceptions: number }>`
    SELECT (SELECT count(*)::int FROM ledger_entries WHERE source_ref = ${`payment-order:${orderNo}`}) AS entries,
           (SELECT count(*)::int FROM outbox_events WHERE subject_id = ${orderNo}) AS events,
           (SELECT count(*)::int FROM payment_order_transitions t JOIN payment_orders o ON o.id = t.order_id
              WHERE o.order_no = ${orderNo}) AS transitions,
           (SELECT count(*)::int FROM payment_exceptions WHERE order_no = ${orderNo}) AS exceptions`.execute(
    database.db,
  );
  return result.rows[0];
}

const stateOf = async (orderNo: string) => (await orderRow(orderNo)).state;
const later = (ms: number) => new Date(Date.now() + ms);

describe('card binding through the channel', () => {
  let idSequence = 300;
  async function borrowerWithCard(cardNumber: string, options: { debitConsent?: boolean } = {}) {
    const borrower = await signInBorrower(database.db, server.config, randomPhone());
    idSequence += 1;
    const first17 = `11010519900307${String(idSequence).padStart(3, '0')}`;
    const customer = await http(server.baseUrl, 'POST', '/api/v1/borrower/customers', {
      body: { name: '李四', idNumber: `${first17}${residentIdCheckCharacter(first17)}` },
      headers: { ...borrower.headers, 'idempotency-key': crypto.randomUUID() },
    });
    expect(customer.status).toBe(201);
    const customerId = (customer.json as { id: string }).id;
    const card = await http(server.baseUrl, 'POST', `/api/v1/borrower/customers/${customerId}/cards`, {
      body: { cardNumber, bankName: '中国工商银行' },
      headers: { ...borrower.headers, 'idempotency-key': crypto.randomUUID() },
    });
    expect(card.status).toBe(201);
    if (options.debitConsent !== false) await acceptConsent(server, borrower, 'card_debit_authorization');
    return { borrower, customerId, cardId: (card.json as { id: string }).id };
  }
  /** The code the channel "sent" the card holder, read from the simulator as the holder reads the SMS. */
  async function smsCodeOf(bindingId: string): Promise<string> {
    const row = await database.tables
      .selectFrom('payment_card_bindings')
      .select('order_no')
      .where('id', '=', bindingId)
      .executeTakeFirstOrThrow();
    return (
      (await fixture.client.admin('GET', `/admin/sms?orderNo=${row.order_no}`)).json as { smsCode: string }
    ).smsCode;
  }
  const bindings = async (customerId: string) =>
    (
      await sql<{ n: number }>`
        SELECT (SELECT count(*)::int FROM payment_card_bindings WHERE customer_id = ${customerId})
             + (SELECT count(*)::int FROM payment_card_agreements WHERE customer_id = ${customerId}) AS n`.execute(
        database.db,
      )
    ).rows[0]?.n;

  it('binds a card: apply, the SMS code from the channel, confirm → an active agreement; binding again voids it', async () => {
    const { borrower, customerId, cardId } = await borrowerWithCard('6222020000001234');
    const apply = () =>
      http(server.baseUrl, 'POST', '/api/v1/borrower/card-bindings', {
        body: { cardId },
        headers: { ...borrower.headers, 'idempotency-key': crypto.randomUUID() },
      });
    const confirm = async (binding: { id: string; orderNo?: string }) => {
      return http(server.baseUrl, 'POST', `/api/v1/borrower/card-bindings/${binding.id}/confirm`, {
        body: { smsCode: await smsCodeOf(binding.id) },
        headers: { ...borrower.headers, 'idempotency-key': crypto.randomUUID() },
      });
    };
    const first = await apply();
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ status: 'sms_sent' });
    const confirmed = await confirm(first.json as { id: string });
    expect(confirmed.status).toBe(200);
    const agreements = await http(server.baseUrl, 'GET', '/api/v1/borrower/card-agreements', {
      headers: borrower.headers,
    });
    expect(agreements.json).toMatchObject([{ cardId, status: 'active' }]);
    // The agreement token is the channel's secret with us: no response carries it.
    expect(agreements.text).not.toMatch(/AG[0-9A-Z]{10,}/);

    const second = await apply();
    expect((await confirm(second.json as { id: string })).status).toBe(200);
    const after = await http(server.baseUrl, 'GET', '/api/v1/borrower/card-agreements', {
      headers: borrower.headers,
    });
    expect((after.json as { status: string }[]).map((a) => a.status)).toEqual(['active', 'void']);
    expect(await bindings(customerId)).toBe(4);
  });

  it('the bank-reserved phone, when given, is the one the channel checks; stored encrypted, answered masked', async () => {
    const borrower = await signInBorrower(database.db, server.config, randomPhone());
    idSequence += 1;
    const first17 = `11010519900307${String(idSequence).padStart(3, '0')}`;
    const idNumber = `${first17}${residentIdCheckCharacter(first17)}`;
    const customer = await http(server.baseUrl, 'POST', '/api/v1/borrower/customers', {
      body: { name: '李四', idNumber },
      headers: { ...borrower.headers, 'idempotency-key': crypto.randomUUID() },
    });
    const customerId = (customer.json as { id: string }).id;
    const reservedPhone = '13912345678';
    const card = await http(server.baseUrl, 'POST', `/api/v1/borrower/customers/${customerId}/cards`, {
      body: { cardNumber: '6222020000004321', reservedPhone },
      headers: { ...borrower.headers, 'idempotency-key': crypto.randomUUID() },
    });
    expect(card.json).toMatchObject({ reservedPhoneMasked: '139****5678' });
    await acceptConsent(server, borrower, 'card_debit_authorization');
    const stored = await sql<{ reserved_phone_enc: string }>`
      SELECT reserved_phone_enc FROM bank_cards WHERE id = ${(card.json as { id: string }).id}`.execute(
      database.db,
    );
    expect(stored.rows[0]?.reserved_phone_enc).toMatch(/^fq1\./);
    expect(stored.rows[0]?.reserved_phone_enc).not.toContain(reservedPhone);
    const applied = await http(server.baseUrl, 'POST', '/api/v1/borrower/card-bindings', {
      body: { cardId: (card.json as { id: string }).id },
      headers: { ...borrower.headers, 'idempotency-key': crypto.randomUUID() },
    });
    expect(applied.status, applied.text).toBe(201);
    const orderNo = (
      await database.tables
        .selectFrom('payment_card_bindings')
        .select('order_no')
        .where('id', '=', (applied.json as { id: string }).id)
        .executeTakeFirstOrThrow()
    ).order_no;
    // The simulator keeps a digest of the four elements it was sent: the reserved phone is among them.
    const sim = new pg.Client({ connectionString: fixture.databaseUrl });
    await sim.connect();
    try {
      const row = await sim.query<{ elements_hash: string }>(
        'SELECT elements_hash FROM channel_sim.bindings WHERE order_no = $1',
        [orderNo],
      );
      const digest = (phone: string) =>
        createHash('sha256').update(['李四', idNumber, '6222020000004321', phone].join('\n')).digest('hex');
      expect(row.rows[0]?.elements_hash).toBe(digest(reservedPhone));
      expect(row.rows[0]?.elements_hash).not.toBe(digest(borrower.phone));
    } finally {
      await sim.end();
    }
  });

  it('without the debit authorisation (代扣授权) a binding is refused before the card goes anywhere', async () => {
    const { borrower, customerId, cardId } = await borrowerWithCard('6222020000002468', {
      debitConsent: false,
    });
    const refused = await http(server.baseUrl, 'POST', '/api/v1/borrower/card-bindings', {
      body: { cardId },
      headers: { ...borrower.headers, 'idempotency-key': crypto.randomUUID() },
    });
    expect(refused.json).toMatchObject({ status: 409, code: 'consent_required' });
    expect(JSON.stringify(refused.json)).toContain('card_debit_authorization');
    expect(await bindings(customerId)).toBe(0);
    const sent = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM audit_log
      WHERE action = 'customers.card-elements-sent' AND subject_id = ${cardId}`.execute(database.db);
    expect(sent.rows[0]?.n).toBe(0);
    await acceptConsent(server, borrower, 'card_debit_authorization');
    const applied = await http(server.baseUrl, 'POST', '/api/v1/borrower/card-bindings', {
      body: { cardId },
      headers: { ...borrower.headers, 'idempotency-key': crypto.randomUUID() },
    });
    expect(applied.status, applied.text).toBe(201);
    const sentAfter = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM audit_log
      WHERE action = 'customers.card-elements-sent' AND subject_id = ${cardId}`.execute(database.db);
    expect(sentAfter.rows[0]?.n).toBe(1);
  });

  it.each([
    ['0343', 'BF00343', 'phone'],
    ['0344', 'BF00344', 'cardNumber'],
    ['0345', 'BF00345', 'name'],
    ['0346', 'BF00346', 'idNumber'],
  ])(
    'a card the bank refuses (…%s) is a 422 naming the wrong element (%s → %s), and records nothing',
    async (suffix, code, element) => {
      const { borrower, customerId, cardId } = await borrowerWithCard(`622202000000${suffix}`);
      const answer = await http(server.baseUrl, 'POST', '/api/v1/borrower/card-bindings', {
        body: { cardId },
        headers: { ...borrower.headers, 'idempotency-key': crypto.randomUUID() },
      });
      expect(answer.status).toBe(422);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.json).toMatchObject({
        code: 'card_binding_rejected',
        channelCode: code,
        element,
        errors: [{ path: element, code }],
      });
      expect(await bindings(customerId)).toBe(0);
    },
  );

  it('a wrong SMS code is a 422 naming smsCode (BF00347); the binding stays open for the right one', async () => {
    const { borrower, customerId, cardId } = await borrowerWithCard('6222020000005678');
    const applied = await http(server.baseUrl, 'POST', '/api/v1/borrower/card-bindings', {
      body: { cardId },
      headers: { ...borrower.headers, 'idempotency-key': crypto.randomUUID() },
    });
    const binding = applied.json as { id: string };
    const smsCode = await smsCodeOf(binding.id);
    const wrong = smsCode === '000000' ? '111111' : '000000';
    const refused = await http(
      server.baseUrl,
      'POST',
      `/api/v1/borrower/card-bindings/${binding.id}/confirm`,
      {
        body: { smsCode: wrong },
        headers: { ...borrower.headers, 'idempotency-key': crypto.randomUUID() },
      },
    );
    expect(refused.status).toBe(422);
    expect(refused.json).toMatchObject({
      code: 'card_binding_rejected',
      element: 'smsCode',
      channelCode: 'BF00347',
    });
    const agreements = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM payment_card_agreements WHERE customer_id = ${customerId}`.execute(
      database.db,
    );
    expect(agreements.rows[0]?.n).toBe(0);
  });
});

describe('payouts', () => {
  it('a payout is submitted once, accepted as processing, and the signed callback settles it: one entry, one event', async () => {
    const before = payoutsSent;
    const orderNo = await payout(123_456n);
    expect(await submitDue(services)).toBeGreaterThanOrEqual(1);
    await eventually(async () => (await stateOf(orderNo)) === 'succeeded');
    const row = await orderRow(orderNo);
    expect(row.submit_attempts).toBe(1);
    expect(row.channel_txn_id).toMatch(/^T/);
    expect(payoutsSent - before).toBe(1);
    expect(await effectsOf(orderNo)).toEqual({ entries: 1, events: 1, transitions: 3, exceptions: 0 });
    const lines = await sql<{ account: string; side: string; amount_minor: bigint }>`
      SELECT a.code AS account, l.side, l.amount_minor FROM ledger_lines l
      JOIN ledger_accounts a ON a.id = l.account_id WHERE l.entry_id = ${row.settled_entry_id} ORDER BY l.side`.execute(
      database.db,
    );
    expect(lines.rows).toEqual([
      { account: '1012.01', side: 'credit', amount_minor: 123_456n },
      { account: '2202', side: 'debit', amount_minor: 123_456n },
    ]);
    const detail = await http(server.baseUrl, 'GET', `/api/v1/payments/orders/${orderNo}`);
    expect(detail.status).toBe(401); // staff only
  });

  it('50 duplicated and reordered callbacks for one payout → one effect', async () => {
    const accountNo = '6222020000777001';
    await fixture.client.setRules([
      rule({ accountNoSuffix: '777001' }, { duplicateCallbacks: 10, reorderCallbacks: true }),
    ]);
    const orderNo = await payout(50_000n, accountNo);
    await submitDue(services);
    // The channel sends the outcome 11 times and a stale PROCESSING after it; the rest of the 50
    // are replays of both, concurrently, each correctly signed with a fresh nonce.
    await eventually(
      async () => (await fixture.client.callbacks(orderNo)).filter((c) => c.acknowledged).length === 12,
      {
        timeoutMs: 60_000,
      },
    );
    const log = await fixture.client.callbacks(orderNo);
    expect(log.map((c) => c.status).sort()).toEqual(['PROCESSING', ...Array(11).fill('SUCCEEDED')]);
    const final = log.find((c) => c.status === 'SUCCEEDED')?.body ?? '';
    const stale = log.find((c) => c.status === 'PROCESSING')?.body ?? '';
    const path = `/api/v1/payments/callbacks/simulated`;
    const replays = Array.from({ length: 38 }, (_, i) => {
      const body = i % 2 === 0 ? final : stale;
      const headers = signSimRequest({ merchantNo, secret, method: 'POST', path, body });
      return http(server.baseUrl, 'POST', path, {
        rawBody: body,
        headers: { ...headers, 'content-type': 'application/json' },
      });
    });
    const answers = await Promise.all(replays);
    expect(answers.map((a) => `${a.status} ${a.text}`)).toEqual(Array(38).fill('200 SUCCESS'));
    expect(await stateOf(orderNo)).toBe('succeeded');
    expect(await effectsOf(orderNo)).toEqual({ entries: 1, events: 1, transitions: 3, exceptions: 0 });
    await fixture.client.setRules([]);
  });

  it('a dropped callback is resolved by the query job', async () => {
    await fixture.client.setRules([rule({ amountFen: 70_001 }, { dropCallbacks: true })]);
    const orderNo = await payout(70_001n);
    await submitDue(services);
    expect(await stateOf(orderNo)).toBe('processing');
    await eventually(async () => (await fixture.client.order(orderNo)).status === 'SUCCEEDED');
    expect(await fixture.client.callbacks(orderNo)).toEqual([]);
    await queryDue(services, later(server.config.payments.queryAfterMs * 4));
    expect(await stateOf(orderNo)).toBe('succeeded');
    expect(await effectsOf(orderNo)).toMatchObject({ entries: 1, events: 1, exceptions: 0 });
    await fixture.client.setRules([]);
  });

  it('an unknown answer (the connection dropped after acceptance) is never sent again; the query settles it', async () => {
    await fixture.client.setRules([rule({ amountFen: 70_002 }, { timeout: true, dropCallbacks: true })]);
    const before = payoutsSent;
    const orderNo = await payout(70_002n);
    await submitDue(services);
    expect(await stateOf(orderNo)).toBe('unknown');
    await eventually(async () => (await fixture.client.order(orderNo)).status === 'SUCCEEDED');
    // Many passes of both jobs, far in the future: nothing sends it again.
    for (let pass = 1; pass <= 5; pass++) {
      await submitDue(services, later(pass * 3_600_000));
      await queryDue(services, later(pass * 3_600_000));
    }
    const row = await orderRow(orderNo);
    expect(row.state).toBe('succeeded');
    expect(row.submit_attempts).toBe(1);
    expect(payoutsSent - before).toBe(1);
    expect(await effectsOf(orderNo)).toMatchObject({ entries: 1, events: 1 });
    await fixture.client.setRules([]);
  });

  it('a definite failure fails the order with the channel’s code and posts nothing', async () => {
    await fixture.client.setRules([rule({ amountFen: 70_003 }, { fail: 'BF00210' })]);
    const orderNo = await payout(70_003n);
    await submitDue(services);
    await eventually(async () => (await stateOf(orderNo)) === 'failed');
    expect((await orderRow(orderNo)).failure_code).toBe('BF00210');
    expect(await effectsOf(orderNo)).toMatchObject({ entries: 0, events: 1, exceptions: 0 });
    await fixture.client.setRules([]);
  });

  it('a paid payout that bounces back is reversed in the ledger and announced', async () => {
    await fixture.client.setRules([rule({ amountFen: 70_004 }, { bounceAfterMs: 50_000 })]);
    const orderNo = await payout(70_004n);
    await submitDue(services);
    await eventually(async () => (await stateOf(orderNo)) === 'bounced', { timeoutMs: 60_000 });
    const row = await orderRow(orderNo);
    expect(row.settled_entry_id).not.toBeNull();
    expect(row.bounced_entry_id).not.toBeNull();
    expect(await effectsOf(orderNo)).toMatchObject({ entries: 2, events: 2, exceptions: 0 });
    await fixture.client.setRules([]);
  });
});

describe('callbacks that must be refused', () => {
  const path = '/api/v1/payments/callbacks/simulated';
  let orderNo: string;
  let body: string;

  beforeAll(async () => {
    await fixture.client.setRules([rule({ amountFen: 80_001 }, { stayProcessing: true })]);
    orderNo = await payout(80_001n);
    await submitDue(services);
    const row = await orderRow(orderNo);
    body = JSON.stringify({
      txnId: row.channel_txn_id,
      orderNo,
      kind: 'PAYOUT',
      status: 'SUCCEEDED',
      amountFen: 80_001,
      code: null,
      finishedAt: new Date().toISOString(),
    });
  });
  afterAll(() => fixture.client.setRules([]));

  const send = (payload: string, headers: Record<string, string>) =>
    http(server.baseUrl, 'POST', path, {
      rawBody: payload,
      headers: { ...headers, 'content-type': 'application/json' },
    });

  it('a forged, a stale or a replayed signature is 401 and changes nothing', async () => {
    const before = await effectsOf(orderNo);
    const forged = await send(
      body,
      signSimRequest({ merchantNo, secret: 'not-the-merchant-secret!', method: 'POST', path, body }),
    );
    const stale = await send(
      body,
      signSimRequest({ merchantNo, secret, method: 'POST', path, body, nowMs: Date.now() - 301_000 }),
    );
    const other = await send(
      body,
      signSimRequest({ merchantNo: 'M999999', secret, method: 'POST', path, body }),
    );
    const tampered = await send(
      body.replace('80001', '80002'),
      signSimRequest({ merchantNo, secret, method: 'POST', path, body }),
    );
    for (const answer of [forged, stale, other, tampered]) {
      expect(answer.status).toBe(401);
      expect(answer.json).toMatchObject({ code: 'callback_signature_invalid' });
    }
    // A genuine one is applied once; the very same request again (same nonce) is a replay.
    const headers = signSimRequest({ merchantNo, secret, method: 'POST', path, body });
    const first = await send(body, headers);
    expect(`${first.status} ${first.text}`).toBe('200 SUCCESS');
    const replayed = await send(body, headers);
    expect(replayed.status).toBe(401);
    expect(before).toMatchObject({ entries: 0, events: 0 });
    expect(await effectsOf(orderNo)).toMatchObject({ entries: 1, events: 1, exceptions: 0 });
  });

  it('a callback whose amount differs from the order is refused (422) and raised as one exception', async () => {
    const other = await payout(80_001n);
    await submitDue(services);
    const row = await orderRow(other);
    const wrong = JSON.stringify({
      txnId: row.channel_txn_id,
      orderNo: other,
      kind: 'PAYOUT',
      status: 'SUCCEEDED',
      amountFen: 8_000_100,
      code: null,
      finishedAt: new Date().toISOString(),
    });
    const answers = [];
    for (let i = 0; i < 3; i++)
      answers.push(
        await send(wrong, signSimRequest({ merchantNo, secret, method: 'POST', path, body: wrong })),
      );
    for (const answer of answers) {
      expect(answer.status).toBe(422);
      expect(answer.json).toMatchObject({ code: 'callback_amount_mismatch' });
    }
    expect(await stateOf(other)).toBe('processing');
    expect(await effectsOf(other)).toMatchObject({ entries: 0, events: 0, exceptions: 1 });
    const exceptions = await database.tables
      .selectFrom('payment_exceptions')
      .select(['kind', 'our_amount_minor', 'channel_amount_minor'])
      .where('order_no', '=', other)
      .execute();
    expect(exceptions).toEqual([
      { kind: 'notice_amount_mismatch', our_amount_minor: 80_001n, channel_amount_minor: 8_000_100n },
    ]);
  });

  it('hostile bodies are refused without a trace: not JSON, deep nesting, NUL bytes, huge amounts', async () => {
    const before = await sql<{ n: number }>`SELECT count(*)::int AS n FROM payment_callbacks`.execute(
      database.db,
    );
    const bodies = [
      'not json',
      `${'['.repeat(5000)}${']'.repeat(5000)}`,
      body.replace(orderNo, `${orderNo}\u0000`),
      body.replace('"amountFen":80001', '"amountFen":1e400'),
      body.replace('"amountFen":80001', '"amountFen":99999999999999999999'),
    ];
    for (const payload of bodies) {
      const answer = await send(
        payload,
        signSimRequest({ merchantNo, secret, method: 'POST', path, body: payload }),
      );
      expect(answer.status, payload.slice(0, 40)).toBeGreaterThanOrEqual(400);
      expect(answer.status, payload.slice(0, 40)).toBeLessThan(500);
    }
    const after = await sql<{ n: number }>`SELECT count(*)::int AS n FROM payment_callbacks`.execute(
      database.db,
    );
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
    const elsewhere = '/api/v1/payments/callbacks/nope';
    const unknownChannel = await http(server.baseUrl, 'POST', elsewhere, {
      rawBody: body,
      headers: {
        ...signSimRequest({ merchantNo, secret, method: 'POST', path: elsewhere, body }),
        'content-type': 'application/json',
      },
    });
    expect(unknownChannel.status).toBeGreaterThanOrEqual(400);
  });
});
