import { beforeAll, describe, expect, it } from 'vitest';
import { http, useTestServer } from '../support/server.ts';
import { createMerchantClient, createStaff, type StaffCredentials, signIn } from './support.ts';

// The reads the console's administration pages use, filtered and paged on the server: staff users
// by name, status and role; API clients by owner and status; maker-checker requests by status,
// action and maker, newest first; the audit log newest first, by actor.

const { database, server } = useTestServer({ accessControl: 'iam' });
let admin: StaffCredentials;
let adminId: string;

const get = async <T>(path: string): Promise<T> => {
  const answer = await http(server.baseUrl, 'GET', path, { headers: admin.headers(false) });
  expect(answer.status, answer.text).toBe(200);
  return answer.json as T;
};
const post = (who: StaffCredentials, path: string, body: unknown) =>
  http(server.baseUrl, 'POST', path, {
    body,
    headers: { ...who.headers(), 'idempotency-key': crypto.randomUUID() },
  });

beforeAll(async () => {
  const user = await createStaff(database.db, server.config, ['admin'], 'zz-admin');
  adminId = user.id;
  admin = await signIn(database.db, server.config, user);
});

describe('staff users', () => {
  it('filters by part of the name, status and role, and pages by username', async () => {
    for (const name of ['ops-anna', 'ops-bo', 'ops-chen', 'fin-dai'])
      await createStaff(
        database.db,
        server.config,
        name.startsWith('ops') ? ['operator'] : ['finance'],
        name,
      );
    type User = { username: string; roles: string[]; status: string };
    const ops = await get<User[]>('/api/v1/iam/users?q=OPS-');
    expect(ops.map((u) => u.username)).toEqual(['ops-anna', 'ops-bo', 'ops-chen']);
    const page = await get<User[]>('/api/v1/iam/users?q=ops-&limit=2&after=ops-anna');
    expect(page.map((u) => [u.username, u.roles])).toEqual([
      ['ops-bo', ['operator']],
      ['ops-chen', ['operator']],
    ]);
    const finance = await get<User[]>('/api/v1/iam/users?role=finance');
    expect(finance.map((u) => u.username)).toEqual(['fin-dai']);
    const [bo] = await get<{ id: string }[]>('/api/v1/iam/users?q=ops-bo');
    const disabled = await http(server.baseUrl, 'POST', `/api/v1/iam/users/${bo?.id}/disable`, {
      headers: { ...admin.headers(), 'idempotency-key': crypto.randomUUID() },
    });
    expect(disabled.status, disabled.text).toBe(200);
    const gone = await get<User[]>('/api/v1/iam/users?status=disabled');
    expect(gone.map((u) => u.username)).toEqual(['ops-bo']);
    // A literal % in the search matches a % only.
    expect(await get<User[]>('/api/v1/iam/users?q=%25')).toEqual([]);
  });
});

describe('API clients', () => {
  it('filters by owner and status, and pages oldest first', async () => {
    const made = [];
    for (const owner of ['m-one', 'm-two', 'm-two'])
      made.push(await createMerchantClient(database.db, server.config, owner));
    type Client = { id: string; ownerId: string; revokedAt: string | null };
    const two = await get<Client[]>('/api/v1/iam/api-clients?ownerKind=merchant&ownerId=m-two');
    expect(two.map((c) => c.id)).toEqual([made[1]?.id, made[2]?.id]);
    const first = await get<Client[]>('/api/v1/iam/api-clients?limit=1');
    const next = await get<Client[]>(`/api/v1/iam/api-clients?limit=5&after=${first[0]?.id}`);
    expect([...first, ...next].map((c) => c.id)).toEqual(made.map((c) => c.id));
    const revoked = await http(server.baseUrl, 'POST', `/api/v1/iam/api-clients/${made[0]?.id}/revoke`, {
      headers: { ...admin.headers(), 'idempotency-key': crypto.randomUUID() },
    });
    expect(revoked.status, revoked.text).toBe(200);
    expect((await get<Client[]>('/api/v1/iam/api-clients?status=revoked')).map((c) => c.id)).toEqual([
      made[0]?.id,
    ]);
    expect((await get<Client[]>('/api/v1/iam/api-clients?status=active')).map((c) => c.id)).toEqual([
      made[1]?.id,
      made[2]?.id,
    ]);
  });
});

describe('approvals and the audit log', () => {
  it('lists requests by action and maker, newest first, page by page; the audit log newest first', async () => {
    const other = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['admin'], 'zz-other'),
    );
    const target = await createStaff(database.db, server.config, ['auditor'], 'target-user');
    const ids: string[] = [];
    for (const [who, roles] of [
      [admin, ['finance']],
      [other, ['operator']],
      [admin, ['auditor', 'finance']],
    ] as const) {
      const requested = await post(who, `/api/v1/iam/users/${target.id}/role-changes`, {
        roles,
        reason: 'rota',
      });
      expect(requested.status, requested.text).toBe(201);
      ids.push((requested.json as { id: string }).id);
    }
    const role = await post(admin, '/api/v1/iam/roles', {
      name: 'night_desk',
      description: 'Night desk',
      permissions: ['loans:read'],
      reason: 'rota',
    });
    expect(role.status, role.text).toBe(201);
    type Approval = { id: string; action: string; makerName: string | null; checkerName: string | null };
    const roleChanges = await get<Approval[]>('/api/v1/approvals?action=iam.set-user-roles');
    expect(roleChanges.map((a) => a.id)).toEqual([ids[2], ids[1], ids[0]]);
    const mine = await get<Approval[]>(`/api/v1/approvals?makerId=${adminId}&action=iam.set-user-roles`);
    expect(mine.map((a) => a.id)).toEqual([ids[2], ids[0]]);
    // The inbox names the maker (a staff user's display name); nobody has checked them yet.
    expect(mine.map((a) => [a.makerName, a.checkerName])).toEqual([
      ['zz-admin', null],
      ['zz-admin', null],
    ]);
    const first = await get<Approval[]>('/api/v1/approvals?status=pending&limit=2');
    const rest = await get<Approval[]>(`/api/v1/approvals?status=pending&limit=2&before=${first[1]?.id}`);
    expect([...first, ...rest].map((a) => a.action)).toEqual([
      'iam.define-role',
      'iam.set-user-roles',
      'iam.set-user-roles',
      'iam.set-user-roles',
    ]);

    type Event = { seq: string; action: string; actor: { id: string } };
    const newest = await get<Event[]>(`/api/v1/audit/events?order=desc&limit=3&actorId=${adminId}`);
    expect(newest.map((e) => e.action)).toEqual([
      'approvals.requested',
      'approvals.requested',
      'approvals.requested',
    ]);
    expect(newest.every((e) => e.actor.id === adminId)).toBe(true);
    const seqs = newest.map((e) => BigInt(e.seq));
    expect([...seqs].sort((a, b) => (a > b ? -1 : 1))).toEqual(seqs);
    const older = await get<Event[]>(
      `/api/v1/audit/events?order=desc&limit=100&actorId=${adminId}&beforeSeq=${newest[2]?.seq}`,
    );
    expect(older.every((e) => BigInt(e.seq) < BigInt(newest[2]?.seq ?? '0'))).toBe(true);
    expect(older.map((e) => e.action)).toContain('iam.api-client-revoked');
  });
});
