import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney } from '../../../console/src/format.ts';
import { useSim } from '../channel-sim/support.ts';
import { createStaff, type StaffUser } from '../iam/support.ts';
import {
  acceptedLoanId,
  borrowerWithLine,
  createOrder,
  loanInState,
  merchantWithWebhooks,
  startWorld,
  until,
  type World,
} from '../loans/support.ts';
import { accountOpened, startOn } from '../servicing/support.ts';
import { http } from '../support/server.ts';
import { expectNoConsoleErrors, signInThroughConsole, useConsole } from './support.ts';

// The operations pages on a real book of one loan (3,000.00 over three months of the POS product,
// originated through the API and disbursed through the channel simulator on 2026-01-15): close of
// business started from the console and closed by the world's running worker loop, its progress
// polled to the end, the summary and the business date moved on; then the bureau's T+1 generation
// of that day's new-account record, the submission file made of it (digest shown, the download's
// SHA-256 checked) and the bureau's feedback imported.

const sim = useSim();
const fixture = useConsole();
let world: World;
let user: StaffUser;
let loanId: string;

beforeAll(async () => {
  const { database, server } = fixture;
  await startOn(database.db, '2026-01-15');
  world = await startWorld(database, sim);
  const merchant = await merchantWithWebhooks(world);
  const borrower = await borrowerWithLine(world, database.db);
  const made = await createOrder(world, merchant, 300_000n);
  loanId = await acceptedLoanId(world, borrower, made.checkoutToken, 3);
  await loanInState(world, loanId, 'active');
  await accountOpened(database.db, loanId);
  // The bureau has queued the disbursement (its 10 record is made T+1).
  await until(async () => {
    const row = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM bureau_events WHERE loan_id = ${loanId}::uuid AND kind = 'disbursed'`.execute(
      database.db,
    );
    return (row.rows[0]?.n ?? 0) === 1;
  });
  // An operator who is also finance: runs close of business and makes bureau files.
  user = await createStaff(database.db, server.config, ['operator', 'finance']);
}, 300_000);

afterAll(async () => {
  await world?.stop();
});

describe('the operations pages', () => {
  it('runs close of business from the console and watches it to the end', async () => {
    const { database, server } = fixture;
    const tab = await fixture.open();
    const { page } = tab;
    await signInThroughConsole(database.db, tab, user, '/operations/cob');
    await page.getByTestId('business-date').getByText('2026-01-15').waitFor();
    expect(await page.getByTestId('cob-business-date').innerText()).toBe('2026-01-15');
    await page.getByText('营业日 2026-01-15 尚未执行日终').waitFor();
    await page
      .getByTestId('cob-history')
      .locator('.ant-empty-description', { hasText: '暂无数据' })
      .waitFor();

    await page.getByTestId('cob-start').click();
    await page.getByTestId('cob-confirm').click();
    const progress = page.getByTestId('cob-progress');
    await progress.waitFor();
    expect(new URL(page.url()).searchParams.get('run')).toBe('2026-01-15');
    // The worker loop closes the one partition; the page polls until the run is done.
    await page.locator('[data-testid="cob-progress"][data-status="done"]').waitFor();
    expect(await progress.getAttribute('data-percent')).toBe('100');
    await page.getByTestId('cob-finished').getByText('日终完成，营业日已推进到 2026-01-16').waitFor();

    const got = await http(server.baseUrl, 'GET', '/api/v1/cob/runs/2026-01-15', {
      headers: world.admin.headers(false),
    });
    expect(got.status, got.text).toBe(200);
    const summary = (got.json as { summary: Record<string, unknown> }).summary;
    expect(summary).toMatchObject({
      date: '2026-01-15',
      nextBusinessDate: '2026-01-16',
      loans: 1,
      partitions: 1,
    });
    expect(await page.getByTestId('summary-loans').innerText()).toBe('1');
    expect(await page.getByTestId('summary-interest').innerText()).toBe(
      formatMoney(summary.accruedInterestMinor as string),
    );
    // The header's business date moved with the close.
    await page.getByTestId('business-date').getByText('2026-01-16').waitFor();
    // …and the history lists the run.
    const run = page.getByTestId('cob-history').locator('tr.ant-table-row', { hasText: '2026-01-15' });
    await run.waitFor();
    expect(await run.innerText()).toContain('已完成');
    expectNoConsoleErrors(tab);
    await tab.close();
  });

  it('generates the bureau records, makes the submission file, downloads it and imports the feedback', async () => {
    const { database } = fixture;
    const tab = await fixture.open();
    const { page } = tab;
    await signInThroughConsole(database.db, tab, user, '/operations/bureau');
    await page
      .getByTestId('bureau-submissions')
      .locator('.ant-empty-description', { hasText: '暂无数据' })
      .waitFor();

    // T+1: generation date 2026-01-16 (the open date) reports 01-15's new account.
    await page.getByTestId('bureau-generate').click();
    await page.getByTestId('generate-submit').click();
    await page.getByTestId('generation-records').waitFor();
    expect(await page.getByTestId('generation-records').innerText()).toBe('1');
    await page.getByTestId('generate-close').click();

    // The file of 01-15 (the default range: the day before the open date).
    await page.getByTestId('bureau-new-submission').click();
    await page.getByTestId('submission-submit').click();
    await page.waitForURL(/\/console\/operations\/bureau\/submissions\/[0-9a-f-]{36}$/);
    const submissionId = page.url().split('/').at(-1) ?? '';
    const stored = await sql<{ digest: string; records: number }>`
      SELECT digest, records FROM bureau_submissions WHERE id = ${submissionId}::uuid`.execute(database.db);
    const digest = stored.rows[0]?.digest ?? '';
    expect(stored.rows[0]?.records).toBe(1);
    await page.getByTestId('submission-digest').getByText(digest).waitFor();
    expect(await page.getByTestId('submission-records').innerText()).toBe('1');
    await page.getByText('所有记录均已报送').waitFor();

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('download-xml').click(),
    ]);
    const xml = await readFile((await download.path()) ?? '');
    expect(createHash('sha256').update(xml).digest('hex')).toBe(digest);
    expect(xml.toString('utf8')).toContain('<RptDateCode>10</RptDateCode>');
    await page.getByTestId('digest-verified').waitFor();

    // The bureau accepts the record (CSV feedback).
    const record = await sql<{ id: string }>`
      SELECT id FROM bureau_records WHERE loan_id = ${loanId}::uuid AND rpt_date_code = '10'`.execute(
      database.db,
    );
    const recordId = record.rows[0]?.id ?? '';
    await page
      .getByTestId('feedback')
      .locator('input[type=file]')
      .setInputFiles({
        name: 'feedback.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(`recordId,result,reason\n${recordId},accepted,\n`),
      });
    await page.getByTestId('feedback-file-name').getByText('feedback.csv').waitFor();
    await page.getByTestId('feedback-import').click();
    await page.getByTestId('feedback-result').waitFor();
    expect(await page.getByTestId('feedback-accepted').innerText()).toBe('1');
    expect(await page.getByTestId('feedback-rejected').innerText()).toBe('0');
    const status = await sql<{
      status: string;
    }>`SELECT status FROM bureau_records WHERE id = ${recordId}::uuid`.execute(database.db);
    expect(status.rows).toEqual([{ status: 'accepted' }]);

    // The list shows the file, and the records tab the accepted record.
    await page.goto(tab.url('/operations/bureau'));
    const row = page.getByTestId('bureau-submissions').locator('tr.ant-table-row', { hasText: '2026-01-15' });
    await row.waitFor();
    expect(await row.innerText()).toContain(`${digest.slice(0, 16)}…`);
    await page.goto(tab.url('/operations/bureau?tab=records&status=accepted'));
    await page.getByTestId('bureau-records').locator('tr.ant-table-row', { hasText: '10 新开户' }).waitFor();
    expectNoConsoleErrors(tab);
    await tab.close();
  });
});
