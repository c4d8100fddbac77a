import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createStaff, freshTotp } from '../iam/support.ts';
import { expectNoConsoleErrors, signInThroughConsole, useConsole } from './support.ts';

// Signing in to the console: password and TOTP, the first-login password change, the menu cut to
// the user's permissions, a session that ends returning to sign-in and back to the same page, and
// the language switch remembered per user.

const fixture = useConsole();

describe('console sign-in', () => {
  it('signs in with password and TOTP and shows only the menu the roles allow', async () => {
    const { database, server } = fixture;
    const collector = await createStaff(database.db, server.config, ['collector']);
    const tab = await fixture.open();
    await signInThroughConsole(database.db, tab, collector);
    const menu = await tab.page.getByTestId('menu').innerText();
    expect(menu).toContain('催收');
    expect(menu).not.toContain('财务');
    expect(menu).not.toContain('系统管理');
    // A page outside the roles answers 403, not a blank page.
    await tab.page.goto(tab.url('/finance/trial-balance'));
    await expect(tab.page.getByText('您没有查看此页面的权限').waitFor()).resolves.toBeUndefined();
    expectNoConsoleErrors(tab);
    await tab.close();
  });

  it('refuses a wrong TOTP code with the reason and stays on sign-in', async () => {
    const { database, server } = fixture;
    const user = await createStaff(database.db, server.config, ['operator']);
    const tab = await fixture.open();
    await tab.page.goto(tab.url('/'));
    await tab.page.getByLabel('用户名').fill(user.username);
    await tab.page.getByLabel(/^密码$/).fill(user.password);
    await tab.page.getByLabel('动态验证码').fill('000000');
    await tab.page.getByRole('button', { name: /登\s*录/ }).click();
    await tab.page.getByRole('alert').waitFor();
    expect(tab.page.url()).toContain('/console/login');
    await tab.close();
  });

  it('makes a first sign-in change the one-time password, then opens the console', async () => {
    const { database, server } = fixture;
    const user = await createStaff(database.db, server.config, ['operator']);
    await sql`UPDATE staff_users SET password_must_change = true WHERE id = ${user.id}::uuid`.execute(
      database.db,
    );
    const tab = await fixture.open();
    await tab.page.goto(tab.url('/'));
    await tab.page.getByLabel('用户名').fill(user.username);
    await tab.page.getByLabel(/^密码$/).fill(user.password);
    await tab.page.getByLabel('动态验证码').fill(await freshTotp(database.db, user));
    await tab.page.getByRole('button', { name: /登\s*录/ }).click();
    await tab.page.getByLabel('新密码', { exact: true }).fill('a brand new passphrase 42');
    await tab.page.getByLabel('再次输入新密码').fill('a brand new passphrase 42');
    await tab.page.getByRole('button', { name: '修改密码并进入' }).click();
    await tab.page.getByTestId('menu').waitFor();
    const row = await sql<{ password_must_change: boolean }>`
      SELECT password_must_change FROM staff_users WHERE id = ${user.id}::uuid`.execute(database.db);
    expect(row.rows[0]?.password_must_change).toBe(false);
    expectNoConsoleErrors(tab);
    await tab.close();
  });

  it('returns to sign-in when the session ends, and back to the same page after', async () => {
    const { database, server } = fixture;
    const user = await createStaff(database.db, server.config, ['finance']);
    const tab = await fixture.open();
    await signInThroughConsole(database.db, tab, user, '/finance/trial-balance?x=1');
    expect(new URL(tab.page.url()).pathname).toBe('/console/finance/trial-balance');
    // The session ends on the server (as an idle or absolute expiry would).
    await sql`UPDATE staff_sessions SET revoked_at = now(), revoked_reason = 'logout' WHERE user_id = ${user.id}::uuid`.execute(
      database.db,
    );
    await tab.page.reload();
    await tab.page.waitForURL(/\/console\/login/);
    await tab.page.getByLabel('用户名').fill(user.username);
    await tab.page.getByLabel(/^密码$/).fill(user.password);
    await tab.page.getByLabel('动态验证码').fill(await freshTotp(database.db, user));
    await tab.page.getByRole('button', { name: /登\s*录/ }).click();
    await tab.page.waitForURL(/\/console\/finance\/trial-balance\?x=1$/);
    await tab.close();
  });

  it('switches to English and back, remembered for the user', async () => {
    const { database, server } = fixture;
    const user = await createStaff(database.db, server.config, ['operator']);
    const tab = await fixture.open();
    await signInThroughConsole(database.db, tab, user);
    await tab.page.getByTestId('language').click();
    await tab.page.getByRole('menuitem', { name: 'English' }).click();
    await tab.page.getByTestId('menu').getByText('Operations').waitFor();
    await tab.page.reload();
    await tab.page.getByTestId('menu').getByText('Operations').waitFor();
    await tab.page.getByTestId('language').click();
    await tab.page.getByRole('menuitem', { name: '中文' }).click();
    await tab.page.getByTestId('menu').getByText('运营').waitFor();
    expectNoConsoleErrors(tab);
    await tab.close();
  });
});
