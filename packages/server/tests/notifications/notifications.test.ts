import { formatMinor, type LocalDate, loanTerms } from '@fenqi/core';
import { Decimal } from 'decimal.js';
import { describe, expect, it } from 'vitest';
import {
  contractSignedConsumer,
  dueReminderConsumer,
  overdueConsumer,
} from '../../src/modules/notifications/consumers.ts';
import {
  dispatchDueNotifications,
  enqueueNotification,
  enqueueNotifications,
  failSimulatedDeliveriesTo,
  notificationByKey,
  TemplateVariablesError,
} from '../../src/modules/notifications/service.ts';
import type { DB } from '../../src/platform/db.ts';
import type { OutboxEvent } from '../../src/platform/outbox/event.ts';
import { createStaff, signIn } from '../iam/support.ts';
import { seedLoan } from '../servicing/seed.ts';
import { closeDaysThrough, startOn } from '../servicing/support.ts';
import { http, useTestServer } from '../support/server.ts';
import { outboxEvents, seedCustomer, servicesFor } from './support.ts';

// The notification service against PostgreSQL: quiet hours decided by the injected wall clock,
// one-time codes never held, one row per dedupe key, the simulated provider's deliveries and
// failures recorded with notifications.delivered published, servicing events turned into exactly
// one message each, and the staff log masked and guarded by notifications:read.

// Shanghai is UTC+8: 10:00 local is 02:00Z.
let wall = new Date('2026-03-10T02:00:00Z');
const { database, server } = useTestServer({
  accessControl: 'iam',
  clock: () => wall,
  prepare: (db) => startOn(db.db, '2026-01-01'),
});

const services = () => ({ ...servicesFor(database.db, server.config), clock: () => wall });
let keys = 0;
const key = (label: string) => `test:${label}:${++keys}:${Math.random()}`;

async function enqueueAt(now: string, input: Partial<Parameters<typeof enqueueNotification>[1]> = {}) {
  const customerId = input.customerId ?? (await seedCustomer(database.db, server.config)).customerId;
  return database.db.transaction().execute((trx) =>
    enqueueNotification(trx, {
      dedupeKey: key('enqueue'),
      template: 'paid_off',
      customerId,
      variables: { loanNo: 'L1', closedOn: '2026-03-10' },
      now: new Date(now),
      ...input,
    }),
  );
}

const row = (id: string) =>
  database.tables.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
