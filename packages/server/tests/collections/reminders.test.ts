import type { LocalDate } from '@fenqi/core';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addTarget } from '../../src/modules/collections/contacts.ts';
import { sendDueReminders } from '../../src/modules/collections/service.ts';
import { createLogger } from '../../src/platform/logger.ts';
import type { Services } from '../../src/platform/services.ts';
import { createStaff, signIn } from '../iam/support.ts';
import type { SeededLoan } from '../servicing/seed.ts';
import { closeDaysThrough, startOn } from '../servicing/support.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { caseOfLoan, count, deliver, seedLoans, staff, subscribe } from './support.ts';

// The strategies' automated SMS reminders: sent once per step to the debtor's own number, checked
// by the same conduct rules as an agent's attempt (refused at night and logged, tried again in the
// day), and handed to notifications in the attempt's transaction.

let database: TestDatabase;
let server: TestServer;
let services: Services;
let reachable: SeededLoan;
let noNumber: SeededLoan;
// 23:00 and 10:00 in Asia/Shanghai on 2026-04-12.
const night = new Date('2026-04-12T15:00:00Z');
const morning = new Date('2026-04-13T02:00:00Z');

beforeAll(async () => {
  database = await createTestDatabase();
  await startOn(database.db, '2026-03-01');
  await subscribe(database.db);
  server = await startTestServer(database, { accessControl: 'iam' });
  services = { config: server.config, db: database.db, logger: createLogger(server.config) };
  const operator = await signIn(
    database.db,
    server.config,
    await createStaff(database.db, server.config, ['operator']),
  );
  const manage = staff(server, operator);
  expect(
    (await manage.send('POST', '/api/v1/collections/queues', { code: 'm1-auto', name: 'M1' })).status,
  ).toBe(201);
  const strategy = await manage.send('POST', '/api/v1/collections/strategies', {
    code: 'reminders',
    definition: {
      rules: [
        {
          buckets: ['M1'],
          queue: 'm1-auto',
          handler: 'automated',
          steps: [
            { dpdFrom: 1, action: 'sms_reminder', channel: 'sms' },
            { dpdFrom: 15, action: 'agent_call', channel: 'voice' },
          ],
        },
      ],
    },
  });
  expect(strategy.status, strategy.text).toBe(201);
  expect(
    (await manage.send('POST', '/api/v1/collections/strategies/reminders/versions/1/publish')).status,
  ).toBe(200);
  [reachable, noNumber] = (await seedLoans(database.db, '2026-03-01' as LocalDate, 2)) as [
    SeededLoan,
    SeededLoan,
  ];
  // Ten days past the 2026-04-01 due date on the last closed date: M1, the SMS step reached.
  await closeDaysThrough(database.db, '2026-04-11');
  await deliver(server, database.db);
  await database.db.transaction().execute((trx) =>
    addTarget(trx, server.config, {
      customerId: reachable.customerId,
      role: 'debtor',
      relation: 'self',
      phone: '13800138000',
      source: 'customers',
      createdBy: 'test',
      ifExists: 'refuse',
    }),
  );
}, 240_000);

afterAll(async () => {
  await server?.close();
  await database?.drop();
});

const attempts = async (loan: SeededLoan) => {
  const found = await sql<{
    channel: string;
    outcome: string;
    refused_rule: string | null;
    agent_id: string;
  }>`
    SELECT a.channel, a.outcome, a.refused_rule, a.agent_id FROM collections_contact_attempts a
    JOIN collections_cases k ON k.id = a.case_id WHERE k.loan_id = ${loan.loanId} ORDER BY a.at, a.id`.execute(
    database.db,
  );
  return found.rows;
};

const reminders = () =>
  count(database.db, 'notifications', sql`template = 'overdue' AND dedupe_key LIKE 'collections-reminder:%'`);

describe('strategy reminders', () => {
  it('refuses the reminder at 23:00 the debtor’s time, logs the refusal and sends nothing', async () => {
    expect(await sendDueReminders(services, night)).toEqual({ cases: 2, sent: 0, refused: 1, skipped: 1 });
    expect(await attempts(reachable)).toEqual([
      {
        channel: 'sms',
        outcome: 'refused',
        refused_rule: 'quiet_hours',
        agent_id: 'system:collections-strategy',
      },
    ]);
    expect(await reminders()).toBe(0);
    // A debtor without a number of their own is not reminded through anyone else.
    expect(await attempts(noNumber)).toEqual([]);
  });

  it('sends it in the morning through notifications, once however often the job runs', async () => {
    expect(await sendDueReminders(services, morning)).toEqual({ cases: 2, sent: 1, refused: 0, skipped: 1 });
    expect(await sendDueReminders(services, new Date(morning.getTime() + 3_600_000))).toEqual({
      cases: 2,
      sent: 0,
      refused: 0,
      skipped: 1,
    });
    expect((await attempts(reachable)).map((a) => `${a.channel} ${a.outcome}`)).toEqual([
      'sms refused',
      'sms sent',
    ]);
    expect(await reminders()).toBe(1);
    const message = await sql<{ customer_id: string; status: string; body: string }>`
      SELECT customer_id, status, body FROM notifications WHERE dedupe_key LIKE 'collections-reminder:%'`.execute(
      database.db,
    );
    expect(message.rows[0]).toMatchObject({ customer_id: reachable.customerId, status: 'queued' });
    expect(message.rows[0]?.body).toContain('已逾期10天');
    // An automated queue has no agent: the reminder does not make the case worked by someone.
    expect((await caseOfLoan(database.db, reachable.loanId))?.state).toBe('unassigned');
  });
});
