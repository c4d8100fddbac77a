import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/platform/config.ts';
import { stringToSign } from '../../src/platform/crypto/request-signature.ts';
import { createLogger } from '../../src/platform/logger.ts';
import {
  deliverDue,
  deliverToConsumers,
  deliverWebhooks,
  startOutboxDispatcher,
  syncSubscriptions,
} from '../../src/platform/outbox/dispatcher.ts';
import type { EventConsumer, OutboxEvent } from '../../src/platform/outbox/event.ts';
import { connectNatsSink } from '../../src/platform/outbox/nats.ts';
import { publishEvent } from '../../src/platform/outbox/publish.ts';
import { registerWebhookEndpoint } from '../../src/platform/outbox/webhooks.ts';
import type { Services } from '../../src/platform/services.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { testKeys } from '../support/server.ts';

// The transactional outbox: an event exists exactly when its business change commits; a module
// consumer's effect happens once however many dispatchers run; webhooks are signed, retried until
// acknowledged, and every attempt is logged; only the event's owner receives it; NATS gets it once.

let database: TestDatabase;
let services: Services;
let receiver: Server;
let receiverUrl: string;
type Received = { headers: IncomingMessage['headers']; body: string; path: string };
const received: Received[] = [];
/** The statuses the receiver answers in turn (then 200). */
const answers: number[] = [];
let onReceive: (() => void) | undefined;

const effects: string[] = [];
let consumerFails = false;
const consumer: EventConsumer = {
  name: 'test.recorder',
  events: ['test.thing-happened'],
  async handle(trx, event) {
    if (consumerFails) throw new Error('the consumer is down');
    await sql`INSERT INTO test_effects (event_id) VALUES (${event.id})`.execute(trx);
    effects.push(event.id);
  },
};
const consumers = new Map([[consumer.name, consumer]]);

beforeAll(async () => {
  database = await createTestDatabase();
  const config = loadConfig({ DATABASE_URL: database.url, ...testKeys });
  services = { config, db: database.db, logger: createLogger({ logLevel: 'silent' }) };
  await sql`CREATE TABLE test_effects (event_id uuid PRIMARY KEY)`.execute(database.db);
  await syncSubscriptions(database.db, [consumer], false);
  receiver = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body, path: request.url ?? '' });
      response.statusCode = answers.shift() ?? 200;
      response.end('ok');
      onReceive?.();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const address = receiver.address();
  receiverUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/hooks/fenqi?x=1`;
});

afterAll(async () => {
  receiver?.close();
  await database?.drop();
});

const publish = (event: Parameters<typeof publishEvent>[1]) =>
  database.db.transaction().execute((trx) => publishEvent(trx, event));

async function deliveriesOf(eventId: string) {
  const rows = await sql<{ consumer: string; state: string; attempts: number }>`
    SELECT d.consumer, d.state, d.attempts FROM outbox_deliveries d JOIN outbox_events e ON e.id = d.event_row
    WHERE e.event_id = ${eventId}::uuid ORDER BY d.consumer`.execute(database.db);
  return rows.rows;
}

describe('publishing', () => {
  it('writes the event and a delivery per subscribed consumer with the business change, or not at all', async () => {
    const { eventId } = await publish({ type: 'test.thing-happened', payload: { n: 1 } });
    expect(await deliveriesOf(eventId)).toEqual([
      { consumer: 'module:test.recorder', state: 'pending', attempts: 0 },
    ]);
    let rolledBack = '';
    await database.db
      .transaction()
      .execute(async (trx) => {
        rolledBack = (await publishEvent(trx, { type: 'test.thing-happened', payload: { n: 2 } })).eventId;
        throw new Error('the business change failed');
      })
      .catch(() => {});
    const found = await sql`SELECT 1 FROM outbox_events WHERE event_id = ${rolledBack}::uuid`.execute(
      database.db,
    );
    expect(found.rows).toHaveLength(0);
  });

  it('publishing one event id twice records it once', async () => {
    const eventId = crypto.randomUUID();
    await publish({ type: 'test.thing-happened', payload: { n: 3 }, eventId });
    await publish({ type: 'test.thing-happened', payload: { n: 3 }, eventId });
    expect(await deliveriesOf(eventId)).toHaveLength(1);
  });
});

describe('module consumers', () => {
  it('take each event exactly once, however many dispatchers run at once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++)
      ids.push((await publish({ type: 'test.thing-happened', payload: { i } })).eventId);
    const options = { services, consumers };
    await Promise.all(Array.from({ length: 4 }, () => deliverToConsumers(options, 50)));
    const rows = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM test_effects WHERE event_id = ANY (${ids}::uuid[])`.execute(database.db);
    expect(rows.rows[0]?.n).toBe(20);
    for (const id of ids)
      expect(await deliveriesOf(id)).toEqual([
        { consumer: 'module:test.recorder', state: 'delivered', attempts: 1 },
      ]);
  });

  it('a failing consumer changes nothing, backs off, and succeeds later', async () => {
    const { eventId } = await publish({ type: 'test.thing-happened', payload: { flaky: true } });
    consumerFails = true;
    await deliverToConsumers({ services, consumers });
    consumerFails = false;
    expect(await deliveriesOf(eventId)).toEqual([
      { consumer: 'module:test.recorder', state: 'pending', attempts: 1 },
    ]);
    const waiting = await sql<{ later: boolean }>`
      SELECT d.next_attempt_at > now() AS later FROM outbox_deliveries d JOIN outbox_events e ON e.id = d.event_row
      WHERE e.event_id = ${eventId}::uuid`.execute(database.db);
    expect(waiting.rows[0]?.later).toBe(true);
    // Not due yet: nothing happens. Due (the back-off moved into the past): delivered once.
    await deliverToConsumers({ services, consumers });
    expect(effects).not.toContain(eventId);
    await sql`UPDATE outbox_deliveries SET next_attempt_at = now() WHERE consumer = 'module:test.recorder'`.execute(
      database.db,
    );
    await deliverToConsumers({ services, consumers });
    expect(effects.filter((id) => id === eventId)).toHaveLength(1);
    expect(await deliveriesOf(eventId)).toEqual([
      { consumer: 'module:test.recorder', state: 'delivered', attempts: 2 },
    ]);
  });
});

