import { randomUUID } from 'node:crypto';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSim } from '../channel-sim/support.ts';
import { chromiumPath, screenshot } from '../console/support.ts';
import {
  acceptedLoanId,
  type Borrower,
  borrowerWithLine,
  loanInState,
  staffLoan,
  startWorld,
  until,
  type World,
} from '../loans/support.ts';
import { signedCall, staffCall } from '../merchants/support.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import {
  deliver,
  type RunningSandbox,
  type SandboxOrder,
  sandboxEvents,
  sandboxOrder,
  sandboxState,
  signedDelivery,
  startSandboxFor,
} from './support.ts';

// The merchant sandbox as a real merchant's shop: its own process, talking to a real Fenqi only
// over the public API — signed calls out, verified webhooks in. A shopper buys, a borrower accepts
// at checkout, the payout goes through the channel simulator, and the shop learns its order is
// paid from Fenqi's webhook. Then the webhook endpoint's defences: a forged or stale signature is
// refused and changes nothing, a redelivered event is counted once, a replayed delivery refused.

const fixture = useSim();
let database: TestDatabase;
let world: World;
let sandbox: RunningSandbox;
let borrower: Borrower;

beforeAll(async () => {
  database = await createTestDatabase();
  world = await startWorld(database, fixture);
  sandbox = await startSandboxFor(world);
  borrower = await borrowerWithLine(world, database.db);
}, 120_000);

afterAll(async () => {
  await sandbox?.stop();
  await world?.stop();
  await database?.drop();
});

const form = { 'content-type': 'application/x-www-form-urlencoded' };
const asJson = { accept: 'application/json' };

async function buy(sku: string): Promise<SandboxOrder> {
  const made = await sandbox.call('POST', '/orders', { body: { sku }, headers: asJson });
  expect(made.status, made.text).toBe(201);
  return (made.json as { order: SandboxOrder }).order;
}

const tokenOf = (checkoutUrl: string | null) => String(checkoutUrl).split('/').pop() ?? '';

