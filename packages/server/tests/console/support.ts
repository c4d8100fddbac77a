import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import type { DB } from '../../src/platform/db.ts';
import { freshTotp, type StaffUser } from '../iam/support.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { type ServerOptions, startTestServer, type TestServer } from '../support/server.ts';

// Browser tests of the admin console: Debian's Chromium (apt-get install chromium; .ci/run installs
// it) driven by playwright-core against a real server that serves the built console (npm install
// builds it; tests/global-setup.ts builds it when it is missing). Every page's console errors and
// uncaught exceptions are collected, and a test fails on any.

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const screenshotsDir = resolve(import.meta.dirname, '../../../../docs/screenshots');

export type ConsoleFixture = {
  database: TestDatabase;
  server: TestServer;
  browser: Browser;
  /** A new browser context (its own cookies and storage) with a page whose errors are collected. */
  open(options?: { width?: number; height?: number }): Promise<ConsolePage>;
};

export type ConsolePage = {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions seen so far on this page. */
  errors: string[];
  url(path: string): string;
  close(): Promise<void>;
};

/** A server with IAM on the file's own database and one Chromium for the file. */
export function useConsole(options: ServerOptions = {}): ConsoleFixture {
  const fixture = {} as ConsoleFixture;
  const opened: BrowserContext[] = [];
  beforeAll(async () => {
    fixture.database = await createTestDatabase();
    fixture.server = await startTestServer(fixture.database, { accessControl: 'iam', ...options });
    fixture.browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    fixture.open = async ({ width = 1440, height = 900 } = {}) => {
      const context = await fixture.browser.newContext({
        viewport: { width, height },
        locale: 'zh-CN',
        timezoneId: 'Asia/Shanghai',
      });
      opened.push(context);
      const page = await context.newPage();
      const errors: string[] = [];
      // Chromium logs every 4xx/5xx response as a console error too; those are judged by their URL
      // below instead, so that an expected answer (the signed-out session probe's 401, a refusal the
      // page shows) is not an error but a missing file or a server error is.
      page.on('console', (message) => {
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
          errors.push(`console: ${message.text()}`);
      });
      page.on('response', (response) => {
        const status = response.status();
        const path = new URL(response.url()).pathname;
        if (status >= 500 || (status === 404 && !path.startsWith('/api/')))
          errors.push(`response: ${status} ${response.request().method()} ${path}`);
      });
      page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
      return {
        context,
        page,
        errors,
        url: (path: string) => `${fixture.server.baseUrl}/console${path}`,
        close: () => context.close(),
      };
    };
  });
  afterAll(async () => {
    for (const context of opened) await context.close().catch(() => {});
    await fixture.browser?.close();
    await fixture.server?.close();
    await fixture.database?.drop();
  });
  return fixture;
}

/** Signs in through the console's form with the user's password and a fresh TOTP code. */
export async function signInThroughConsole(
  db: DB,
  console: ConsolePage,
  user: StaffUser,
  path = '/',
): Promise<void> {
  const { page } = console;
  await page.goto(console.url(path));
  await page.waitForURL(/\/console\/login/);
  await page.getByLabel(/用户名|Username/).fill(user.username);
  await page.getByLabel(/^(密码|Password)$/).fill(user.password);
  await page.getByLabel(/动态验证码|Authenticator code/).fill(await freshTotp(db, user));
  await page.getByRole('button', { name: /登\s*录|Sign in/ }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/console/login'));
  await page.getByTestId('menu').waitFor();
}

/** Fails with the errors the page logged, if any. */
export function expectNoConsoleErrors(console: ConsolePage): void {
  expect(console.errors).toEqual([]);
}

/** Saves a screenshot under docs/screenshots/ (shown in the README). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotsDir, { recursive: true });
  await page.screenshot({ path: resolve(screenshotsDir, `${name}.png`), fullPage: false });
}