const count = async (table: 'notifications' | 'notification_status_history') =>
  Number(
    (
      await database.tables
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

/** Sends what is due at `now`, the message under test first among them. */
const dispatchAt = (now: string) => dispatchDueNotifications(services(), new Date(now), 1000);

describe('quiet hours', () => {
  it('queues a message enqueued at 21:59 Shanghai time to go at once', async () => {
    const queued = await enqueueAt('2026-03-10T13:59:00Z');
    expect(queued.status).toBe('queued');
    expect((await row(queued.id)).not_before).toEqual(new Date('2026-03-10T13:59:00Z'));
  });

  it('defers a message enqueued at 22:00 Shanghai time to 08:00 the next morning', async () => {
    const deferred = await enqueueAt('2026-03-10T14:00:00Z');
    expect(deferred.status).toBe('deferred');
    expect((await row(deferred.id)).not_before).toEqual(new Date('2026-03-11T00:00:00Z'));
  });

  it('defers a message enqueued at 07:59 Shanghai time to 08:00 that morning', async () => {
    const deferred = await enqueueAt('2026-03-10T23:59:00Z');
    expect(deferred.status).toBe('deferred');
    expect((await row(deferred.id)).not_before).toEqual(new Date('2026-03-11T00:00:00Z'));
  });

  it('queues a message enqueued at 08:00 Shanghai time', async () => {
    expect((await enqueueAt('2026-03-11T00:00:00Z')).status).toBe('queued');
  });

  it('keeps the recipient’s own zone when the message names one', async () => {
    // 21:00 in Shanghai is 22:00 in Tokyo.
    const deferred = await enqueueAt('2026-03-10T13:00:00Z', {
      variables: { loanNo: 'L1', closedOn: '2026-03-10', timeZone: 'Asia/Tokyo' },
    });
    expect(deferred.status).toBe('deferred');
    expect((await row(deferred.id)).not_before).toEqual(new Date('2026-03-10T23:00:00Z'));
  });

  it('sends a deferred message at 08:00 and not before', async () => {
    const deferred = await enqueueAt('2026-03-12T15:00:00Z');
    await dispatchAt('2026-03-12T23:59:59Z');
    expect((await row(deferred.id)).status).toBe('deferred');
    await dispatchAt('2026-03-13T00:00:00Z');
    expect((await row(deferred.id)).status).toBe('delivered');
  });

  it('defers again a queued message whose dispatch comes after 22:00', async () => {
    const queued = await enqueueAt('2026-03-14T13:59:00Z');
    await dispatchAt('2026-03-14T14:05:00Z');
    const after = await row(queued.id);
    expect([after.status, after.not_before]).toEqual(['deferred', new Date('2026-03-15T00:00:00Z')]);
  });

  it('never holds a one-time code: at 23:00 it is queued, sent and logged without the code', async () => {
    const phone = '13912345678';
    const otp = await enqueueAt('2026-03-10T15:00:00Z', {
      template: 'otp',
      customerId: null,
      phone,
      variables: { code: '482913', minutes: '5' },
      config: server.config,
    });
    expect(otp.status).toBe('queued');
    await dispatchAt('2026-03-10T15:00:01Z');
    const sent = await row(otp.id);
    expect(sent.status).toBe('delivered');
    expect(sent.phone_masked).toBe('139****5678');
    expect(sent.body).toBe(
      '【Fenqi】您的验证码为******，5分钟内有效。请勿将验证码告知他人，Fenqi工作人员不会向您索取验证码。',
    );
    expect(JSON.stringify(sent)).not.toContain('482913');
    expect(JSON.stringify(sent)).not.toContain(phone);
  });
});

describe('enqueueNotification', () => {
  it('makes one row for a dedupe key enqueued twice, returning the first', async () => {
    const { customerId } = await seedCustomer(database.db, server.config);
    const dedupeKey = key('dedupe');
    const before = await count('notifications');
    const first = await enqueueAt('2026-03-10T02:00:00Z', { dedupeKey, customerId });
    const second = await enqueueAt('2026-03-10T03:00:00Z', { dedupeKey, customerId });
    expect(second).toEqual({ id: first.id, status: 'queued', created: false });
    expect(first.created).toBe(true);
    expect(await count('notifications')).toBe(before + 1);
  });

  it('refuses a missing variable and writes nothing', async () => {
    const before = [await count('notifications'), await count('notification_status_history')];
    await expect(enqueueAt('2026-03-10T02:00:00Z', { variables: { loanNo: 'L1' } })).rejects.toThrow(
      new TemplateVariablesError('paid_off', ['variable closedOn is missing']),
    );
    expect([await count('notifications'), await count('notification_status_history')]).toEqual(before);
  });

  it('refuses to send a debt message to a number the caller names instead of the customer’s own', async () => {
    await expect(
      enqueueAt('2026-03-10T02:00:00Z', { phone: '13800000000', config: server.config }),
    ).rejects.toThrow("only otp may be sent to an explicit phone; paid_off goes to the customer's own");
  });
});

describe('enqueueNotifications (a batch)', () => {
  it('enqueues many messages as the single call does: rendered, deferred in quiet hours, a known key answering the first', async () => {
    const a = (await seedCustomer(database.db, server.config)).customerId;
    const b = (await seedCustomer(database.db, server.config)).customerId;
    const earlier = await enqueueAt('2026-03-10T02:00:00Z', { customerId: a });
    const dedupeKey = (await row(earlier.id)).dedupe_key;
    const before = [await count('notifications'), await count('notification_status_history')];
    const message = (customerId: string, key: string, now: string) => ({
      dedupeKey: key,
      template: 'paid_off' as const,
      customerId,
      variables: { loanNo: 'L9', closedOn: '2026-03-10' },
      now: new Date(now),
    });
    const results = await database.db.transaction().execute((trx) =>
      enqueueNotifications(trx, [
        message(b, key('batch'), '2026-03-10T02:00:00Z'),
        message(a, dedupeKey, '2026-03-10T02:00:00Z'),
        // 23:00 in Shanghai: held to 08:00, as one message would be.
        message(b, key('batch'), '2026-03-10T15:00:00Z'),
      ]),
    );
    expect(results.map((r) => [r.status, r.created])).toEqual([
      ['queued', true],
      ['queued', false],
      ['deferred', true],
    ]);
    expect(results[1]?.id).toBe(earlier.id);
    expect([await count('notifications'), await count('notification_status_history')]).toEqual([
      (before[0] ?? 0) + 2,
      (before[1] ?? 0) + 2,
    ]);
    const deferred = await row(results[2]?.id ?? '');
    expect(deferred.not_before.toISOString()).toBe('2026-03-11T00:00:00.000Z');
    expect(deferred.body).toBe((await row(results[0]?.id ?? '')).body);
  });

  it('refuses a batch with a missing variable and writes nothing', async () => {
    const customerId = (await seedCustomer(database.db, server.config)).customerId;
    const before = [await count('notifications'), await count('notification_status_history')];
    await expect(
      database.db.transaction().execute((trx) =>
        enqueueNotifications(trx, [
          {
            dedupeKey: key('ok'),
            template: 'paid_off',
            customerId,
            variables: { loanNo: 'L1', closedOn: '2026-03-10' },
            now: wall,
          },
          { dedupeKey: key('bad'), template: 'paid_off', customerId, variables: { loanNo: 'L1' }, now: wall },
        ]),
      ),
    ).rejects.toThrow(new TemplateVariablesError('paid_off', ['variable closedOn is missing']));
    expect([await count('notifications'), await count('notification_status_history')]).toEqual(before);
  });
});

describe('dispatchDueNotifications with the simulated provider', () => {
  it('delivers to the customer’s own phone, records the delivery and publishes notifications.delivered', async () => {
    const { customerId, phone } = await seedCustomer(database.db, server.config, { phone: '13812345678' });
    const dedupeKey = key('deliver');
    const queued = await enqueueAt('2026-03-20T02:00:00Z', { dedupeKey, customerId });
    const counts = await dispatchAt('2026-03-20T02:00:00Z');
    expect(counts.delivered).toBeGreaterThanOrEqual(1);
    const sent = await row(queued.id);
    expect(sent).toMatchObject({
      status: 'delivered',
      phone_masked: '138****5678',
      provider: 'simulated',
      attempts: 1,
      error: null,
      sent_at: new Date('2026-03-20T02:00:00Z'),
      delivered_at: new Date('2026-03-20T02:00:00Z'),
      body: '【Fenqi】尊敬的客户，您的借款L1已于2026-03-10全部结清，感谢您选择Fenqi。',
    });
    expect(sent.phone_enc).not.toContain(phone);
    const simulated = await database.tables
      .selectFrom('notification_simulated_deliveries')
      .selectAll()
      .where('notification_id', '=', queued.id)
      .executeTakeFirstOrThrow();
    expect(simulated).toMatchObject({
      provider_message_id: sent.provider_message_id,
      phone_masked: '138****5678',
      status: 'delivered',
    });
    const delivered = (await outboxEvents(database.db, 'notifications.delivered')).filter(
      (e) => e.data.notificationId === queued.id,
    );
    expect(delivered.map((e) => e.data)).toEqual([
      { notificationId: queued.id, dedupeKey, template: 'paid_off', customerId },
    ]);
    expect(await notificationByKey(database.db, dedupeKey)).toEqual({
      id: queued.id,
      status: 'delivered',
      deliveredAt: new Date('2026-03-20T02:00:00Z'),
    });
    const history = await database.tables
      .selectFrom('notification_status_history')
      .select(['status_from', 'status_to'])
      .where('notification_id', '=', queued.id)
      .orderBy('id')
      .execute();
    expect(history).toEqual([
      { status_from: null, status_to: 'queued' },
      { status_from: 'queued', status_to: 'delivered' },
    ]);
  });

  it('records a refused delivery as failed with the provider’s error, and publishes nothing', async () => {
    const { customerId, phone } = await seedCustomer(database.db, server.config);
    await failSimulatedDeliveriesTo(database.db, server.config, phone, 'MK:0012 number out of service');
    const queued = await enqueueAt('2026-03-21T02:00:00Z', { customerId });
    await dispatchAt('2026-03-21T02:00:00Z');
    expect(await row(queued.id)).toMatchObject({
      status: 'failed',
      error: 'MK:0012 number out of service',
      provider: 'simulated',
      delivered_at: null,
    });
    const events = await outboxEvents(database.db, 'notifications.delivered');
    expect(events.filter((e) => e.data.notificationId === queued.id)).toEqual([]);
  });

  it('fails a message to a customer with no phone on file', async () => {
    const queued = await enqueueAt('2026-03-21T03:00:00Z', { customerId: crypto.randomUUID() });
    await dispatchAt('2026-03-21T03:00:00Z');
    expect((await row(queued.id)).status).toBe('failed');
  });
});

describe('consumers of servicing and loans events', () => {
  const terms = loanTerms({
    principalMinor: 1_200_000n,
    method: 'equal_installment',
    termCount: 12,
    startDate: '2026-01-01' as LocalDate,
    annualRate: new Decimal('0.18'),
  });
  let seeded: Awaited<ReturnType<typeof seedLoan>>;

  const handleTwice = async (consumer: typeof dueReminderConsumer, event: OutboxEvent) => {
    for (let i = 0; i < 2; i++)
      await database.db.transaction().execute((trx) => consumer.handle(trx, event, services()));
  };
  const messagesOf = (customerId: string, template: string) =>
    database.tables
      .selectFrom('notifications')
      .selectAll()
      .where('customer_id', '=', customerId)
      .where('template', '=', template as never)
      .execute();
  const eventsOfLoan = async (db: DB, type: string) =>
    (await outboxEvents(db, type)).filter((e) => e.data.loanId === seeded.loanId);

  it('makes exactly one due-in-three-days SMS from servicing.installment-due-soon delivered twice', async () => {
    seeded = await seedLoan(database.db, terms, { graceDays: 3 });
    await seedCustomer(database.db, server.config, { customerId: seeded.customerId });
    await closeDaysThrough(database.db, '2026-01-29');
    const [event] = await eventsOfLoan(database.db, 'servicing.installment-due-soon');
    if (event === undefined) throw new Error('no servicing.installment-due-soon');
    wall = new Date('2026-01-29T15:30:00Z'); // 23:30 Shanghai: close of business runs at night
    await handleTwice(dueReminderConsumer, event);
    const messages = await messagesOf(seeded.customerId, 'due_soon');
    const first = seeded.schedule.installments[0];
    expect(messages.map((m) => [m.dedupe_key, m.status, m.not_before, m.body])).toEqual([
      [
        `due_soon:${event.id}`,
        'deferred',
        new Date('2026-01-30T00:00:00Z'),
        `【Fenqi】尊敬的客户，您的借款第1期应还${formatMinor(first?.totalMinor ?? 0n, 2)}元，将于2026-02-01到期，请提前确保还款银行卡余额充足。如已还款请忽略。`,
      ],
    ]);
  });

  it('makes one overdue SMS for the first day overdue, not one a day, however often the event comes', async () => {
    await closeDaysThrough(database.db, '2026-02-12');
    const events = await eventsOfLoan(database.db, 'servicing.loan-overdue');
    expect(events.map((e) => e.data.dpd)).toEqual([4]);
    for (const event of events) await handleTwice(overdueConsumer, event);
    const messages = await messagesOf(seeded.customerId, 'overdue');
    expect(messages.map((m) => m.body)).toEqual([
      '【Fenqi】尊敬的客户，您的借款自2026-02-01起已逾期4天，逾期期间将按合同计收罚息。请尽快登录Fenqi App查看应还金额并还款。如已还款请忽略。',
    ]);
  });

  it('makes the contract SMS from loans.loan-disbursed with the loan’s contract number', async () => {
    const event: OutboxEvent = {
      id: crypto.randomUUID(),
      type: 'loans.loan-disbursed',
      occurredAt: new Date().toISOString(),
      businessDate: '2026-01-01',
      subject: { type: 'loan', id: seeded.loanId },
      data: { loanId: seeded.loanId },
    };
    await handleTwice(contractSignedConsumer, event);
    const messages = await messagesOf(seeded.customerId, 'contract_signed');
    expect(messages).toHaveLength(1);
    expect(messages[0]?.body).toMatch(
      /^【Fenqi】尊敬的客户，您的借款合同C-L\d+已签署生效，借款金额12000\.00元，共12期。/,
    );
  });
});

describe('GET /api/v1/notifications', () => {
  it('lists messages with the phone masked to a holder of notifications:read', async () => {
    const { customerId } = await seedCustomer(database.db, server.config, { phone: '13700001234' });
    const queued = await enqueueAt('2026-03-22T02:00:00Z', { customerId });
    await dispatchAt('2026-03-22T02:00:00Z');
    const operator = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['operator']),
    );
    const list = await http(server.baseUrl, 'GET', `/api/v1/notifications?customerId=${customerId}`, {
      headers: operator.headers(false),
    });
    expect(list.status).toBe(200);
    expect(list.text).not.toContain('13700001234');
    const body = list.json as {
      notifications: { id: string; phoneMasked: string; status: string }[];
      next: null;
    };
    expect(body.notifications.map((n) => [n.id, n.phoneMasked, n.status])).toEqual([
      [queued.id, '137****1234', 'delivered'],
    ]);
    const one = await http(server.baseUrl, 'GET', `/api/v1/notifications/${queued.id}`, {
      headers: operator.headers(false),
    });
    expect((one.json as { history: { to: string }[] }).history.map((h) => h.to)).toEqual([
      'queued',
      'delivered',
    ]);
  });

  it('pages newest first with `before`', async () => {
    const { customerId } = await seedCustomer(database.db, server.config);
    const a = await enqueueAt('2026-03-23T02:00:00Z', { customerId });
    const b = await enqueueAt('2026-03-23T02:01:00Z', { customerId });
    const operator = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['collector']),
    );
    const page = (q: string) =>
      http(server.baseUrl, 'GET', `/api/v1/notifications?customerId=${customerId}&limit=1${q}`, {
        headers: operator.headers(false),
      }).then((r) => r.json as { notifications: { id: string }[]; next: string | null });
    const first = await page('');
    expect([first.notifications.map((n) => n.id), first.next]).toEqual([[b.id], b.id]);
    const second = await page(`&before=${first.next}`);
    expect(second.notifications.map((n) => n.id)).toEqual([a.id]);
  });

  it('answers 403 to staff without notifications:read', async () => {
    const analyst = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['risk_analyst']),
    );
    const list = await http(server.baseUrl, 'GET', '/api/v1/notifications', {
      headers: analyst.headers(false),
    });
    expect(list.status).toBe(403);
  });
});
