import { randomInt } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import type { SimFixture } from '../channel-sim/support.ts';
import { startWorld, type World } from '../loans/support.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { type ServerOptions, startTestServer, type TestServer } from '../support/server.ts';

// Browser tests of the borrower H5: Debian's Chromium driven by playwright-core, as a phone
// (360×780 CSS px, touch, zh-CN), against a real server that serves the built H5 (npm install
// builds it; tests/global-setup.ts builds it when it is missing). Every page's console errors,
// uncaught exceptions and failed loads are collected, and a test fails on any.

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const screenshotsDir = resolve(import.meta.dirname, '../../../../docs/screenshots');

export const phoneViewport = { width: 360, height: 780 };

const signInPaths = ['/api/v1/borrower/otp', '/api/v1/borrower/login', '/api/v1/borrower/token'];

export type H5Fixture = {
  database: TestDatabase;
  server: TestServer;
  /** With `sim`: the origination world (policy, products, staff, webhook receiver, background work). */
  world: World;
  browser: Browser;
  /** A new phone-sized browser context (its own storage) with a page whose errors are collected. */
  open(options?: { width?: number; height?: number; locale?: string }): Promise<H5Page>;
};

export type H5Page = {
  context: BrowserContext;
  page: Page;
  /** Console errors, uncaught exceptions and failed loads seen so far on this page. */
  errors: string[];
  /** The full URL of an H5 path (`/login` → http://127.0.0.1:<port>/h5/login). */
  url(path: string): string;
  close(): Promise<void>;
};

export type H5Options = {
  /**
   * The file's channel simulator (useSim): the server then runs beside it with the origination
   * world of tests/loans/support.ts (startWorld), so borrowers can bind cards and borrow.
   */
  sim?: SimFixture;
  /** Extra environment for the server (e.g. DEMO_SHOW_CODES=true). */
  env?: Record<string, string>;
  /** Without `sim`: options of the plain test server (IAM access control by default). */
  server?: ServerOptions;
};

/** A server on the file's own database (beside the simulator when given one) and one Chromium for the file. */
export function useH5(options: H5Options = {}): H5Fixture {
  const fixture = {} as H5Fixture;
  const opened: BrowserContext[] = [];
  beforeAll(async () => {
    fixture.database = await createTestDatabase();
    if (options.sim) {
      fixture.world = await startWorld(fixture.database, options.sim, options.env ?? {});
      fixture.server = fixture.world.server;
    } else {
      fixture.server = await startTestServer(fixture.database, {
        accessControl: 'iam',
        ...options.server,
        env: { ...options.server?.env, ...options.env },
      });
    }
    fixture.browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    fixture.open = async ({
      width = phoneViewport.width,
      height = phoneViewport.height,
      locale = 'zh-CN',
    } = {}) => {
      const context = await fixture.browser.newContext({
        viewport: { width, height },
        isMobile: true,
        hasTouch: true,
        deviceScaleFactor: 2,
        locale,
        timezoneId: 'Asia/Shanghai',
      });
      opened.push(context);
      const page = await context.newPage();
      const errors: string[] = [];
      // Chromium logs every 4xx/5xx response as a console error too; those are judged by their URL
      // instead, so that a refusal the page shows (a wrong code, an order over the line) is not an
      // error but a missing file or a server error is.
      page.on('console', (message) => {
        if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
          errors.push(`console: ${message.text()}`);
      });
      page.on('response', (response) => {
        const status = response.status();
        const path = new URL(response.url()).pathname;
        if (status >= 500 || (status === 404 && !path.startsWith('/api/')))
          errors.push(`response: ${status} ${response.request().method()} ${path}`);
        // A signed-in page never sends a call without its token (only sign-in itself may be 401).
        if (status === 401 && !signInPaths.includes(path))
          errors.push(`response: 401 ${response.request().method()} ${path}`);
      });
      page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
      return {
        context,
        page,
        errors,
        url: (path: string) => `${fixture.server.baseUrl}/h5${path}`,
        close: () => context.close(),
      };
    };
  });
  afterAll(async () => {
    for (const context of opened) await context.close().catch(() => {});
    await fixture.browser?.close();
    if (fixture.world) await fixture.world.stop();
    else await fixture.server?.close();
    await fixture.database?.drop();
  });
  return fixture;
}

