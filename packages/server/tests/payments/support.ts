import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { freePort, merchantNo, type SimFixture, secret } from '../channel-sim/support.ts';
import type { TestDatabase } from '../support/db.ts';
import { http, startTestServer, type TestServer } from '../support/server.ts';

// Fenqi next to the channel simulator: a server configured to call the file's simulator process
// (and to be called back by it), and the card binding flow a borrower goes through.

export async function startServerBesideSim(
  database: TestDatabase,
  fixture: SimFixture,
  env: Record<string, string> = {},
): Promise<TestServer> {
  const port = await freePort();
  return startTestServer(database, {
    accessControl: 'iam',
    port,
    env: {
      SIM_CHANNEL_URL: fixture.sim.url,
      SIM_MERCHANT_NO: merchantNo,
      SIM_MERCHANT_SECRET: secret,
      PAYMENT_CALLBACK_BASE_URL: `http://127.0.0.1:${port}`,
      PAYMENT_CHANNEL_TIMEOUT_MS: '5000',
      LOG_LEVEL: 'warn',
      ...env,
    },
  });
}

/** Apply (four elements to the channel), read the SMS code as the holder would, confirm: the agreement id. */
export async function bindCardThroughChannel(
  server: TestServer,
  database: TestDatabase,
  fixture: SimFixture,
  who: { borrower: { headers: Record<string, string> }; cardId: string },
): Promise<string> {
  const applied = await http(server.baseUrl, 'POST', '/api/v1/borrower/card-bindings', {
    body: { cardId: who.cardId },
    headers: { ...who.borrower.headers, 'idempotency-key': randomUUID() },
  });
  expect(applied.status, applied.text).toBe(201);
  const bindingId = (applied.json as { id: string }).id;
  const { order_no } = await database.tables
    .selectFrom('payment_card_bindings')
    .select('order_no')
    .where('id', '=', bindingId)
    .executeTakeFirstOrThrow();
  const sms = (await fixture.client.admin('GET', `/admin/sms?orderNo=${order_no}`)).json as {
    smsCode: string;
  };
  const confirmed = await http(
    server.baseUrl,
    'POST',
    `/api/v1/borrower/card-bindings/${bindingId}/confirm`,
    {
      body: { smsCode: sms.smsCode },
      headers: { ...who.borrower.headers, 'idempotency-key': randomUUID() },
    },
  );
  expect(confirmed.status, confirmed.text).toBe(200);
  return (confirmed.json as { agreement: { id: string } }).agreement.id;
}
