import { describe, expect, it } from 'vitest';
import { http, useTestServer } from '../support/server.ts';
import { createMerchantClient, createStaff, signedHeaders, signIn } from './support.ts';

const { database, server } = useTestServer({
  accessControl: 'iam',
});

const get = (path: string, headers: Record<string, string>) => http(server.baseUrl, 'GET', path, { headers });

function expectSignatureInvalid(response: Awaited<ReturnType<typeof get>>, detail: string) {
  expect(response.status).toBe(401);
  expect(response.json).toMatchObject({
    code: 'signature_invalid',
    title: 'The request signature is not valid',
    detail,
  });
}

describe('signed merchant and funder requests', () => {
  it('a correctly signed request is served, as the key owner', async () => {
    const client = await createMerchantClient(database.db, server.config, 'shop-a');
    const path = '/api/v1/partner/api-keys';
    const response = await get(path, signedHeaders(client, 'GET', path, ''));
    expect(response.status).toBe(200);
    expect(response.json).toEqual([
      expect.objectContaining({
        id: client.id,
        keyId: client.keyId,
        ownerKind: 'merchant',
        ownerId: 'shop-a',
      }),
    ]);
    expect(response.text).not.toContain(client.secret);
  });

  it('a replayed request (same nonce) is 401', async () => {
    const client = await createMerchantClient(database.db, server.config);
    const path = '/api/v1/partner/api-keys';
    const headers = signedHeaders(client, 'GET', path, '');
    expect((await get(path, headers)).status).toBe(200);
    expectSignatureInvalid(await get(path, headers), 'This nonce was already used: the request is a replay.');
  });

  it('a stale or future timestamp (outside 5 minutes) is 401, even with a valid signature', async () => {
    const client = await createMerchantClient(database.db, server.config);
    const path = '/api/v1/partner/api-keys';
    // A minute of margin each side of the 300 s window, so a second boundary passing between
    // reading the clock here and the server reading its own cannot move a case across the line.
    const now = Math.floor(Date.now() / 1000);
    for (const timestamp of [now - 360, now + 360]) {
      expectSignatureInvalid(
        await get(path, signedHeaders(client, 'GET', path, '', { timestamp })),
        "The timestamp is more than 300 s from the server's clock.",
      );
    }
    expect((await get(path, signedHeaders(client, 'GET', path, '', { timestamp: now - 240 }))).status).toBe(
      200,
    );
  });

  it('a signature over another path, method or body, or with another secret, is 401', async () => {
    const client = await createMerchantClient(database.db, server.config);
    const other = await createMerchantClient(database.db, server.config);
    const path = `/api/v1/partner/api-keys/${client.id}`;
    const cases = [
      signedHeaders(client, 'GET', '/api/v1/partner/api-keys', ''),
      signedHeaders(client, 'POST', path, ''),
      signedHeaders(client, 'GET', path, '{"x":1}'),
      { ...signedHeaders(other, 'GET', path, ''), 'x-fenqi-key': client.keyId },
    ];
    for (const headers of cases)
      expectSignatureInvalid(await get(path, headers), 'The signature does not match the request.');
    expectSignatureInvalid(
      await get(path, { 'x-fenqi-key': client.keyId }),
      'Send all of x-fenqi-key, x-fenqi-timestamp, x-fenqi-nonce, x-fenqi-signature.',
    );
  });

  it('a revoked key is refused at once', async () => {
    const client = await createMerchantClient(database.db, server.config);
    const admin = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['admin']),
    );
    const revoked = await http(server.baseUrl, 'POST', `/api/v1/iam/api-clients/${client.id}/revoke`, {
      headers: { ...admin.headers(), 'idempotency-key': crypto.randomUUID() },
    });
    expect(revoked.status).toBe(200);
    const path = '/api/v1/partner/api-keys';
    expectSignatureInvalid(
      await get(path, signedHeaders(client, 'GET', path, '')),
      'The API key is unknown or revoked.',
    );
  });

  it("a merchant reading another merchant's resource gets 404; its own is served", async () => {
    const a = await createMerchantClient(database.db, server.config, 'merchant-a');
    const b = await createMerchantClient(database.db, server.config, 'merchant-b');
    const theirs = `/api/v1/partner/api-keys/${a.id}`;
    const response = await get(theirs, signedHeaders(b, 'GET', theirs, ''));
    expect(response.status).toBe(404);
    expect(response.json).toMatchObject({ code: 'not_found', detail: `There is no API key ${a.id}.` });
    const own = `/api/v1/partner/api-keys/${b.id}`;
    expect((await get(own, signedHeaders(b, 'GET', own, ''))).json).toMatchObject({
      id: b.id,
      ownerId: 'merchant-b',
    });
    const list = await get(
      '/api/v1/partner/api-keys',
      signedHeaders(b, 'GET', '/api/v1/partner/api-keys', ''),
    );
    expect((list.json as { id: string }[]).map((key) => key.id)).toEqual([b.id]);
  });

  it('the API secret is shown once at creation and stored only encrypted', async () => {
    const admin = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['admin']),
    );
    const created = await http(server.baseUrl, 'POST', '/api/v1/iam/api-clients', {
      body: { ownerKind: 'funder', ownerId: 'bank-1', name: 'Co-lending bank' },
      headers: admin.headers(),
    });
    expect(created.status).toBe(201);
    const { secret, id } = created.json as { secret: string; id: string };
    expect(secret).toMatch(/^fqs_[A-Za-z0-9_-]{43}$/);
    const row = await database.tables
      .selectFrom('api_clients')
      .select('secret_enc')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.secret_enc).toMatch(/^fq1\./);
    expect(row.secret_enc).not.toContain(secret.slice(4));
    const listed = await http(server.baseUrl, 'GET', '/api/v1/iam/api-clients', {
      headers: admin.headers(false),
    });
    expect(listed.text).not.toContain(secret);
  });
});
