import { request } from 'node:http';
import { beforeAll, describe, expect, it } from 'vitest';
import { signSimRequest } from '../../src/channel-sim/index.ts';
import { bindCard, eventually, merchantNo, orderNo, rule, secret, useSim } from './support.ts';

// Behaviour rules make the channel misbehave on purpose; collections and refunds otherwise
// answer at once (and still call back).

const sim = useSim();
let agreementNo: string;

beforeAll(async () => {
  agreementNo = await bindCard(sim.client, '6222020000008888');
});

const collection = (number: string, amountFen: unknown) => ({
  orderNo: number,
  agreementNo,
  amountFen,
  notifyUrl: sim.receiver.notifyUrl,
});

const payoutBody = (number: string, amount: string) => ({
  orderNo: number,
  amount,
  accountName: 'Zhang San',
  accountNo: '6222020000000001',
  notifyUrl: sim.receiver.notifyUrl,
});

async function withRules(rules: unknown[], work: () => Promise<void>) {
  await sim.client.setRules(rules);
  try {
    await work();
  } finally {
    await sim.client.setRules([]);
  }
}

const statusesOf = (number: string) => sim.receiver.forOrder(number).map((callback) => callback.body.status);

describe('collections and refunds', () => {
  it('a collection answers SUCCEEDED at once and calls back too', async () => {
    const number = orderNo('CO');
    const answer = await sim.client.post('/v1/collections', collection(number, 50_000));
    expect(answer.json).toEqual({ returnCode: 'ACCEPTED', status: 'SUCCEEDED', txnId: expect.any(String) });
    await eventually(() => expect(statusesOf(number)).toEqual(['SUCCEEDED']));
  });

  it.each([[0], [-5], [1.5], ['100'], [2 ** 53]])(
    'refuses the amountFen %j with BF00190',
    async (amountFen) => {
      const answer = await sim.client.post('/v1/collections', collection(orderNo('CO'), amountFen));
      expect(answer.json).toMatchObject({ returnCode: 'REJECTED', code: 'BF00190' });
    },
  );

  it('refunds a paid collection up to what is left, and no further', async () => {
    const original = orderNo('CO');
    await sim.client.post('/v1/collections', collection(original, 10_000));
    const refund = (amountFen: number, originalOrderNo = original) =>
      sim.client.post('/v1/refunds', {
        orderNo: orderNo('RF'),
        originalOrderNo,
        amountFen,
        notifyUrl: sim.receiver.notifyUrl,
      });
    expect((await refund(6_000)).json).toMatchObject({ returnCode: 'ACCEPTED', status: 'SUCCEEDED' });
    expect((await refund(4_001)).json).toMatchObject({ returnCode: 'REJECTED', code: 'BF00191' });
    expect((await refund(4_000)).json).toMatchObject({ returnCode: 'ACCEPTED', status: 'SUCCEEDED' });
    expect((await refund(1)).json).toMatchObject({ returnCode: 'REJECTED', code: 'BF00191' });
    expect((await refund(1, 'NOSUCHORDER')).json).toMatchObject({ returnCode: 'REJECTED', code: 'BF00192' });
    const failed = orderNo('CO');
    await sim.client.post('/v1/collections', { ...collection(failed, 100), agreementNo: 'AG-NONE' });
    expect((await refund(1, failed)).json).toMatchObject({ returnCode: 'REJECTED', code: 'BF00192' });
  });
});

