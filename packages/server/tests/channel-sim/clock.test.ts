import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChannelSim, startChannelSim } from '../../src/channel-sim/index.ts';
import { createEmptyDatabase } from '../support/db.ts';
import { createSimClient, merchantNo, orderNo, secret } from './support.ts';

// The simulator in-process with an injected clock: what needs real minutes to pass.

let now = Date.now();
let sim: ChannelSim;
let drop: () => Promise<void>;

beforeAll(async () => {
  const database = await createEmptyDatabase();
  drop = database.drop;
  sim = await startChannelSim({
    databaseUrl: database.url,
    merchantNo,
    merchantSecret: secret,
    timeScale: 0.001,
    now: () => now,
  });
});

afterAll(async () => {
  await sim?.close();
  await drop?.();
});

describe('the channel clock', () => {
  it('an SMS code older than five minutes is BF00348', async () => {
    const client = createSimClient(sim.url);
    const number = orderNo('BD');
    await client.post(
      '/v1/bind/apply',
      {
        orderNo: number,
        name: '王五',
        idNumber: '110105194912310021',
        cardNo: '6222020000009999',
        phone: '13700137000',
      },
      { nowMs: now },
    );
    const { smsCode } = (await client.admin('GET', `/admin/sms?orderNo=${number}`)).json as {
      smsCode: string;
    };
    now += 5 * 60_000 + 1_000;
    const answer = await client.post('/v1/bind/confirm', { orderNo: number, smsCode }, { nowMs: now });
    expect(answer.json).toEqual({ returnCode: 'REJECTED', code: 'BF00348', message: expect.any(String) });
  });

  it('judges signature timestamps by its own clock', async () => {
    const client = createSimClient(sim.url);
    const answer = await client.get('/v1/orders/NONE', { nowMs: now - 400_000 });
    expect(answer.status).toBe(401);
    expect((await client.get('/v1/orders/NONE', { nowMs: now })).json).toEqual({ found: false });
  });
});
