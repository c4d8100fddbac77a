import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createStaff } from '../iam/support.ts';
import { expectNoConsoleErrors, signInThroughConsole, useConsole } from './support.ts';

// Maker-checker through the console with two people in two browsers: administrator A asks for a
// user's roles to change, cannot approve it themself, and administrator B approves it in the inbox
// — the roles change in the database. Then the audit log with its chain verified, and the users.

const fixture = useConsole();

const rolesOf = async (userId: string) =>
  (
    await sql<{
      role: string;
    }>`SELECT role FROM staff_user_roles WHERE user_id = ${userId}::uuid ORDER BY role`.execute(
      fixture.database.db,
    )
  ).rows.map((row) => row.role);

describe('administration', () => {
  it('a role change asked by one administrator is approved by another in the inbox', async () => {
    const { database, server } = fixture;
    const maker = await createStaff(database.db, server.config, ['admin'], 'admin-anna');
    const checker = await createStaff(database.db, server.config, ['admin'], 'admin-bo');
    const target = await createStaff(database.db, server.config, ['operator'], 'ops-chen');

    const a = await fixture.open();
    await signInThroughConsole(database.db, a, maker, '/administration/users');
    const users = a.page.getByTestId('users');
    await users.getByTestId('user-ops-chen').waitFor();
    const listed = await users
      .locator('tr.ant-table-row')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 4).map((td) => td.textContent?.trim())),
      );
    expect(listed).toEqual([
      ['admin-anna我', 'admin-anna', '有效', 'admin'],
      ['admin-bo', 'admin-bo', '有效', 'admin'],
      ['ops-chen', 'ops-chen', '有效', 'operator'],
    ]);
    // Filtered on the server by role.
    await a.page.goto(a.url('/administration/users?role=operator'));
    await users.getByTestId('user-ops-chen').waitFor();
    expect(await users.locator('tr.ant-table-row').count()).toBe(1);

    await users.getByTestId('role-change-ops-chen').click();
    await a.page.getByTestId('role-change-roles').click();
    await a.page
      .locator('.ant-select-dropdown:visible .ant-select-item-option')
      .filter({ hasText: /^finance · / })
      .click();
    await a.page.keyboard.press('Escape');
    await a.page.getByTestId('role-change-reason').fill('兼任财务复核');
    await a.page.getByTestId('role-change-submit').click();
    await a.page.getByText('角色变更已申请').waitFor();
    const request = await sql<{ id: string; status: string; payload: unknown; maker_id: string }>`
      SELECT id, status, payload, maker_id::text FROM approval_requests WHERE action = 'iam.set-user-roles'`.execute(
      database.db,
    );
    expect(request.rows).toHaveLength(1);
    const requested = request.rows[0] as { id: string; status: string; payload: unknown; maker_id: string };
    expect(requested).toMatchObject({
      status: 'pending',
      maker_id: maker.id,
      payload: { userId: target.id, roles: ['operator', 'finance'] },
    });
    expect(await rolesOf(target.id)).toEqual(['operator']);

    // The maker sees the request in the inbox but may not decide it.
    await a.page.goto(a.url('/administration/approvals'));
    await a.page.getByTestId(`approval-open-${requested.id}`).click();
    await a.page.getByTestId('approval-refusal').getByText('这是您发起的申请').waitFor();
    expect(await a.page.getByTestId('approval-approve').count()).toBe(0);

    // The checker, in a browser of their own.
    const b = await fixture.open();
    await signInThroughConsole(database.db, b, checker, '/administration/approvals');
    const row = b.page.getByTestId('approvals').locator('tr.ant-table-row');
    await row.first().waitFor();
    expect(await row.first().textContent()).toContain('变更用户角色');
    // The maker by name, not by id.
    expect(await row.first().textContent()).toContain('admin-anna');
    await b.page.getByTestId(`approval-open-${requested.id}`).click();
    const drawer = b.page.getByTestId('approval-drawer');
    expect(JSON.parse((await drawer.getByTestId('approval-payload').textContent()) ?? '')).toEqual({
      userId: target.id,
      roles: ['operator', 'finance'],
    });
    await b.page.getByTestId('approval-note').fill('已核实');
    await b.page.getByTestId('approval-approve').click();
    await b.page.getByTestId('approval-decided').getByText('已批准，操作已执行').waitFor();

    expect(await rolesOf(target.id)).toEqual(['finance', 'operator']);
    const decided = await sql<{ status: string; checker_id: string; decision_note: string }>`
      SELECT status, checker_id::text, decision_note FROM approval_requests WHERE id = ${requested.id}::uuid`.execute(
      database.db,
    );
    expect(decided.rows).toEqual([{ status: 'approved', checker_id: checker.id, decision_note: '已核实' }]);

    // Decided requests leave the pending inbox.
    await b.page.keyboard.press('Escape');
    await b.page.goto(b.url('/administration/approvals'));
    await b.page.getByTestId('approvals').locator('.ant-empty').waitFor();

    // The audit log, newest first, with the chain verified.
    await b.page.goto(b.url('/administration/audit'));
    await b.page.getByTestId('audit-chain-status').getByText('完整').waitFor();
    const events = b.page.getByTestId('audit-events').locator('tr.ant-table-row');
    await events.first().waitFor();
    const newest = await events
      .first()
      .evaluate((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim()));
    expect(newest).toContain('approvals.approved');
    const rows = await sql<{ n: number }>`SELECT count(*)::int AS n FROM audit_log`.execute(database.db);
    await b.page.getByTestId('audit-chain').getByText(String(rows.rows[0]?.n)).first().waitFor();
    // Filtered on the server by action.
    await b.page.goto(b.url('/administration/audit?action=approvals.requested'));
    await b.page.getByTestId('audit-events').locator('tr.ant-table-row').first().waitFor();
    const actions = await b.page
      .getByTestId('audit-events')
      .locator('tr.ant-table-row td:nth-child(5)')
      .allTextContents();
    expect(actions).toEqual(['approvals.requested']);

    expectNoConsoleErrors(a);
    expectNoConsoleErrors(b);
    await a.close();
    await b.close();
  });
});