describe('webhooks', () => {
  it('are signed, sent to the owner’s endpoint only, retried until acknowledged, and every attempt is logged', async () => {
    const endpoint = await database.db.transaction().execute((trx) =>
      registerWebhookEndpoint(trx, services.config, {
        ownerKind: 'merchant',
        ownerId: 'm-hooks',
        url: receiverUrl,
        eventTypes: ['test.order-paid'],
      }),
    );
    const mine = await publish({
      type: 'test.order-paid',
      owner: { kind: 'merchant', id: 'm-hooks' },
      subject: { type: 'order', id: 'o-1' },
      payload: { amountMinor: '12345' },
    });
    const others = await publish({
      type: 'test.order-paid',
      owner: { kind: 'merchant', id: 'm-other' },
      payload: {},
    });
    expect(await deliveriesOf(others.eventId)).toEqual([]);

    answers.push(500, 503);
    await deliverWebhooks({ services, consumers });
    await sql`UPDATE outbox_deliveries SET next_attempt_at = now() WHERE consumer LIKE 'webhook:%'`.execute(
      database.db,
    );
    await deliverWebhooks({ services, consumers });
    await sql`UPDATE outbox_deliveries SET next_attempt_at = now() WHERE consumer LIKE 'webhook:%'`.execute(
      database.db,
    );
    await deliverWebhooks({ services, consumers });
    expect(received).toHaveLength(3);
    const last = received[2];
    if (!last) throw new Error('no delivery');
    const event = JSON.parse(last.body) as OutboxEvent;
    expect(event).toMatchObject({
      id: mine.eventId,
      type: 'test.order-paid',
      subject: { type: 'order', id: 'o-1' },
      data: { amountMinor: '12345' },
    });
    // The receiver checks the signature with the secret it was given, exactly as docs/events.md says.
    const timestamp = String(last.headers['x-fenqi-timestamp']);
    const nonce = String(last.headers['x-fenqi-nonce']);
    const expected = `v1=${createHmac('sha256', endpoint.secret)
      .update(stringToSign('POST', last.path, timestamp, nonce, last.body))
      .digest('hex')}`;
    expect(last.headers['x-fenqi-signature']).toBe(expected);
    expect(last.headers['x-fenqi-event-id']).toBe(mine.eventId);
    expect(await deliveriesOf(mine.eventId)).toEqual([
      { consumer: `webhook:${endpoint.id}`, state: 'delivered', attempts: 3 },
    ]);
    const log = await sql<{ attempt: number; status: number | null }>`
      SELECT a.attempt, a.status FROM webhook_attempts a JOIN outbox_events e ON e.id = a.event_row
      WHERE e.event_id = ${mine.eventId}::uuid ORDER BY a.attempt`.execute(database.db);
    expect(log.rows).toEqual([
      { attempt: 1, status: 500 },
      { attempt: 2, status: 503 },
      { attempt: 3, status: 200 },
    ]);
  });

  it('a delivery with no attempts left is dead, and stays so', async () => {
    await database.db.transaction().execute((trx) =>
      registerWebhookEndpoint(trx, services.config, {
        ownerKind: 'funder',
        ownerId: 'f-dead',
        url: receiverUrl,
        eventTypes: ['*'],
      }),
    );
    const { eventId } = await publish({
      type: 'test.anything',
      owner: { kind: 'funder', id: 'f-dead' },
      payload: {},
    });
    await sql`UPDATE outbox_deliveries d SET attempts = 12 FROM outbox_events e
              WHERE e.id = d.event_row AND e.event_id = ${eventId}::uuid`.execute(database.db);
    answers.push(500);
    await deliverWebhooks({ services, consumers });
    expect((await deliveriesOf(eventId))[0]?.state).toBe('dead');
  });
});

