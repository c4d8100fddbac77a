import { describe, expect, it } from 'vitest';
import { blacklistHits } from '../../src/modules/risk/blacklist/index.ts';
import {
  advanceBusinessDate,
  getBusinessDate,
  setInitialBusinessDate,
} from '../../src/platform/business-date.ts';
import type { signIn } from '../iam/support.ts';
import { useTestServer } from '../support/server.ts';
import { makerAndChecker, staffCalls } from './support.ts';

// Time on the blacklist is the business date: an entry applies from the day it was approved, up to
// the day before its expiry date, and not from the day its removal was approved. The file's
// database starts on 2026-03-01 and its tests move the date on, in order.

const { database, server } = useTestServer({
  accessControl: 'iam',
  prepare: (db) => db.db.transaction().execute((trx) => setInitialBusinessDate(trx, '2026-03-01')),
});

type Credentials = Awaited<ReturnType<typeof signIn>>;
type Entry = { id: string; status: string; addApprovalId: string; removalApprovalId: string | null };

// The server object is filled in by useTestServer's hook; the calls read its address when made.
const { post, get } = staffCalls(server);

const sessions = () => makerAndChecker(database.db, server.config);

async function listApproved(
  maker: Credentials,
  checker: Credentials,
  body: Record<string, unknown>,
): Promise<Entry> {
  const proposed = await post(maker, '/api/v1/risk/blacklist', { reasonCode: 'fraud_confirmed', ...body });
  expect(proposed.status, proposed.text).toBe(201);
  const entry = proposed.json as Entry;
  expect((await post(checker, `/api/v1/approvals/${entry.addApprovalId}/approve`)).status).toBe(200);
  return entry;
}

async function nextDay(): Promise<string> {
  const current = await getBusinessDate(database.db);
  return database.db.transaction().execute((trx) => advanceBusinessDate(trx, current));
}

const expiring = '13600000001';
const removedDevice = 'pos-terminal-0042';
let expiringEntry: Entry;

describe('the blacklist over business days', () => {
  it('an entry approved on 2026-03-01 expiring on 2026-03-03 applies on 03-01 and 03-02 only', async () => {
    const { maker, checker } = await sessions();
    expiringEntry = await listApproved(maker, checker, {
      kind: 'phone',
      value: expiring,
      expiresOn: '2026-03-03',
    });
    const applies = async (asOf: string) =>
      (await blacklistHits(database.db, server.config, { phone: expiring }, asOf)).phone;
    expect([
      await applies('2026-02-28'),
      await applies('2026-03-01'),
      await applies('2026-03-02'),
      await applies('2026-03-03'),
      await applies('2026-12-31'),
    ]).toEqual([false, true, true, false, false]);
    expect((await get(maker, `/api/v1/risk/blacklist/${expiringEntry.id}`)).json).toMatchObject({
      status: 'active',
      applies: true,
      activeFrom: '2026-03-01',
      expiresOn: '2026-03-03',
    });
  });

  it('a removal approved on 2026-03-02 ends the entry that day; a replay for 03-01 still sees it', async () => {
    const { maker, checker } = await sessions();
    const entry = await listApproved(maker, checker, { kind: 'device', value: removedDevice });
    expect(await nextDay()).toBe('2026-03-02');
    const removal = (
      await post(maker, `/api/v1/risk/blacklist/${entry.id}/removals`, { note: 'Terminal replaced' })
    ).json as Entry;
    expect(
      (await post(checker, `/api/v1/approvals/${removal.removalApprovalId}/approve`)).json,
    ).toMatchObject({
      result: { status: 'removed', removedOn: '2026-03-02' },
    });
    const applies = async (asOf: string) =>
      (await blacklistHits(database.db, server.config, { deviceId: removedDevice }, asOf)).device;
    expect([await applies('2026-03-01'), await applies('2026-03-02'), await applies('2026-03-03')]).toEqual([
      true,
      false,
      false,
    ]);
  });

  it('on 2026-03-03 the expired entry no longer applies; a new proposal of its value closes it as expired', async () => {
    const { maker, checker } = await sessions();
    expect(await nextDay()).toBe('2026-03-03');
    expect((await get(maker, `/api/v1/risk/blacklist/${expiringEntry.id}`)).json).toMatchObject({
      status: 'active',
      applies: false,
    });
    const today = await post(maker, '/api/v1/risk/blacklist', {
      kind: 'phone',
      value: expiring,
      reasonCode: 'fraud_confirmed',
      expiresOn: '2026-03-03',
    });
    expect(today.json).toMatchObject({
      status: 400,
      code: 'validation_failed',
      errors: [
        {
          in: 'body',
          path: 'expiresOn',
          code: 'expiry_not_future',
          message: 'must be after the business date 2026-03-03',
        },
      ],
    });
    const renewed = await listApproved(maker, checker, {
      kind: 'phone',
      value: expiring,
      expiresOn: '2026-04-01',
    });
    expect((await get(maker, `/api/v1/risk/blacklist/${expiringEntry.id}`)).json).toMatchObject({
      status: 'expired',
      applies: false,
    });
    expect(await blacklistHits(database.db, server.config, { phone: expiring }, '2026-03-03')).toMatchObject({
      phone: true,
      entries: [{ id: renewed.id, kind: 'phone', reason: 'fraud_confirmed' }],
    });
  });

  it('an expired entry cannot be proposed for removal (409 blacklist_entry_not_active, status expired)', async () => {
    const { maker, checker } = await sessions();
    const entry = await listApproved(maker, checker, {
      kind: 'phone',
      value: '13600000002',
      expiresOn: '2026-03-04',
    });
    expect(await nextDay()).toBe('2026-03-04');
    const response = await post(maker, `/api/v1/risk/blacklist/${entry.id}/removals`, {
      note: 'No longer needed',
    });
    expect(response.json).toMatchObject({
      status: 409,
      code: 'blacklist_entry_not_active',
      detail: `Blacklist entry ${entry.id} is expired; only an active entry can be proposed for removal.`,
    });
    // The refusal rolled back the closing too: the entry is as it was.
    expect((await get(maker, `/api/v1/risk/blacklist/${entry.id}`)).json).toMatchObject({ status: 'active' });
  });
});
