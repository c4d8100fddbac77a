import { describe, expect, it } from 'vitest';
import { http, useTestServer } from '../support/server.ts';
import { auditActions, createStaff, signIn } from './support.ts';

const { database, server } = useTestServer({
  accessControl: 'iam',
});

type Credentials = Awaited<ReturnType<typeof signIn>>;
const command = (credentials: Credentials, path: string, body: unknown = {}) =>
  http(server.baseUrl, 'POST', path, {
    body,
    headers: { ...credentials.headers(), 'idempotency-key': crypto.randomUUID() },
  });

async function rolesOf(userId: string): Promise<string[]> {
  const rows = await database.tables
    .selectFrom('staff_user_roles')
    .select('role')
    .where('user_id', '=', userId)
    .orderBy('role')
    .execute();
  return rows.map((row) => row.role);
}

describe('maker-checker role changes', () => {
  it('a role change waits for a different checker; on approval it applies and ends the target’s sessions', async () => {
    const maker = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['admin']),
    );
    const checkerUser = await createStaff(database.db, server.config, ['admin']);
    const checker = await signIn(database.db, server.config, checkerUser);
    const target = await createStaff(database.db, server.config, ['auditor']);
    const targetSession = await signIn(database.db, server.config, target);

    const requested = await command(maker, `/api/v1/iam/users/${target.id}/role-changes`, {
      roles: ['finance', 'auditor'],
      reason: 'Joins finance',
    });
    expect(requested.status).toBe(201);
    const request = requested.json as { id: string; status: string; action: string; payload: unknown };
    expect(request).toMatchObject({
      status: 'pending',
      action: 'iam.set-user-roles',
      payload: { userId: target.id, roles: ['finance', 'auditor'] },
    });
    expect(await rolesOf(target.id)).toEqual(['auditor']);

    const self = await command(maker, `/api/v1/approvals/${request.id}/approve`);
    expect(self.status).toBe(403);
    expect(self.json).toMatchObject({ code: 'maker_cannot_check' });
    expect(await rolesOf(target.id)).toEqual(['auditor']);

    const approved = await command(checker, `/api/v1/approvals/${request.id}/approve`, { note: 'ok' });
    expect(approved.status).toBe(200);
    expect(approved.json).toMatchObject({
      status: 'approved',
      checkerId: checkerUser.id,
      result: { userId: target.id, roles: ['auditor', 'finance'] },
    });
    expect(await rolesOf(target.id)).toEqual(['auditor', 'finance']);
    expect(
      (await http(server.baseUrl, 'GET', '/api/v1/staff/session', { headers: targetSession.headers(false) }))
        .status,
    ).toBe(401);

    const twice = await command(checker, `/api/v1/approvals/${request.id}/reject`, { note: 'too late' });
    expect(twice.json).toMatchObject({ status: 409, code: 'approval_not_pending' });
    expect(await auditActions(database.db, request.id)).toEqual([
      'approvals.requested',
      'approvals.approved',
    ]);
    expect(await auditActions(database.db, target.id)).toContain('iam.user-roles-changed');
  });

  it('a checker without the action’s checker permission is refused, and a rejection changes nothing', async () => {
    const maker = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['admin']),
    );
    // finance may decide approvals in general (approvals:decide) but not role changes (iam:roles-approve).
    const finance = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['finance']),
    );
    const target = await createStaff(database.db, server.config, []);
    const request = (
      await command(maker, `/api/v1/iam/users/${target.id}/role-changes`, {
        roles: ['admin'],
        reason: 'Please',
      })
    ).json as { id: string };
    const refused = await command(finance, `/api/v1/approvals/${request.id}/approve`);
    expect(refused.json).toMatchObject({
      status: 403,
      code: 'forbidden',
      detail: 'Deciding iam.set-user-roles needs the permission iam:roles-approve.',
    });
    const checker = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['admin']),
    );
    const rejected = await command(checker, `/api/v1/approvals/${request.id}/reject`, {
      note: 'No reason to be admin',
    });
    expect(rejected.json).toMatchObject({
      status: 'rejected',
      decisionNote: 'No reason to be admin',
      result: null,
    });
    expect(await rolesOf(target.id)).toEqual([]);
  });

  it('a request for an unknown role is refused when asked (422) and nothing is queued', async () => {
    const maker = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['admin']),
    );
    const target = await createStaff(database.db, server.config, []);
    const response = await command(maker, `/api/v1/iam/users/${target.id}/role-changes`, {
      roles: ['emperor'],
      reason: 'x',
    });
    expect(response.json).toMatchObject({ status: 422, code: 'role_unknown' });
    const queued = await database.tables
      .selectFrom('approval_requests')
      .select('id')
      .where('payload', '@>', JSON.stringify({ userId: target.id }))
      .execute();
    expect(queued).toEqual([]);
  });

  it('a custom role is defined through maker-checker and grants exactly its permissions', async () => {
    const maker = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['admin']),
    );
    const checker = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['admin']),
    );
    const unknown = await command(maker, '/api/v1/iam/roles', {
      name: 'ledger_viewer',
      description: 'x',
      permissions: ['ledger:fly'],
      reason: 'x',
    });
    expect(unknown.json).toMatchObject({ status: 422, code: 'permission_unknown' });
    const builtIn = await command(maker, '/api/v1/iam/roles', {
      name: 'auditor',
      description: 'x',
      permissions: [],
      reason: 'x',
    });
    expect(builtIn.json).toMatchObject({ status: 422, code: 'role_built_in' });

    const request = (
      await command(maker, '/api/v1/iam/roles', {
        name: 'ledger_viewer',
        description: 'Reads the ledger',
        permissions: ['ledger:read', 'business-date:read'],
        reason: 'External accountant',
      })
    ).json as { id: string };
    expect((await command(checker, `/api/v1/approvals/${request.id}/approve`)).status).toBe(200);
    const user = await createStaff(database.db, server.config, ['ledger_viewer']);
    const session = await signIn(database.db, server.config, user);
    expect(
      (await http(server.baseUrl, 'GET', '/api/v1/business-date', { headers: session.headers(false) }))
        .status,
    ).toBe(200);
    expect(
      (await http(server.baseUrl, 'GET', '/api/v1/iam/users', { headers: session.headers(false) })).status,
    ).toBe(403);
  });

  it('a checker may not decide a change to their own roles: 403 checker_is_subject, nothing changes', async () => {
    const maker = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['admin']),
    );
    const subject = await createStaff(database.db, server.config, ['admin']);
    const subjectSession = await signIn(database.db, server.config, subject);
    const requested = await command(maker, `/api/v1/iam/users/${subject.id}/role-changes`, {
      roles: ['admin', 'finance'],
      reason: 'Also finance',
    });
    const id = (requested.json as { id: string }).id;
    for (const decision of ['approve', 'reject']) {
      const own = await command(subjectSession, `/api/v1/approvals/${id}/${decision}`, { note: 'mine' });
      expect(own.status).toBe(403);
      expect(own.json).toMatchObject({ code: 'checker_is_subject' });
    }
    expect(await rolesOf(subject.id)).toEqual(['admin']);
    expect(await auditActions(database.db, id)).toEqual(['approvals.requested']);
    const other = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['admin']),
    );
    expect((await command(other, `/api/v1/approvals/${id}/approve`)).status).toBe(200);
    expect(await rolesOf(subject.id)).toEqual(['admin', 'finance']);
  });

  it('lists the registered actions with their maker and checker permissions', async () => {
    const auditor = await signIn(
      database.db,
      server.config,
      await createStaff(database.db, server.config, ['auditor']),
    );
    const actions = await http(server.baseUrl, 'GET', '/api/v1/approvals/actions', {
      headers: auditor.headers(false),
    });
    expect(actions.json).toEqual(
      expect.arrayContaining([
        {
          name: 'iam.define-role',
          summary: 'Create or redefine a custom role',
          makerPermission: 'iam:roles-request',
          checkerPermission: 'iam:roles-approve',
        },
        {
          name: 'iam.set-user-roles',
          summary: "Replace a staff user's roles",
          makerPermission: 'iam:roles-request',
          checkerPermission: 'iam:roles-approve',
        },
      ]),
    );
  });
});