describe('the shop', () => {
  it('lists its four purchases with their prices, each with a buy-in-installments button', async () => {
    const page = await sandbox.call('GET', '/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    for (const price of ['¥6,800.00', '¥8,800.00', '¥38,000.00', '¥5,999.00'])
      expect(page.text).toContain(price);
    expect([...page.text.matchAll(/data-buy="(\w+)"/g)].map((m) => m[1])).toEqual([
      'course',
      'trip',
      'renovation',
      'phone',
    ]);
    expect(page.text).toContain('分期购买<span class="en">Buy in installments</span>');
  });

  it('sends the shopper to checkout with an order it made at Fenqi by a signed call', async () => {
    const bought = await sandbox.call('POST', '/orders', { rawBody: 'sku=phone', headers: form });
    expect(bought.status, bought.text).toBe(303);
    const location = String(bought.headers.get('location'));
    expect(location).toMatch(new RegExp(`^${world.server.config.loans.checkoutBaseUrl}/[A-Za-z0-9_-]{43}$`));
    const listed = await sandbox.call('GET', '/api/orders');
    const order = (listed.json as { orders: SandboxOrder[] }).orders[0];
    expect(order).toMatchObject({
      status: 'awaiting_checkout',
      checkoutUrl: location,
      amountMinor: '599900',
    });
    // Fenqi has it, as the merchant's, with what the shop sent.
    const atFenqi = await signedCall(
      world.server,
      sandbox.merchant,
      'GET',
      `/api/v1/merchant/orders/${order?.merchantOrderId}`,
    );
    expect(atFenqi.status, atFenqi.text).toBe(200);
    expect(atFenqi.json).toMatchObject({
      order: {
        merchantOrderId: order?.merchantOrderId,
        status: 'open',
        amountMinor: '599900',
        productCode: 'pos-installment',
        items: [{ name: '智能手机 256GB', quantity: 1, unitPriceMinor: '599900' }],
        returnUrl: `${sandbox.url}/sandbox/orders/${order?.merchantOrderId}`,
      },
      checkoutUrl: location,
    });
  });

  it('refuses an item it does not sell, asking Fenqi nothing', async () => {
    const before = await sandboxState(sandbox);
    const refused = await sandbox.call('POST', '/orders', { body: { sku: 'yacht' }, headers: asJson });
    expect(refused.status).toBe(400);
    expect(await sandboxState(sandbox)).toEqual(before);
  });
});

describe('an order from checkout to paid', () => {
  let order: SandboxOrder;
  let loanId: string;

  beforeAll(async () => {
    order = await buy('course');
    loanId = await acceptedLoanId(world, borrower, tokenOf(order.checkoutUrl), 3);
  }, 60_000);

  it('is marked paid when Fenqi’s verified webhook says the loan was disbursed', async () => {
    const paid = await until(async () => {
      const now = await sandboxOrder(sandbox, order.merchantOrderId);
      return now.status === 'paid' ? now : false;
    });
    const change = paid.history.find((c) => c.status === 'paid');
    expect(change?.via).toBe('webhook');
    expect(paid.loanId).toBe(loanId);
    const disbursed = (await sandboxEvents(sandbox)).filter(
      (event) => event.merchantOrderId === order.merchantOrderId && event.type === 'loans.loan-disbursed',
    );
    expect(disbursed).toHaveLength(1);
    expect(disbursed[0]).toMatchObject({ id: change?.eventId, deliveries: 1 });
    expect((await staffLoan(world, loanId)).state).toBe('active');
    const page = await sandbox.call('GET', `/orders/${order.merchantOrderId}`);
    expect(page.text).toContain('<span class="status paid" data-status><span class="zh">已付款</span>');
  });

  it('answers what Fenqi says of the order when asked (a signed GET)', async () => {
    const checked = await sandbox.call('GET', `/api/orders/${order.merchantOrderId}?check=fenqi`);
    expect(checked.status, checked.text).toBe(200);
    expect((checked.json as { fenqi: unknown }).fenqi).toMatchObject({
      status: 200,
      order: { merchantOrderId: order.merchantOrderId, status: 'accepted', loanId },
      loan: { id: loanId, state: 'active', principalMinor: '680000' },
    });
  });

  it('refuses a webhook with a bad signature with 401, and nothing changes', async () => {
    const before = await sandboxState(sandbox);
    const forged = {
      type: 'loans.order-refunded',
      data: { merchantOrderId: order.merchantOrderId, refundKind: 'full' },
    };
    const wrongSecret = signedDelivery(sandbox, forged, { secret: 'fqw_not-the-endpoint-secret' });
    expect((await deliver(sandbox, wrongSecret)).status).toBe(401);
    // Signed right, but the body changed on the way.
    const tampered = signedDelivery(sandbox, forged);
    tampered.body = tampered.body.replace('"full"', '"partial"');
    expect((await deliver(sandbox, tampered)).status).toBe(401);
    // Signed right, ten minutes ago.
    const stale = signedDelivery(sandbox, forged, { timestampSeconds: Math.floor(Date.now() / 1000) - 600 });
    expect((await deliver(sandbox, stale)).status).toBe(401);
    const unsigned = await sandbox.call('POST', '/webhooks/fenqi', {
      rawBody: JSON.stringify({ id: randomUUID(), ...forged }),
      headers: { 'content-type': 'application/json' },
    });
    expect(unsigned.status).toBe(401);
    expect(await sandboxState(sandbox)).toEqual(before);
  });

  it('counts an event delivered twice once, and refuses a delivery played again', async () => {
    const before = await sandboxOrder(sandbox, order.merchantOrderId);
    const event = {
      id: randomUUID(),
      type: 'loans.order-approved',
      data: { merchantOrderId: order.merchantOrderId, loanId },
    };
    const first = signedDelivery(sandbox, event);
    expect(await deliver(sandbox, first)).toMatchObject({
      status: 200,
      json: { received: true, duplicate: false },
    });
    // Fenqi's retry of the same event: a new nonce and signature.
    const retry = signedDelivery(sandbox, event);
    expect(await deliver(sandbox, retry)).toMatchObject({
      status: 200,
      json: { received: true, duplicate: true },
    });
    // The first delivery's exact bytes and headers again: a replay.
    expect((await deliver(sandbox, first)).status).toBe(401);
    const received = (await sandboxEvents(sandbox)).filter((e) => e.id === event.id);
    expect(received).toEqual([expect.objectContaining({ type: 'loans.order-approved', deliveries: 2 })]);
    // An approval arriving after the payout takes the order back nowhere.
    expect(await sandboxOrder(sandbox, order.merchantOrderId)).toEqual(before);
  });

  it('refunds in full from the shop, and hears Fenqi’s refund webhook', async () => {
    const refunded = await sandbox.call('POST', `/orders/${order.merchantOrderId}/refund`, {
      rawBody: '',
      headers: form,
    });
    expect(refunded.status, refunded.text).toBe(303);
    expect((await sandboxOrder(sandbox, order.merchantOrderId)).status).toBe('refunded');
    // Within the cooling-off days, a full refund undoes the loan.
    await loanInState(world, loanId, 'cancelled');
    await until(async () =>
      (await sandboxEvents(sandbox)).some(
        (event) => event.merchantOrderId === order.merchantOrderId && event.type === 'loans.order-refunded',
      ),
    );
  });
});

describe('an order nobody accepted', () => {
  it('is cancelled at Fenqi from the shop, and Fenqi’s webhook says so too', async () => {
    const order = await buy('trip');
    const cancelled = await sandbox.call('POST', `/orders/${order.merchantOrderId}/cancel`, {
      rawBody: '',
      headers: form,
    });
    expect(cancelled.status, cancelled.text).toBe(303);
    expect((await sandboxOrder(sandbox, order.merchantOrderId)).status).toBe('cancelled');
    const atFenqi = await signedCall(
      world.server,
      sandbox.merchant,
      'GET',
      `/api/v1/merchant/orders/${order.merchantOrderId}`,
    );
    expect((atFenqi.json as { order: { status: string } }).order.status).toBe('cancelled');
    await until(async () =>
      (await sandboxEvents(sandbox)).some(
        (event) => event.merchantOrderId === order.merchantOrderId && event.type === 'loans.order-cancelled',
      ),
    );
  });
});

describe('the order page', () => {
  it('shows the status change live on a phone-sized screen, without a reload or a console error', async () => {
    const browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    try {
      const context = await browser.newContext({
        viewport: { width: 360, height: 780 },
        isMobile: true,
        hasTouch: true,
        locale: 'zh-CN',
      });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(String(error)));
      await page.goto(`${sandbox.url}/sandbox/`);
      await screenshot(page, 'sandbox-shop');
      const order = await buy('phone');
      await page.goto(`${sandbox.url}/sandbox/orders/${order.merchantOrderId}`);
      const badge = page.locator('[data-status]');
      await expect.poll(() => badge.textContent()).toBe('待分期确认Awaiting checkout');
      await acceptedLoanId(world, borrower, tokenOf(order.checkoutUrl), 6);
      // The page polls the shop's JSON, which moves with the webhooks: no reload here.
      await badge.filter({ hasText: '已付款' }).waitFor({ timeout: 30_000 });
      await page.locator('[data-history] li', { hasText: 'webhook' }).first().waitFor();
      expect(await page.locator('[data-when="awaiting_checkout"]').first().isHidden()).toBe(true);
      expect(await page.locator('form[data-when="paid partially_refunded"]').isVisible()).toBe(true);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
      await screenshot(page, 'sandbox-order-paid');
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

describe('a merchant Fenqi refuses orders from', () => {
  it('shows Fenqi’s problem to the shopper and marks the order failed', async () => {
    const suspended = await staffCall(
      world.server,
      world.admin,
      'POST',
      `/api/v1/merchants/${sandbox.merchant.merchantId}/suspend`,
      { reason: 'contract ended' },
    );
    expect(suspended.status, suspended.text).toBe(200);
    const page = await sandbox.call('POST', '/orders', { rawBody: 'sku=renovation', headers: form });
    expect(page.status).toBe(409);
    expect(page.text).toContain('merchant_not_active');
    const listed = await sandbox.call('GET', '/api/orders');
    const order = (listed.json as { orders: (SandboxOrder & { problem: { code: string } })[] }).orders[0];
    expect(order).toMatchObject({
      status: 'failed',
      checkoutUrl: null,
      problem: { code: 'merchant_not_active' },
    });
  });
});