/** Where the H5 keeps the signed-in borrower's tokens (packages/h5/src/auth.tsx). */
export const tokensKey = 'fenqi.h5.tokens';

/** The tokens the H5 keeps in the page's localStorage, if signed in. */
export async function storedTokens(page: Page): Promise<BorrowerTokens | undefined> {
  const stored = (await page.evaluate(`window.localStorage.getItem(${JSON.stringify(tokensKey)})`)) as
    | string
    | null;
  return stored === null ? undefined : (JSON.parse(stored) as BorrowerTokens);
}

export type BorrowerTokens = { accessToken: string; refreshToken: string; borrowerId?: string };

/**
 * Signs the H5 in with tokens got through the API (e.g. tests/loans/support.ts borrowerWithLine's
 * `borrower`): they are put where the H5 keeps them (localStorage fenqi.h5.tokens) on the H5's
 * origin, so the next page load (`page.goto(tab.url(...))`) is signed in.
 */
export async function signInWithTokens(tab: H5Page, tokens: BorrowerTokens): Promise<void> {
  const value = JSON.stringify({
    borrowerId: tokens.borrowerId ?? '',
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
  });
  if (!tab.page.url().startsWith(tab.url(''))) await tab.page.goto(tab.url('/login'));
  await tab.page.evaluate(
    `window.localStorage.setItem(${JSON.stringify(tokensKey)}, ${JSON.stringify(value)})`,
  );
}

/** Fails with the errors the page logged, if any. */
export function expectNoConsoleErrors(tab: H5Page): void {
  expect(tab.errors).toEqual([]);
}

/** Fails if the page is wider than the viewport (the H5 never scrolls sideways). */
export async function expectNoHorizontalScroll(page: Page): Promise<void> {
  // Evaluated in the page (the tests' own TypeScript has no DOM types).
  const widths = (await page.evaluate(
    '({ document: document.documentElement.scrollWidth, body: document.body.scrollWidth, viewport: window.innerWidth })',
  )) as { document: number; body: number; viewport: number };
  expect(
    widths.document,
    `page ${widths.document}px wide in a ${widths.viewport}px viewport`,
  ).toBeLessThanOrEqual(widths.viewport);
  expect(widths.body).toBeLessThanOrEqual(widths.viewport);
}

/** Saves a screenshot under docs/screenshots/ (shown in the README). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotsDir, { recursive: true });
  await page.screenshot({ path: resolve(screenshotsDir, `${name}.png`), fullPage: false });
}

/**
 * `expect.poll` for what a page shows once its API calls answered: retried until it matches, with
 * a deadline no honest run comes near on a loaded machine (Vitest's default is one second).
 */
export function settled<T>(read: () => Promise<T> | T) {
  return expect.poll(read, { timeout: 30_000, interval: 50 });
}

/** The code the demo shows (DEMO_SHOW_CODES) where a phone would receive it. */
export async function demoCode(page: Page): Promise<string> {
  const text = (await page.getByTestId('demo-code').textContent()) ?? '';
  const code = /\d{6}/.exec(text)?.[0];
  if (code === undefined) throw new Error(`no demo code in "${text}"`);
  return code;
}

/** Signs in through the H5's form with the code the demo shows. */
export async function signInWithOtp(tab: H5Page, phone: string, path = '/login'): Promise<void> {
  const { page } = tab;
  await page.goto(tab.url(path));
  await page.getByLabel('手机号').fill(phone);
  await page.getByRole('button', { name: '获取验证码' }).click();
  const code = await demoCode(page);
  await page.getByLabel('验证码').fill(code);
  await page.getByRole('button', { name: '登录' }).click();
}

/** A card number the channel simulator binds (its rules refuse some suffixes: see channel-sim). */
export const goodCard = () => `62220200${String(randomInt(0, 1e9)).padStart(9, '0')}1`;
