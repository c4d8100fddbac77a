import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmptyDatabase } from '../support/db.ts';
import {
  createSimClient,
  eventually,
  orderNo,
  type Receiver,
  type RunningSim,
  rule,
  startReceiver,
  startSim,
} from './support.ts';

// The channel's state is in its tables, not its memory: a crashed simulator, started again,
// still knows its orders, finishes the ones that were due and delivers the callbacks it owed.

let databaseUrl: string;
let drop: () => Promise<void>;
let receiver: Receiver;
const running: RunningSim[] = [];

beforeAll(async () => {
  const database = await createEmptyDatabase();
  databaseUrl = database.url;
  drop = database.drop;
  receiver = await startReceiver();
});

afterAll(async () => {
  for (const sim of running) await sim.kill();
  await receiver?.close();
  await drop?.();
});

async function start() {
  const sim = await startSim(databaseUrl);
  running.push(sim);
  return { sim, client: createSimClient(sim.url) };
}

const payout = (number: string, amount: string) => ({
  orderNo: number,
  amount,
  accountName: 'Zhang San',
  accountNo: '6222020000000001',
  notifyUrl: receiver.notifyUrl,
});

describe('a restart of the simulator', () => {
  it('keeps orders, finishes due ones and delivers pending callbacks', async () => {
    const first = await start();
    const owed = orderNo('PO');
    let accepting = false;
    receiver.answerWith((order) =>
      order === owed && !accepting ? { status: 503, body: 'down' } : { status: 200, body: 'SUCCESS' },
    );
    await first.client.post('/v1/payouts', payout(owed, '10.00'));
    await eventually(async () =>
      expect((await first.client.callbacks(owed))[0]?.attempts).toBeGreaterThanOrEqual(2),
    );

    // Due in two seconds at this time scale: normally after the crash (and if not, the test still holds).
    await first.client.setRules([rule({ amountFen: 4_242 }, { delayMs: 2_000_000 })]);
    const due = orderNo('PO');
    expect((await first.client.post('/v1/payouts', payout(due, '42.42'))).json).toMatchObject({
      status: 'PROCESSING',
    });
    await first.sim.kill();
    expect(first.sim.process.signalCode).toBe('SIGKILL');

    accepting = true;
    const second = await start();
    expect(await second.client.order(owed)).toMatchObject({ found: true, status: 'SUCCEEDED' });
    expect((await second.client.admin('GET', '/admin/rules')).json).toHaveLength(1);
    await eventually(async () => expect((await second.client.callbacks(owed))[0]?.acknowledged).toBe(true));
    await eventually(async () => expect((await second.client.order(due)).status).toBe('SUCCEEDED'));
    await eventually(() =>
      expect(receiver.forOrder(due).map((callback) => callback.body.status)).toEqual(['SUCCEEDED']),
    );
    await second.sim.stop();
    expect(second.sim.process.exitCode).toBe(0);
  });
});