describe('behaviour rules', () => {
  it('refuses malformed rules with 400 and keeps the old list', async () => {
    await sim.client.setRules([rule({ amountFen: 1 }, { stayProcessing: true })]);
    for (const bad of [
      { not: 'a list' },
      [rule({ kind: 'NOPE' }, {})],
      [rule({}, { duplicateCallbacks: 11 })],
      [rule({}, { surprise: true })],
      [{ match: {} }],
    ]) {
      expect((await sim.client.admin('POST', '/admin/rules', bad)).status).toBe(400);
    }
    expect((await sim.client.admin('GET', '/admin/rules')).json).toEqual([
      rule({ amountFen: 1 }, { stayProcessing: true }),
    ]);
    await sim.client.setRules([]);
  });

  it('the first matching rule wins', async () => {
    await withRules(
      [rule({ amountFen: 1_001 }, { fail: 'BF00113' }), rule({ kind: 'COLLECT' }, { fail: 'BF00115' })],
      async () => {
        expect(
          (await sim.client.post('/v1/collections', collection(orderNo('CO'), 1_001))).json,
        ).toMatchObject({
          status: 'FAILED',
          code: 'BF00113',
        });
        expect(
          (await sim.client.post('/v1/collections', collection(orderNo('CO'), 1_002))).json,
        ).toMatchObject({
          status: 'FAILED',
          code: 'BF00115',
        });
      },
    );
  });

  it('duplicateCallbacks sends each callback that many more times, each delivered', async () => {
    await withRules([rule({ amountFen: 2_003 }, { duplicateCallbacks: 3 })], async () => {
      const number = orderNo('CO');
      await sim.client.post('/v1/collections', collection(number, 2_003));
      await eventually(() =>
        expect(statusesOf(number)).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']),
      );
      const log = await sim.client.callbacks(number);
      expect(log).toHaveLength(4);
      expect(log.every((callback) => callback.acknowledged)).toBe(true);
    });
  });

  it('reorderCallbacks sends a stale PROCESSING callback after the final one', async () => {
    await withRules([rule({ amountFen: 2_004 }, { reorderCallbacks: true })], async () => {
      const number = orderNo('CO');
      await sim.client.post('/v1/collections', collection(number, 2_004));
      await eventually(() => expect(statusesOf(number)).toEqual(['SUCCEEDED', 'PROCESSING']));
      const stale = sim.receiver.forOrder(number)[1]?.body;
      expect(stale).toMatchObject({ status: 'PROCESSING', code: null, finishedAt: null, amountFen: 2_004 });
    });
  });

  it('dropCallbacks sends nothing, but a query finds the order', async () => {
    await withRules([rule({ kind: 'PAYOUT', amountFen: 2_005 }, { dropCallbacks: true })], async () => {
      const number = orderNo('PO');
      await sim.client.post('/v1/payouts', payoutBody(number, '20.05'));
      await eventually(async () => expect((await sim.client.order(number)).status).toBe('SUCCEEDED'));
      expect(await sim.client.callbacks(number)).toEqual([]);
      expect(sim.receiver.forOrder(number)).toEqual([]);
    });
  });

  it('timeout stores the order, drops the connection unanswered, and still completes it', async () => {
    await withRules([rule({ amountFen: 2_006 }, { timeout: true })], async () => {
      const number = orderNo('CO');
      const body = JSON.stringify(collection(number, 2_006));
      const headers = signSimRequest({ merchantNo, secret, method: 'POST', path: '/v1/collections', body });
      const outcome = await new Promise<string>((resolve) => {
        const url = new URL(`${sim.sim.url}/v1/collections`);
        const req = request(
          url,
          { method: 'POST', headers: { ...headers, 'content-type': 'application/json' } },
          (response) => resolve(`answered ${response.statusCode}`),
        );
        req.on('error', (error) => resolve(`error ${(error as NodeJS.ErrnoException).code}`));
        req.end(body);
      });
      expect(outcome).toMatch(/^error /);
      await eventually(async () => expect((await sim.client.order(number)).status).toBe('SUCCEEDED'));
      await eventually(() => expect(statusesOf(number)).toEqual(['SUCCEEDED']));
    });
  });

  it('unknown answers UNKNOWN and the order still completes', async () => {
    await withRules([rule({ amountFen: 2_007 }, { unknown: true })], async () => {
      const number = orderNo('CO');
      const answer = await sim.client.post('/v1/collections', collection(number, 2_007));
      expect(answer.json).toEqual({ returnCode: 'ACCEPTED', status: 'UNKNOWN', txnId: expect.any(String) });
      await eventually(async () => expect((await sim.client.order(number)).status).toBe('SUCCEEDED'));
    });
  });

  it('delayMs answers PROCESSING and finishes later', async () => {
    await withRules([rule({ amountFen: 2_008 }, { delayMs: 100 })], async () => {
      const number = orderNo('CO');
      const answer = await sim.client.post('/v1/collections', collection(number, 2_008));
      expect(answer.json).toMatchObject({ status: 'PROCESSING' });
      await eventually(() => expect(statusesOf(number)).toEqual(['SUCCEEDED']));
    });
  });

  it('stayProcessing holds an order until an admin finishes it', async () => {
    await withRules([rule({ amountFen: 2_009 }, { stayProcessing: true })], async () => {
      const held = orderNo('CO');
      expect((await sim.client.post('/v1/collections', collection(held, 2_009))).json).toMatchObject({
        status: 'PROCESSING',
      });
      const payout = orderNo('PO');
      await sim.client.post('/v1/payouts', payoutBody(payout, '20.09'));
      // A payout the rule does not match finishes meanwhile; the held ones do not.
      const plain = orderNo('PO');
      await sim.client.post('/v1/payouts', payoutBody(plain, '1.00'));
      await eventually(async () => expect((await sim.client.order(plain)).status).toBe('SUCCEEDED'));
      expect((await sim.client.order(held)).status).toBe('PROCESSING');
      expect((await sim.client.order(payout)).status).toBe('PROCESSING');

      const bad = await sim.client.admin('POST', `/admin/orders/${held}/finish`, { status: 'DONE' });
      expect(bad.status).toBe(400);
      const finished = await sim.client.admin('POST', `/admin/orders/${held}/finish`, {
        status: 'FAILED',
        code: 'BF00113',
      });
      expect(finished.status).toBe(200);
      expect(await sim.client.order(held)).toMatchObject({ status: 'FAILED', code: 'BF00113' });
      await eventually(() =>
        expect(sim.receiver.forOrder(held)[0]?.body).toMatchObject({ status: 'FAILED' }),
      );
      expect(
        (await sim.client.admin('POST', `/admin/orders/${held}/finish`, { status: 'SUCCEEDED' })).status,
      ).toBe(409);
      expect(
        (await sim.client.admin('POST', `/admin/orders/${payout}/finish`, { status: 'SUCCEEDED' })).status,
      ).toBe(200);
      await eventually(() => expect(statusesOf(payout)).toEqual(['SUCCEEDED']));
    });
  });
});
