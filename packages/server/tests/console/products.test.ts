import { localDate, parseProduct, quoteProduct } from '@fenqi/core';
import { Decimal } from 'decimal.js';
import { sql } from 'kysely';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createStaff } from '../iam/support.ts';
import { expectNoConsoleErrors, screenshot, signInThroughConsole, useConsole } from './support.ts';

// The product editor: an operator writes a draft in the form and sees, as they type, the schedule
// and both annualized rates of a loan under it — exact to the fen and the basis point against
// core's own quote — a warning when a price goes above the APR cap, then saves the draft and asks
// for it to be published (maker-checker: the version is pending until a checker decides).

const fixture = useConsole();

/** What the form below describes, as the API stores it. */
const expectedDefinition = {
  code: 'console-installment',
  name: { zh: '家电分期', en: 'Appliance installments' },
  method: 'equal_installment',
  frequency: 'monthly',
  termsOffered: [3, 6, 12],
  prices: [
    { grade: 'A', kind: 'annual_rate', rate: '0.156' },
    { grade: 'B', kind: 'annual_rate', rate: '0.198' },
  ],
  dayCount: 'ACT_360',
  remainder: 'last_principal',
  rounding: 'half_up',
  graceDays: 3,
  penaltyMarkup: '0.50',
  prepayment: { allowed: true },
  amountMinMinor: '100000',
  amountMaxMinor: '5000000',
  revolving: false,
  coolingOffDays: 7,
  postingBasis: 'accrual',
};

/** Fen as the console writes money: thousands separators, two decimals. */
const formatMoney = (fen: bigint) =>
  `${(fen / 100n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${(fen % 100n).toString().padStart(2, '0')}`;
const percent = (rate: Decimal) => `${rate.times(100).toFixed(2, Decimal.ROUND_HALF_UP)}%`;

async function choose(page: Page, testId: string, option: string) {
  await page.getByTestId(testId).click();
  await page
    .locator('.ant-select-dropdown:visible .ant-select-item-option')
    .filter({ hasText: option })
    .first()
    .click();
}

describe('the product editor', () => {
  it('previews a draft’s schedule and both rates exactly, warns above the cap, and asks for publishing', async () => {
    const { database, server } = fixture;
    const operator = await createStaff(database.db, server.config, ['operator']);
    const tab = await fixture.open();
    const { page } = tab;
    await signInThroughConsole(database.db, tab, operator, '/products');
    await page.getByTestId('product-versions').waitFor();
    await page.getByTestId('product-new').click();
    await page.waitForURL(/\/console\/products\/new$/);

    await page.getByTestId('field-code').fill(expectedDefinition.code);
    await page.getByTestId('field-name-zh').fill(expectedDefinition.name.zh);
    await page.getByTestId('field-name-en').fill(expectedDefinition.name.en);
    await page.getByTestId('price-0-rate').fill('15.6');
    await page.getByTestId('price-add').click();
    await page.getByTestId('price-1-rate').fill('19.8');

    // A loan of 12,000.00 over 6 installments at grade A, from the business date.
    await choose(page, 'preview-term', '6 期');
    await page.getByTestId('preview-amount').fill('12000.00');
    await page.getByTestId('rate-nominal').filter({ hasText: '15.60%' }).waitFor();

    const businessDate = (
      await sql<{ d: string }>`SELECT business_date::text AS d FROM business_date`.execute(database.db)
    ).rows[0]?.d as string;
    const product = parseProduct(expectedDefinition);
    if (!product.ok) throw new Error(JSON.stringify(product.issues));
    const quoted = quoteProduct(product.value, {
      grade: 'A',
      termCount: 6,
      principalMinor: 1_200_000n,
      startDate: localDate(businessDate),
    });
    if (!quoted.ok) throw new Error(JSON.stringify(quoted.issues));
    const { schedule, rates } = quoted.value;

    const schedulePanel = page.getByTestId('preview-schedule');
    // The preview follows the form once it settles: wait for this loan's last installment.
    const last = schedule.installments[schedule.installments.length - 1];
    await schedulePanel.getByText(last?.dueDate ?? '', { exact: true }).waitFor();
    await schedulePanel
      .getByText(formatMoney(schedule.installments[0]?.principalMinor ?? 0n), { exact: true })
      .waitFor();
    const rows = await schedulePanel
      .locator('tr.ant-table-row')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim() ?? '')),
      );
    expect(rows).toEqual(
      schedule.installments.map((i) => [
        String(i.number),
        i.dueDate,
        formatMoney(i.principalMinor),
        formatMoney(i.interestMinor),
        formatMoney(i.feeMinor),
        formatMoney(i.totalMinor),
        formatMoney(i.balanceMinor),
      ]),
    );
    expect(await page.getByTestId('rate-simple').textContent()).toBe(percent(rates.simple));
    expect(await page.getByTestId('rate-irr').textContent()).toBe(percent(rates.irr));
    expect(percent(rates.irr)).toBe('16.77%');
    expect(await page.getByTestId('cap-status').textContent()).toBe('未超过 24.00% 上限');
    expect(await page.getByTestId('cap-warnings').count()).toBe(0);
    await page.mouse.move(700, 880);
    await page.locator('.ant-tooltip:not(.ant-tooltip-hidden)').waitFor({ state: 'hidden' });
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'product-editor');

    // Above the cap: 26 % nominal is an IRR of 29.33 %, refused at every term for grade A.
    await page.getByTestId('price-0-rate').fill('26');
    await page.getByTestId('rate-nominal').filter({ hasText: '26.00%' }).waitFor();
    expect(await page.getByTestId('cap-status').textContent()).toBe('超过 24.00% 上限');
    const warnings = await page.getByTestId('cap-warnings').textContent();
    expect(warnings).toContain('3 处期限与等级的问题');
    for (const term of [3, 6, 12]) expect(warnings).toContain(`grade A at ${term} installments`);
    expect(warnings).not.toContain('grade B');

    await page.getByTestId('price-0-rate').fill('15.6');
    await page.getByTestId('rate-nominal').filter({ hasText: '15.60%' }).waitFor();
    await page.getByTestId('cap-warnings').waitFor({ state: 'detached' });

    await page.getByTestId('product-save').click();
    await page.waitForURL(/\/console\/products\/versions\/[0-9a-f-]{36}$/);
    const versionId = page.url().split('/').pop() as string;
    const stored = await sql<{ definition: unknown; status: string }>`
      SELECT definition, status FROM product_versions WHERE id = ${versionId}::uuid`.execute(database.db);
    expect(stored.rows[0]).toEqual({ definition: expectedDefinition, status: 'draft' });

    await page.getByTestId('product-publish').click();
    await page.getByTestId('publish-reason').fill('新品上线');
    await page.getByTestId('publish-submit').click();
    await page.getByTestId('pending-info').waitFor();
    const pending = await sql<{ status: string; action: string; maker_id: string; reason: string }>`
      SELECT v.status, a.action, a.maker_id::text, a.reason
      FROM product_versions v JOIN approval_requests a ON a.id = v.approval_request_id
      WHERE v.id = ${versionId}::uuid`.execute(database.db);
    expect(pending.rows).toEqual([
      { status: 'pending', action: 'products.publish-version', maker_id: operator.id, reason: '新品上线' },
    ]);
    // The versions of the code are listed under the editor, paged on the server.
    await page.getByTestId('product-versions').getByText('console-installment v1').waitFor();
    expectNoConsoleErrors(tab);
    await tab.close();
  });
});
