import { describe, expect, it } from 'vitest';
import { bindCard, orderNo, rule, useSim } from './support.ts';

// Card binding: four elements, an SMS code, an agreement; a failure names the wrong element.

const sim = useSim();

const elements = (cardNo: string, overrides: Record<string, string> = {}) => ({
  orderNo: orderNo('BD'),
  name: '李四',
  idNumber: '110105194912310021',
  cardNo,
  phone: '13900139000',
  ...overrides,
});

describe('card binding', () => {
  it('binds with the SMS code the channel "sent" and yields an agreement', async () => {
    const apply = elements('6222020000005678');
    expect((await sim.client.post('/v1/bind/apply', apply)).json).toEqual({
      returnCode: 'ACCEPTED',
      status: 'SMS_SENT',
    });
    const sms = await sim.client.admin('GET', `/admin/sms?orderNo=${apply.orderNo}`);
    expect(sms.json).toEqual({ orderNo: apply.orderNo, smsCode: expect.stringMatching(/^\d{6}$/) });
    const { smsCode } = sms.json as { smsCode: string };
    const confirmed = await sim.client.post('/v1/bind/confirm', { orderNo: apply.orderNo, smsCode });
    expect(confirmed.json).toEqual({
      returnCode: 'ACCEPTED',
      status: 'BOUND',
      agreementNo: expect.stringMatching(/^AG[0-9A-F]{20}$/),
    });
    // A repeated confirmation (its answer lost) gets the same agreement, not a second one.
    const again = await sim.client.post('/v1/bind/confirm', { orderNo: apply.orderNo, smsCode });
    expect(again.json).toEqual(confirmed.json);
  });

  it.each([
    ['0343', 'BF00343'],
    ['0344', 'BF00344'],
    ['0345', 'BF00345'],
    ['0346', 'BF00346'],
  ])('a card number ending in %s fails at apply with %s, without rules', async (suffix, code) => {
    const answer = await sim.client.post('/v1/bind/apply', elements(`622202000000${suffix}`));
    expect(answer.json).toEqual({ returnCode: 'REJECTED', code, message: expect.any(String) });
  });

  it('a rule makes a binding fail naming the element it chose', async () => {
    await sim.client.setRules([rule({ kind: 'BIND', cardNoSuffix: '7777' }, { fail: 'BF00345' })]);
    try {
      const failed = await sim.client.post('/v1/bind/apply', elements('6222020000007777'));
      expect(failed.json).toMatchObject({ returnCode: 'REJECTED', code: 'BF00345' });
      const other = await sim.client.post('/v1/bind/apply', elements('6222020000007778'));
      expect(other.json).toMatchObject({ returnCode: 'ACCEPTED' });
    } finally {
      await sim.client.setRules([]);
    }
  });

  it('a malformed element is the wrong element', async () => {
    const phone = await sim.client.post('/v1/bind/apply', elements('6222020000001111', { phone: '12345' }));
    expect(phone.json).toMatchObject({ code: 'BF00343' });
    const id = await sim.client.post('/v1/bind/apply', elements('6222020000001111', { idNumber: '123' }));
    expect(id.json).toMatchObject({ code: 'BF00346' });
  });

  it('a wrong SMS code is BF00347, and the right one still works after it', async () => {
    const apply = elements('6222020000002222');
    await sim.client.post('/v1/bind/apply', apply);
    const { smsCode } = (await sim.client.admin('GET', `/admin/sms?orderNo=${apply.orderNo}`)).json as {
      smsCode: string;
    };
    const wrong = smsCode === '000000' ? '111111' : '000000';
    const answer = await sim.client.post('/v1/bind/confirm', { orderNo: apply.orderNo, smsCode: wrong });
    expect(answer.json).toEqual({ returnCode: 'REJECTED', code: 'BF00347', message: expect.any(String) });
    const right = await sim.client.post('/v1/bind/confirm', { orderNo: apply.orderNo, smsCode });
    expect(right.json).toMatchObject({ status: 'BOUND' });
  });

  it('binding the same card again voids the older agreement', async () => {
    const older = await bindCard(sim.client, '6222020000003333');
    const newer = await bindCard(sim.client, '6222020000003333');
    expect(newer).not.toBe(older);
    const collect = (agreementNo: string) =>
      sim.client.post('/v1/collections', {
        orderNo: orderNo('CO'),
        agreementNo,
        amountFen: 10_000,
        notifyUrl: sim.receiver.notifyUrl,
      });
    expect((await collect(older)).json).toMatchObject({
      returnCode: 'ACCEPTED',
      status: 'FAILED',
      code: 'BF00360',
    });
    expect((await collect(newer)).json).toMatchObject({ returnCode: 'ACCEPTED', status: 'SUCCEEDED' });
    expect((await collect('AG00000000000000000000')).json).toMatchObject({
      status: 'FAILED',
      code: 'BF00360',
    });
  });

  it('an unbound agreement cannot be collected against', async () => {
    const agreementNo = await bindCard(sim.client, '6222020000004444');
    expect((await sim.client.post('/v1/unbind', { agreementNo })).json).toEqual({
      returnCode: 'ACCEPTED',
      status: 'UNBOUND',
    });
    const answer = await sim.client.post('/v1/collections', {
      orderNo: orderNo('CO'),
      agreementNo,
      amountFen: 10_000,
      notifyUrl: sim.receiver.notifyUrl,
    });
    expect(answer.json).toMatchObject({ status: 'FAILED', code: 'BF00360' });
  });
});
