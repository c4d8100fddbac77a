import { describe, expect, it } from 'vitest';
import { orderNo, useSim } from './support.ts';

// Hostile input: the simulator answers 400 (or 413) and stores nothing, and keeps serving.

const sim = useSim();

const payout = (overrides: Record<string, unknown> = {}) => ({
  orderNo: orderNo('PO'),
  amount: '1.00',
  accountName: 'Zhang San',
  accountNo: '6222020000000001',
  notifyUrl: sim.receiver.notifyUrl,
  ...overrides,
});

describe('hostile input', () => {
  it('a NUL character in any string is 400', async () => {
    const number = orderNo('PO');
    const answer = await sim.client.post(
      '/v1/payouts',
      payout({ orderNo: number, accountName: 'Zhang\u0000San' }),
    );
    expect(answer.status).toBe(400);
    expect(answer.json).toMatchObject({ returnCode: 'INVALID_REQUEST' });
    const inKey = await sim.client.post('/v1/payouts', `{"orderNo":"${orderNo('PO')}","a\\u0000":1}`);
    expect(inKey.status).toBe(400);
    expect(await sim.client.order(number)).toEqual({ found: false });
  });

  it('deeply nested JSON is 400', async () => {
    const deep = `${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    expect((await sim.client.post('/v1/payouts', deep)).status).toBe(400);
    const nested = JSON.stringify(
      payout({ accountName: JSON.parse(`${'{"a":'.repeat(40)}1${'}'.repeat(40)}`) }),
    );
    expect((await sim.client.post('/v1/payouts', nested)).status).toBe(400);
  });

  it('a body over 1 MB is 413', async () => {
    const answer = await sim.client.post('/v1/payouts', payout({ accountName: 'x'.repeat(1_100_000) }));
    expect(answer.status).toBe(413);
  });

  it('malformed JSON, a wrong content type and missing fields are 400/415', async () => {
    expect((await sim.client.post('/v1/payouts', '{"orderNo":')).status).toBe(400);
    const { orderNo: _omitted, ...missing } = payout();
    expect((await sim.client.post('/v1/payouts', missing)).status).toBe(400);
    expect((await sim.client.post('/v1/payouts', payout({ notifyUrl: 'file:///etc/passwd' }))).status).toBe(
      400,
    );
    expect((await sim.client.post('/v1/payouts', payout({ orderNo: 'has space' }))).status).toBe(400);
    const text = await fetch(`${sim.sim.url}/v1/payouts`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(text.status).toBe(415);
  });

  it('admin endpoints validate their input', async () => {
    expect((await sim.client.admin('GET', '/admin/sms')).status).toBe(400);
    expect((await sim.client.admin('GET', '/admin/sms?orderNo=%00')).status).toBe(400);
    expect((await sim.client.admin('GET', '/admin/callbacks?orderNo=a%20b')).status).toBe(400);
    expect(
      (
        await sim.client.admin('POST', '/admin/orders/X/finish', {
          status: 'SUCCEEDED',
          code: 'x'.repeat(41),
        })
      ).status,
    ).toBe(400);
    expect((await sim.client.admin('GET', '/admin/orders/NOSUCH')).status).toBe(404);
    expect((await sim.client.admin('GET', '/nowhere')).status).toBe(404);
  });

  it('still serves after all that', async () => {
    expect((await sim.client.post('/v1/payouts', payout())).json).toMatchObject({ returnCode: 'ACCEPTED' });
  });
});
