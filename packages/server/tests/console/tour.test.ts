import { readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { getBusinessDate } from '../../src/platform/business-date.ts';
import { createStaff, type StaffUser } from '../iam/support.ts';
import { simulate } from '../simulation/support.ts';
import { expectNoConsoleErrors, screenshot, signInThroughConsole, useConsole } from './support.ts';

// Every page of the console, opened by an administrator on a business that `fenqi simulate` ran
// for four months through the real services: each page loads with no console error, no failed
// request and no error alert, and the lists that such a business fills show rows. The pages are
// read from the console's own route table, so a page added without a place on this tour fails it.

const fixture = useConsole();
let admin: StaffUser;
/** Each route of the console, as the tour opens it (its parameters filled from the business). */
let stops: Map<string, string>;

const pagesDir = resolve(import.meta.dirname, '../../../console/src/pages');

/** Every route path the console's areas declare (pages/<area>/index.tsx). */
function consoleRoutes(): string[] {
  const paths = new Set<string>();
  for (const area of readdirSync(pagesDir, { withFileTypes: true })) {
    if (!area.isDirectory()) continue;
    const source = readFileSync(resolve(pagesDir, area.name, 'index.tsx'), 'utf8');
    for (const match of source.matchAll(/path: '([^']+)'/g)) paths.add(match[1] as string);
  }
  return [...paths].sort();
}

async function one(query: ReturnType<typeof sql<{ id: string }>>): Promise<string> {
  const found = await query.execute(fixture.database.db);
  const id = found.rows[0]?.id;
  if (id === undefined)
    throw new Error(`the simulated business has no row for ${query.compile(fixture.database.db).sql}`);
  return String(id);
}

beforeAll(async () => {
  const run = await simulate(fixture.database.url, { months: 4, borrowers: 24, seed: 11 });
  expect(run.code, run.stderr.slice(-3000)).toBe(0);
  const db = fixture.database.db;
  admin = await createStaff(db, fixture.server.config, ['admin']);
  const ids: Record<string, string> = {
    // An overdue loan: its page has the most to show (delinquency, a collection case).
    loan: await one(sql`
      SELECT l.id::text AS id FROM loans l JOIN collections_cases c ON c.loan_id = l.id
      ORDER BY l.created_at LIMIT 1`),
    // A customer collections worked: the 360° view's contacts have rows.
    customer: await one(
      sql`SELECT customer_id::text AS id FROM collections_cases ORDER BY created_at LIMIT 1`,
    ),
    productVersion: await one(sql`
      SELECT id::text AS id FROM product_versions WHERE status = 'published' ORDER BY created_at LIMIT 1`),
    policyVersion: await one(sql`
      SELECT id::text AS id FROM risk_policy_versions WHERE status = 'published' ORDER BY created_at LIMIT 1`),
    decision: await one(sql`SELECT id::text AS id FROM risk_decisions ORDER BY created_at LIMIT 1`),
    application: await one(sql`SELECT id::text AS id FROM risk_applications ORDER BY created_at LIMIT 1`),
    merchant: await one(sql`SELECT id::text AS id FROM merchants ORDER BY created_at LIMIT 1`),
    order: await one(sql`SELECT order_no AS id FROM payment_orders ORDER BY id LIMIT 1`),
    case: await one(sql`SELECT id::text AS id FROM collections_cases ORDER BY created_at LIMIT 1`),
    entry: await one(sql`SELECT id::text AS id FROM ledger_entries ORDER BY id DESC LIMIT 1`),
    submission: await one(sql`SELECT id::text AS id FROM bureau_submissions ORDER BY created_at LIMIT 1`),
  };
  const fill: Record<string, string> = {
    '/customers/:customerId': `/customers/${ids.customer}`,
    '/loans/:loanId': `/loans/${ids.loan}`,
    '/products/versions/:versionId': `/products/versions/${ids.productVersion}`,
    '/risk/policies/:versionId': `/risk/policies/${ids.policyVersion}`,
    '/risk/decisions/:decisionId': `/risk/decisions/${ids.decision}`,
    '/risk/applications/:applicationId': `/risk/applications/${ids.application}`,
    '/merchants/:merchantId': `/merchants/${ids.merchant}`,
    '/payments/orders/:orderNo': `/payments/orders/${ids.order}`,
    '/collections/cases/:caseId': `/collections/cases/${ids.case}`,
    '/finance/accounts/:code': '/finance/accounts/1301',
    '/finance/entries/:entryId': `/finance/entries/${ids.entry}`,
    '/operations/bureau/submissions/:submissionId': `/operations/bureau/submissions/${ids.submission}`,
  };
  stops = new Map(consoleRoutes().map((route) => [route, fill[route] ?? route]));
}, 600_000);

// Lists a four-month business fills: each shows at least one row.
const filledLists = [
  '/loans',
  '/products',
  '/merchants',
  '/risk/policies',
  '/payments/orders',
  '/collections/cases',
  '/collections/strategies',
  '/finance/entries',
  '/finance/accounts',
  '/operations/cob',
  '/operations/bureau',
  '/administration/users',
  '/administration/audit',
];

describe('a tour of every console page on a simulated business', () => {
  it('knows a concrete page for every route', () => {
    const unfilled = [...stops.values()].filter((path) => path.includes(':'));
    expect(unfilled).toEqual([]);
    expect(stops.size).toBeGreaterThanOrEqual(40);
  });

  it('opens each page with its data, no console error, no failed request and no error alert', async () => {
    const tab = await fixture.open();
    await signInThroughConsole(fixture.database.db, tab, admin, '/');
    const open = await getBusinessDate(fixture.database.db);
    // Two refusals are states a page shows by design: the open day's close of business not
    // started yet, and a blank product draft's field errors next to its preview.
    const designed = new Set([
      `404 GET /api/v1/cob/runs/${open} on /console/operations/cob`,
      '422 POST /api/v1/products/preview on /console/products/new',
    ]);
    const refused: string[] = [];
    tab.page.on('response', (response) => {
      const path = new URL(response.url()).pathname;
      const seen = `${response.status()} ${response.request().method()} ${path} on ${new URL(tab.page.url()).pathname}`;
      if (path.startsWith('/api/') && response.status() >= 400 && !designed.has(seen)) refused.push(seen);
    });
    const empty: string[] = [];
    for (const [route, path] of stops) {
      await tab.page.goto(tab.url(path));
      await tab.page.waitForLoadState('networkidle');
      await tab.page
        .locator('.ant-spin-spinning')
        .first()
        .waitFor({ state: 'detached' })
        .catch(() => {});
      expect(await tab.page.locator('.ant-alert-error').count(), `error alert on ${path}`).toBe(0);
      expect(await tab.page.getByText('您没有查看此页面的权限').count(), `403 on ${path}`).toBe(0);
      if (filledLists.includes(route) && (await tab.page.locator('.ant-table-row').count()) === 0)
        empty.push(path);
      if (route === '/') await screenshot(tab.page, 'dashboard-simulated');
      if (route === '/customers/:customerId') {
        await tab.page.getByRole('tab', { name: '联系记录' }).click();
        const targets = tab.page.getByTestId('customer-contacts').getByTestId('targets');
        await targets.locator('.ant-table-row').first().waitFor();
      }
    }
    expect(empty).toEqual([]);
    expect(refused).toEqual([]);
    expectNoConsoleErrors(tab);
    await tab.close();
  });
});
