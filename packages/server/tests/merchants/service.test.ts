import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  merchantById,
  merchantForOrders,
  merchantSettlementAccount,
} from '../../src/modules/merchants/service.ts';
import { createStaff, type StaffCredentials, signIn } from '../iam/support.ts';
import { failure } from '../support/failure.ts';
import { useTestServer } from '../support/server.ts';
import { merchantBody, onboardMerchant, staffCall } from './support.ts';

// What other modules call: the merchant by id, the merchant only while it may create orders, and
// its settlement account decrypted for a payout.

const { database, server } = useTestServer({ accessControl: 'iam' });
let admin: StaffCredentials;

beforeAll(async () => {
  admin = await signIn(database.db, server.config, await createStaff(database.db, server.config, ['admin']));
});

describe('merchantForOrders', () => {
  it('answers an active merchant as the contract types it', async () => {
    const m = await onboardMerchant(server, admin, {
      discountRate: '0.0125',
      productCodes: ['edu-12', 'edu-6'],
    });
    const merchant = await merchantForOrders(database.db, m.merchantId);
    expect(merchant).toEqual({
      id: m.merchantId,
      name: '乐学教育',
      legalName: '深圳市乐学教育科技有限公司',
      scenario: 'education',
      socialCreditCode: m.merchant.socialCreditCode,
      status: 'active',
      discountRate: '0.0125',
      productCodes: ['edu-12', 'edu-6'],
      settlementAccountMasked: m.merchant.settlementAccountMasked,
      settlementBankName: '招商银行深圳分行',
      createdAt: expect.any(Date),
      updatedAt: expect.any(Date),
    });
  });

  it('refuses a suspended merchant and an onboarding one: merchant_not_active; merchantById still answers', async () => {
    const m = await onboardMerchant(server, admin);
    expect(
      (
        await staffCall(server, admin, 'POST', `/api/v1/merchants/${m.merchantId}/suspend`, {
          reason: 'fraud',
        })
      ).status,
    ).toBe(200);
    expect(await failure(() => merchantForOrders(database.db, m.merchantId))).toEqual({
      code: 'merchant_not_active',
      detail: `Merchant ${m.merchantId} is suspended: it cannot create orders.`,
      extensions: { merchantStatus: 'suspended' },
    });
    expect(await merchantById(database.db, m.merchantId)).toMatchObject({
      id: m.merchantId,
      status: 'suspended',
    });

    const onboarding = await staffCall(server, admin, 'POST', '/api/v1/merchants', merchantBody());
    const id = (onboarding.json as { id: string }).id;
    expect(await failure(() => merchantForOrders(database.db, id))).toMatchObject({
      code: 'merchant_not_active',
      extensions: { merchantStatus: 'onboarding' },
    });
    // Reinstated, it may create orders again.
    await staffCall(server, admin, 'POST', `/api/v1/merchants/${m.merchantId}/reinstate`, {
      reason: 'cleared',
    });
    expect(await merchantForOrders(database.db, m.merchantId)).toMatchObject({ status: 'active' });
  });

  it('is not_found for an unknown id and for one that is no uuid (an API key owner id, say)', async () => {
    for (const id of [randomUUID(), 'shop-a', ''])
      for (const call of [merchantForOrders, merchantById])
        expect(await failure(() => call(database.db, id))).toEqual({
          code: 'not_found',
          detail: `There is no merchant ${id}.`,
        });
  });

  it('in a transaction holds a share lock, so a suspension waits for the order being made', async () => {
    const m = await onboardMerchant(server, admin);
    await database.db.transaction().execute(async (trx) => {
      await merchantForOrders(trx, m.merchantId);
      const locked = await database.pool.connect();
      try {
        await expect(
          locked.query('SELECT id FROM merchants WHERE id = $1 FOR UPDATE NOWAIT', [m.merchantId]),
        ).rejects.toMatchObject({ code: '55P03' });
        // Another order's share lock is granted at once.
        const shared = await locked.query('SELECT id FROM merchants WHERE id = $1 FOR SHARE NOWAIT', [
          m.merchantId,
        ]);
        expect(shared.rowCount).toBe(1);
      } finally {
        locked.release();
      }
    });
  });
});

describe('merchantSettlementAccount', () => {
  it('decrypts the account for the payout', async () => {
    const m = await onboardMerchant(server, admin, {
      settlementAccount: {
        accountName: '深圳市乐学教育科技有限公司',
        accountNo: '6222 0000 1111 2222 333',
        bankName: '招商银行',
      },
    });
    expect(await merchantSettlementAccount(database.db, server.config, m.merchantId)).toEqual({
      accountName: '深圳市乐学教育科技有限公司',
      accountNo: '6222000011112222333',
      bankName: '招商银行',
    });
  });

  it('a ciphertext copied to another merchant does not decrypt there (it is bound to its row)', async () => {
    const a = await onboardMerchant(server, admin);
    const b = await onboardMerchant(server, admin);
    // Both columns, so the data key is the right one: only the context (table, column, row) differs.
    await sql`
      UPDATE merchants AS b
      SET settlement_account_no_enc = a.settlement_account_no_enc,
          settlement_account_name_enc = a.settlement_account_name_enc
      FROM merchants AS a
      WHERE a.id = ${a.merchantId} AND b.id = ${b.merchantId}`.execute(database.db);
    await expect(merchantSettlementAccount(database.db, server.config, b.merchantId)).rejects.toThrow(
      'Unsupported state or unable to authenticate data',
    );
  });

  it('is not_found for a merchant without an account', async () => {
    const created = await staffCall(
      server,
      admin,
      'POST',
      '/api/v1/merchants',
      merchantBody({ settlementAccount: undefined }),
    );
    const id = (created.json as { id: string }).id;
    expect(await failure(() => merchantSettlementAccount(database.db, server.config, id))).toEqual({
      code: 'not_found',
      detail: `Merchant ${id} has no settlement account yet.`,
    });
  });
});
