import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cardAgreementsConsumer } from '../../src/modules/customers/kyc.ts';
import { createLogger } from '../../src/platform/logger.ts';
import { deliverToConsumers, syncSubscriptions } from '../../src/platform/outbox/dispatcher.ts';
import type { Services } from '../../src/platform/services.ts';
import { useSim } from '../channel-sim/support.ts';
import { acceptConsent } from '../customers/support.ts';
import { randomPhone, signInBorrower } from '../iam/support.ts';
import { bindCardThroughChannel, startServerBesideSim } from '../payments/support.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { http, type TestServer } from '../support/server.ts';
import { idNumberBornOn, publishPolicy, riskStaff, testPolicy } from './support.ts';

// The whole onboarding path of one borrower, over HTTP, with the channel simulator as its own
// process: sign in → register (real name verified) → consents → add a card → bind it through the
// channel (SMS code) → card_bound once the event is delivered → apply → approved, and the line is
// the borrower's to see. A bound card is worth 40 points in the test policy: age 35 scores 700.

const fixture = useSim();
let database: TestDatabase;
let server: TestServer;
let services: Services;
const consumers = new Map([[cardAgreementsConsumer.name, cardAgreementsConsumer]]);

beforeAll(async () => {
  database = await createTestDatabase();
  await syncSubscriptions(database.db, [cardAgreementsConsumer], false);
  server = await startServerBesideSim(database, fixture);
  services = { config: server.config, db: database.db, logger: createLogger(server.config) };
}, 60_000);

afterAll(async () => {
  await server?.close();
  await database?.drop();
});

const write = (headers: Record<string, string>) => ({ ...headers, 'idempotency-key': randomUUID() });

describe('onboarding to a credit line', () => {
  it('register → real name → consents → bind a card → apply → approved with a line, card_bound in the snapshot', async () => {
    const staff = await riskStaff(database.db, server.config);
    await publishPolicy(server, staff, testPolicy(1));
    const today = String(
      (await sql<{ d: string }>`SELECT business_date::text AS d FROM business_date`.execute(database.db))
        .rows[0]?.d,
    );
    const borrower = await signInBorrower(database.db, server.config, randomPhone());
    const registered = await http(server.baseUrl, 'POST', '/api/v1/borrower/customers', {
      body: { name: '赵六', idNumber: idNumberBornOn(`${Number(today.slice(0, 4)) - 35}${today.slice(4)}`) },
      headers: write(borrower.headers),
    });
    expect(registered.json).toMatchObject({ kyc: { level: 'real_name' } });
    const customerId = (registered.json as { id: string }).id;
    for (const code of ['privacy_policy', 'credit_bureau_query', 'card_debit_authorization'])
      await acceptConsent(server, borrower, code);

    const card = await http(server.baseUrl, 'POST', `/api/v1/borrower/customers/${customerId}/cards`, {
      body: { cardNumber: '6222020000001357', bankName: '中国建设银行' },
      headers: write(borrower.headers),
    });
    const cardId = (card.json as { id: string }).id;
    await bindCardThroughChannel(server, database, fixture, { borrower, cardId });
    expect(await deliverToConsumers({ services, consumers })).toBe(1);
    const profile = await http(server.baseUrl, 'GET', `/api/v1/borrower/customers/${customerId}`, {
      headers: borrower.headers,
    });
    expect(profile.json).toMatchObject({ kyc: { level: 'card_bound' } });

    const application = await http(server.baseUrl, 'POST', '/api/v1/borrower/credit-applications', {
      body: { deviceId: 'device-onboarding-01' },
      headers: write(borrower.headers),
    });
    expect(application.json).toMatchObject({
      status: 'approved',
      limitMinor: '5000000',
      decision: { outcome: 'approve', score: 700, grade: 'A' },
    });
    const { id: applicationId, lineId } = application.json as { id: string; lineId: string };
    const snapshot = await sql<{ features: string }>`
      SELECT features FROM risk_snapshots WHERE application_id = ${applicationId}`.execute(database.db);
    expect(JSON.parse(snapshot.rows[0]?.features ?? '{}')).toMatchObject({
      age: 35,
      kycLevel: 'card_bound',
      cardBound: true,
      exposure: '0',
      capHeadroom: '20000000',
      linesHeld: 0,
      applications1d: 0,
      blacklisted: false,
    });
    const lines = await http(server.baseUrl, 'GET', '/api/v1/borrower/credit-lines', {
      headers: borrower.headers,
    });
    expect(lines.status, lines.text).toBe(200);
    expect(JSON.stringify(lines.json)).toContain(lineId);
    expect(JSON.stringify(lines.json)).toContain('5000000');
  });
});
