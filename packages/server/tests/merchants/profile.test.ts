import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../../src/modules/iam/partners.ts';
import { createMerchantClient, createStaff, type StaffCredentials, signIn } from '../iam/support.ts';
import { useTestServer } from '../support/server.ts';
import { onboardMerchant, signedCall, staffCall } from './support.ts';

// A merchant reads its own profile with its signed API key: the scope is the key's owner, so a
// merchant sees only itself, whatever it sends.

const { database, server } = useTestServer({ accessControl: 'iam' });
let admin: StaffCredentials;

beforeAll(async () => {
  admin = await signIn(database.db, server.config, await createStaff(database.db, server.config, ['admin']));
});

const profilePath = '/api/v1/merchant/profile';

describe('GET /api/v1/merchant/profile', () => {
  it("answers the key's own merchant, masked and without staff notes; another merchant's key sees only itself", async () => {
    const a = await onboardMerchant(server, admin, { name: '甲商户', scenario: 'electronics_3c' });
    const b = await onboardMerchant(server, admin.headers(), { name: '乙商户', scenario: 'home_renovation' });
    const seenByA = await signedCall(server, a, 'GET', profilePath);
    expect(seenByA.status, seenByA.text).toBe(200);
    const { statusReason, statusChangedAt, statusHistory, ...merchantA } = a.merchant;
    expect(statusReason).toBe('contract signed');
    expect(statusChangedAt).toEqual(expect.any(String));
    expect(statusHistory).toHaveLength(1);
    expect(seenByA.json).toEqual(merchantA);
    expect(seenByA.json).toMatchObject({
      id: a.merchantId,
      name: '甲商户',
      status: 'active',
      scenarioLabel: { zh: '3C数码', en: '3C electronics' },
      settlementAccountMasked: expect.stringMatching(/^\d{6}\*+\d{4}$/),
    });
    expect(seenByA.text).not.toContain('contract signed');

    const seenByB = await signedCall(server, b, 'GET', profilePath);
    expect(seenByB.json).toMatchObject({
      id: b.merchantId,
      name: '乙商户',
      scenarioLabel: { zh: '家装', en: 'Home renovation' },
    });
    expect(seenByB.text).not.toContain(a.merchantId);
    // A query string naming the other merchant changes nothing: the scope is the key's owner.
    const probing = await signedCall(server, b, 'GET', `${profilePath}?merchantId=${a.merchantId}`);
    expect(probing.status).toBe(200);
    expect(probing.json).toMatchObject({ id: b.merchantId });
    expect(probing.text).not.toContain('甲商户');
  });

  it('a suspended merchant still reads its profile, and sees that it is suspended', async () => {
    const m = await onboardMerchant(server, admin);
    const suspended = await staffCall(server, admin, 'POST', `/api/v1/merchants/${m.merchantId}/suspend`, {
      reason: 'chargebacks',
    });
    expect(suspended.status).toBe(200);
    const seen = await signedCall(server, m, 'GET', profilePath);
    expect(seen.json).toMatchObject({ id: m.merchantId, status: 'suspended' });
    expect(seen.text).not.toContain('chargebacks');
  });

  it('a key whose owner is no merchant finds nothing (404); a funder key is refused (403)', async () => {
    for (const ownerId of ['shop-without-record', randomUUID()]) {
      const stray = await createMerchantClient(database.db, server.config, ownerId);
      const response = await signedCall(server, stray, 'GET', profilePath);
      expect(response.status, ownerId).toBe(404);
      expect(response.json).toMatchObject({
        code: 'not_found',
        detail: 'There is no merchant for this API key.',
      });
    }
    const funder = await database.db.transaction().execute((trx) =>
      createApiClient(trx, server.config, {
        ownerKind: 'funder',
        ownerId: 'bank-1',
        name: 'co-lender',
        actor: { kind: 'staff', id: randomUUID() },
        origin: { ip: null, requestId: null },
      }),
    );
    const refused = await signedCall(server, funder, 'GET', profilePath);
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({
      code: 'forbidden',
      detail: "Only a merchant's API key can read a merchant profile.",
    });
  });

  it('staff and unsigned callers cannot use it; a merchant key cannot use the staff routes', async () => {
    const m = await onboardMerchant(server, admin);
    const asStaff = await staffCall(server, admin, 'GET', profilePath);
    expect(asStaff.status).toBe(403);
    const asMerchant = await signedCall(server, m, 'GET', `/api/v1/merchants/${m.merchantId}`);
    expect(asMerchant.status).toBe(403);
    expect(asMerchant.json).toMatchObject({
      code: 'forbidden',
      detail: 'This needs the staff permission merchants:read.',
    });
    const unmask = await signedCall(
      server,
      m,
      'GET',
      `/api/v1/merchants/${m.merchantId}/settlement-account?reason=mine please`,
    );
    expect(unmask.status).toBe(403);
  });

  it('signedCall signs bodies and sends an Idempotency-Key: the merchant registers its own webhook endpoint', async () => {
    const m = await onboardMerchant(server, admin);
    const registered = await signedCall(server, m, 'POST', '/api/v1/partner/webhook-endpoints', {
      url: 'https://shop.example.com/fenqi/events',
      eventTypes: ['merchants.suspended', 'merchants.reinstated'],
    });
    expect(registered.status, registered.text).toBe(201);
    expect(registered.json).toMatchObject({
      ownerKind: 'merchant',
      ownerId: m.merchantId,
      eventTypes: ['merchants.reinstated', 'merchants.suspended'],
      secret: expect.stringMatching(/^fqw_/),
    });
    // A suspension is then delivered to it (a delivery row for the endpoint), without the reason.
    await staffCall(server, admin, 'POST', `/api/v1/merchants/${m.merchantId}/suspend`, {
      reason: 'audit pending',
    });
    const deliveries = await database.tables
      .selectFrom('outbox_deliveries as d')
      .innerJoin('outbox_events as e', 'e.id', 'd.event_row')
      .select(['e.type', 'd.consumer'])
      .where('e.subject_id', '=', m.merchantId)
      .where('d.consumer', 'like', 'webhook:%')
      .execute();
    expect(deliveries).toEqual([
      { type: 'merchants.suspended', consumer: `webhook:${(registered.json as { id: string }).id}` },
    ]);
  });
});