describe('the dispatcher', () => {
  it('wakes when a publisher commits (no waiting for its poll), and a new one continues what a stopped one left', async () => {
    const arrived = new Promise<void>((resolve) => {
      onReceive = resolve;
    });
    await database.db.transaction().execute((trx) =>
      registerWebhookEndpoint(trx, services.config, {
        ownerKind: 'merchant',
        ownerId: 'm-live',
        url: receiverUrl,
        eventTypes: ['test.live'],
      }),
    );
    // A poll an hour apart: only the NOTIFY at commit can start the delivery within this test.
    const dispatcher = await startOutboxDispatcher({
      services,
      consumers,
      connectionString: database.url,
      pollMs: 3_600_000,
    });
    await deliverDue({ services, consumers });
    const before = received.length;
    const { eventId } = await publish({
      type: 'test.live',
      owner: { kind: 'merchant', id: 'm-live' },
      payload: {},
    });
    await arrived;
    onReceive = undefined;
    await dispatcher.stop();
    expect(received.length).toBe(before + 1);
    expect(JSON.parse(received.at(-1)?.body ?? '{}')).toMatchObject({ id: eventId });

    const pending = await publish({ type: 'test.thing-happened', payload: { afterStop: true } });
    const next = await startOutboxDispatcher({
      services,
      consumers,
      connectionString: database.url,
      pollMs: 3_600_000,
    });
    while ((await deliveriesOf(pending.eventId))[0]?.state !== 'delivered')
      await new Promise((r) => setImmediate(r));
    await next.stop();
    expect(effects).toContain(pending.eventId);
  });
});

describe('NATS JetStream (the machine’s, 127.0.0.1:4222)', () => {
  it('receives each event once, deduplicated by event id', async () => {
    const stream = `FENQI_TEST_${crypto.randomUUID().slice(0, 8).toUpperCase()}`;
    const prefix = `fenqitest${crypto.randomUUID().slice(0, 6)}`;
    const sink = await connectNatsSink({
      url: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
      stream,
      subjectPrefix: prefix,
    });
    const event: OutboxEvent = {
      id: crypto.randomUUID(),
      type: 'test.to-nats',
      occurredAt: new Date().toISOString(),
      businessDate: '2026-12-01',
      subject: null,
      data: { n: 1 },
    };
    await sink.publish(event);
    await sink.publish(event);
    await sink.close();
    const { connect } = await import('nats');
    const connection = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
    const manager = await connection.jetstreamManager();
    const info = await manager.streams.info(stream);
    expect(info.state.messages).toBe(1);
    const message = await manager.streams.getMessage(stream, { seq: 1 });
    expect(message.subject).toBe(`${prefix}.test.to-nats`);
    expect(JSON.parse(new TextDecoder().decode(message.data))).toEqual(event);
    await manager.streams.delete(stream);
    await connection.close();
  });
});
