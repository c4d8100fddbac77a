import { describe, expect, it } from 'vitest';
import { verifySimSignature } from '../../src/channel-sim/index.ts';
import { eventually, merchantNo, orderNo, type ReceivedCallback, rule, secret, useSim } from './support.ts';

// Payouts: accepted as PROCESSING, finished later, told by a signed callback that is retried
// until the receiver answers exactly SUCCESS.

const sim = useSim();

const payout = (number: string, amount: unknown, extra: Record<string, unknown> = {}) => ({
  orderNo: number,
  amount,
  accountName: 'Zhang San',
  accountNo: '6222020000000001',
  notifyUrl: sim.receiver.notifyUrl,
  ...extra,
});

function verified(callback: ReceivedCallback) {
  return verifySimSignature({
    merchantNo,
    secret,
    method: callback.method,
    path: callback.path,
    body: callback.rawBody,
    headers: callback.headers,
    nowMs: Date.now(),
  }).ok;
}

describe('payouts', () => {
  it('are PROCESSING at once, then SUCCEEDED by a signed callback', async () => {
    const number = orderNo('PO');
    const answer = await sim.client.post('/v1/payouts', payout(number, '12345.67'));
    expect(answer.json).toEqual({
      returnCode: 'ACCEPTED',
      status: 'PROCESSING',
      txnId: expect.stringMatching(/^T\d{16}$/),
    });
    const { txnId } = answer.json as { txnId: string };
    const [callback] = await eventually(() => {
      const received = sim.receiver.forOrder(number);
      expect(received).toHaveLength(1);
      return received;
    });
    expect(callback?.body).toEqual({
      txnId,
      orderNo: number,
      kind: 'PAYOUT',
      status: 'SUCCEEDED',
      amountFen: 1_234_567,
      code: null,
      finishedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
    });
    expect(callback?.path).toBe('/callbacks/sim?src=channel');
    expect(callback && verified(callback)).toBe(true);
    expect(await sim.client.order(number)).toEqual({
      found: true,
      orderNo: number,
      txnId,
      kind: 'PAYOUT',
      status: 'SUCCEEDED',
      amountFen: 1_234_567,
      code: null,
      finishedAt: callback?.body.finishedAt,
    });
  });

  it('retries a callback until the receiver answers SUCCESS, logging every attempt', async () => {
    const number = orderNo('PO');
    sim.receiver.answerWith((order, attempt) =>
      order === number && attempt <= 2 ? { status: 500, body: 'busy' } : { status: 200, body: 'SUCCESS' },
    );
    try {
      await sim.client.post('/v1/payouts', payout(number, '1.00'));
      const log = await eventually(async () => {
        const callbacks = await sim.client.callbacks(number);
        expect(callbacks[0]?.acknowledged).toBe(true);
        return callbacks;
      });
      expect(log).toHaveLength(1);
      expect(log[0]?.attempts).toBe(3);
      expect(log[0]?.attemptLog.map((attempt) => [attempt.httpStatus, attempt.body])).toEqual([
        [500, 'busy'],
        [500, 'busy'],
        [200, 'SUCCESS'],
      ]);
      expect(sim.receiver.forOrder(number).map((callback) => callback.answeredStatus)).toEqual([
        500, 500, 200,
      ]);
    } finally {
      sim.receiver.answerWith(() => ({ status: 200, body: 'SUCCESS' }));
    }
  });

  it('an answer of 200 with any other body is not an acknowledgement', async () => {
    const number = orderNo('PO');
    sim.receiver.answerWith((order, attempt) =>
      order === number && attempt === 1 ? { status: 200, body: 'success' } : { status: 200, body: 'SUCCESS' },
    );
    try {
      await sim.client.post('/v1/payouts', payout(number, '1.00'));
      await eventually(async () => expect((await sim.client.callbacks(number))[0]?.acknowledged).toBe(true));
      expect((await sim.client.callbacks(number))[0]?.attempts).toBe(2);
    } finally {
      sim.receiver.answerWith(() => ({ status: 200, body: 'SUCCESS' }));
    }
  });

  it('refuses a duplicate order number with BF00126, keeping the first order', async () => {
    const number = orderNo('PO');
    await sim.client.post('/v1/payouts', payout(number, '5.00'));
    const duplicate = await sim.client.post('/v1/payouts', payout(number, '6.00'));
    expect(duplicate.json).toEqual({ returnCode: 'REJECTED', code: 'BF00126', message: expect.any(String) });
    expect((await sim.client.order(number)).amountFen).toBe(500);
  });

  it.each([
    ['0.00'],
    ['1.5'],
    ['-1.00'],
    ['1e3'],
    ['12345678901234.00'],
    ['1.000'],
    [' 1.00'],
    ['１.00'],
    [''],
    [100],
    [null],
  ])('refuses the amount %j with BF00190, storing nothing', async (amount) => {
    const number = orderNo('PO');
    const answer = await sim.client.post('/v1/payouts', payout(number, amount));
    expect(answer.json).toEqual({ returnCode: 'REJECTED', code: 'BF00190', message: expect.any(String) });
    expect(await sim.client.order(number)).toEqual({ found: false });
  });

  it('reads the largest amount exactly (no floating point)', async () => {
    const number = orderNo('PO');
    await sim.client.post('/v1/payouts', payout(number, '9999999999999.99'));
    expect((await sim.client.order(number)).amountFen).toBe(999_999_999_999_999);
  });

  it('a rule makes a payout fail after acceptance, by callback', async () => {
    await sim.client.setRules([rule({ kind: 'PAYOUT', accountNoSuffix: '4321' }, { fail: 'BF00202' })]);
    try {
      const number = orderNo('PO');
      const answer = await sim.client.post(
        '/v1/payouts',
        payout(number, '3.00', { accountNo: '6222020000004321' }),
      );
      expect(answer.json).toMatchObject({ returnCode: 'ACCEPTED', status: 'PROCESSING' });
      const callback = await eventually(() => {
        const [first] = sim.receiver.forOrder(number);
        expect(first).toBeDefined();
        return first;
      });
      expect(callback?.body).toMatchObject({ status: 'FAILED', code: 'BF00202' });
      expect(await sim.client.order(number)).toMatchObject({ status: 'FAILED', code: 'BF00202' });
    } finally {
      await sim.client.setRules([]);
    }
  });

  it('bounces a paid payout later when a rule says so (BOUNCED callback with bouncedAt)', async () => {
    await sim.client.setRules([rule({ amountFen: 77_700 }, { bounceAfterMs: 50 })]);
    try {
      const number = orderNo('PO');
      await sim.client.post('/v1/payouts', payout(number, '777.00'));
      const bounced = await eventually(() => {
        const found = sim.receiver.forOrder(number).find((callback) => callback.body.status === 'BOUNCED');
        expect(found).toBeDefined();
        return found;
      });
      expect(bounced?.body).toMatchObject({
        kind: 'PAYOUT',
        amountFen: 77_700,
        bouncedAt: expect.any(String),
      });
      expect(bounced && verified(bounced)).toBe(true);
      const statuses = sim.receiver.forOrder(number).map((callback) => callback.body.status);
      expect(statuses).toEqual(['SUCCEEDED', 'BOUNCED']);
      const admin = (await sim.client.admin('GET', `/admin/orders/${number}`)).json as Record<
        string,
        unknown
      >;
      expect(admin).toMatchObject({ status: 'BOUNCED', bouncedAt: expect.any(String) });
    } finally {
      await sim.client.setRules([]);
    }
  });

  it('an admin bounces a paid payout; only a succeeded payout can bounce', async () => {
    const number = orderNo('PO');
    await sim.client.post('/v1/payouts', payout(number, '8.00'));
    await eventually(async () => expect((await sim.client.order(number)).status).toBe('SUCCEEDED'));
    expect((await sim.client.admin('POST', `/admin/orders/${number}/bounce`)).status).toBe(200);
    expect((await sim.client.order(number)).status).toBe('BOUNCED');
    expect((await sim.client.admin('POST', `/admin/orders/${number}/bounce`)).status).toBe(409);
    expect((await sim.client.admin('POST', '/admin/orders/NOSUCHORDER/bounce')).status).toBe(404);
    await eventually(() =>
      expect(sim.receiver.forOrder(number).map((callback) => callback.body.status)).toEqual([
        'SUCCEEDED',
        'BOUNCED',
      ]),
    );
  });
});
