import { describe, expect, it } from 'vitest';
import { signSimRequest, verifySimSignature } from '../../src/channel-sim/index.ts';
import { createSimClient, merchantNo, orderNo, secret, useSim } from './support.ts';

// Every /v1 request is signed; a forged, stale or replayed one is 401 SIGN_ERROR and stores nothing.

const sim = useSim();

function payout(number: string, notifyUrl: string) {
  return {
    orderNo: number,
    amount: '10.00',
    accountName: 'Zhang San',
    accountNo: '6222020000000001',
    notifyUrl,
  };
}

async function notStored(number: string) {
  expect(await sim.client.order(number)).toEqual({ found: false });
}

describe('signatures', () => {
  it('round-trips through sign and verify, and any change breaks it', () => {
    const headers = signSimRequest({ merchantNo, secret, method: 'POST', path: '/a?b=1', body: '{"x":1}' });
    const verify = (changes: Partial<Parameters<typeof verifySimSignature>[0]>) =>
      verifySimSignature({
        merchantNo,
        secret,
        method: 'POST',
        path: '/a?b=1',
        body: '{"x":1}',
        headers,
        nowMs: Date.now(),
        ...changes,
      }).ok;
    expect(verify({})).toBe(true);
    expect(verify({ body: '{"x":2}' })).toBe(false);
    expect(verify({ path: '/a?b=2' })).toBe(false);
    expect(verify({ method: 'GET' })).toBe(false);
    expect(verify({ secret: 'other' })).toBe(false);
    expect(verify({ merchantNo: 'M999' })).toBe(false);
    expect(verify({ nowMs: Date.now() + 301_000 })).toBe(false);
  });

  it('accepts a well-signed request', async () => {
    const number = orderNo();
    const answer = await sim.client.post('/v1/payouts', payout(number, sim.receiver.notifyUrl));
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ returnCode: 'ACCEPTED', status: 'PROCESSING' });
  });

  it('refuses a forged signature (wrong secret), storing nothing', async () => {
    const number = orderNo();
    const forger = createSimClient(sim.sim.url, merchantNo, 'not-the-secret');
    const answer = await forger.post('/v1/payouts', payout(number, sim.receiver.notifyUrl));
    expect(answer.status).toBe(401);
    expect(answer.json).toEqual({ returnCode: 'SIGN_ERROR' });
    await notStored(number);
  });

  it('refuses another merchant, a missing signature and a tampered body', async () => {
    const number = orderNo();
    const other = createSimClient(sim.sim.url, 'M999999', secret);
    expect((await other.post('/v1/payouts', payout(number, sim.receiver.notifyUrl))).status).toBe(401);
    const unsigned = await sim.client.post('/v1/payouts', payout(number, sim.receiver.notifyUrl), {
      sign: false,
    });
    expect(unsigned.status).toBe(401);
    const body = JSON.stringify(payout(number, sim.receiver.notifyUrl));
    const headers = signSimRequest({ merchantNo, secret, method: 'POST', path: '/v1/payouts', body });
    const tampered = await fetch(`${sim.sim.url}/v1/payouts`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: body.replace('10.00', '99.00'),
    });
    expect(tampered.status).toBe(401);
    await notStored(number);
  });

  it('refuses a stale or future timestamp (more than 300 s off)', async () => {
    const number = orderNo();
    for (const offset of [-301_000, 301_000]) {
      const answer = await sim.client.post('/v1/payouts', payout(number, sim.receiver.notifyUrl), {
        nowMs: Date.now() + offset,
      });
      expect(answer.status).toBe(401);
    }
    await notStored(number);
  });

  it('refuses a replayed nonce, even on a different request', async () => {
    const nonce = 'replayed-nonce-0123456789';
    const first = orderNo();
    expect(
      (await sim.client.post('/v1/payouts', payout(first, sim.receiver.notifyUrl), { nonce })).status,
    ).toBe(200);
    const second = orderNo();
    const replay = await sim.client.post('/v1/payouts', payout(second, sim.receiver.notifyUrl), { nonce });
    expect(replay.status).toBe(401);
    expect(replay.json).toEqual({ returnCode: 'SIGN_ERROR' });
    await notStored(second);
  });

  it('refuses a malformed nonce', async () => {
    const number = orderNo();
    const answer = await sim.client.post('/v1/payouts', payout(number, sim.receiver.notifyUrl), {
      nonce: 'short',
    });
    expect(answer.status).toBe(401);
    await notStored(number);
  });

  it('signs GET requests too (queries and statements)', async () => {
    expect((await sim.client.get('/v1/orders/NOPE', { sign: false })).status).toBe(401);
    expect((await sim.client.get('/v1/statements/2026-12-01', { sign: false })).status).toBe(401);
    expect((await sim.client.get('/v1/orders/NOPE')).json).toEqual({ found: false });
  });
});
