import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { createStaff, type StaffUser, signIn } from '../iam/support.ts';
import { applicant, apply, publishPolicy, type Staff, testPolicy, write } from '../risk/support.ts';
import { http } from '../support/server.ts';
import { type ConsolePage, expectNoConsoleErrors, signInThroughConsole, useConsole } from './support.ts';

// The risk pages on real data: a published champion and a newer draft, an application approved and
// one sent to review, both decided by the real services. The analyst lists the versions, is stopped
// by the schema check before anything is written (and shown the server's own field errors for what
// only it checks), compares the two versions, opens the decision trace, backtests, and works the
// review queue through to a granted line.

const fixture = useConsole();
let analyst: StaffUser;
let staff: Staff;
let versions: { v1: string; v2: string };
let approved: { id: string; decisionId: string };
let reviewed: string;

const policyRows = async () =>
  (await sql<{ n: number }>`SELECT count(*)::int AS n FROM risk_policy_versions`.execute(fixture.database.db))
    .rows[0]?.n;

beforeAll(async () => {
  const { database, server } = fixture;
  analyst = await createStaff(database.db, server.config, ['risk_analyst']);
  const approver = await createStaff(database.db, server.config, ['approver']);
  staff = {
    analyst: await signIn(database.db, server.config, analyst),
    approver: await signIn(database.db, server.config, approver),
  };
  const v1 = await publishPolicy(server, staff, testPolicy(1));
  const second = testPolicy(2) as { rules: { when: { value: number } }[] };
  (second.rules[0] as { when: { value: number } }).when.value = 60;
  const draft = await http(server.baseUrl, 'POST', '/api/v1/risk/policies', {
    body: { document: second },
    headers: write(staff.analyst),
  });
  expect(draft.status, draft.text).toBe(201);
  versions = { v1, v2: (draft.json as { id: string }).id };

  const businessDate = (
    await sql<{ d: string }>`SELECT business_date::text AS d FROM business_date`.execute(database.db)
  ).rows[0]?.d as string;
  const bornYearsAgo = (age: number) => `${Number(businessDate.slice(0, 4)) - age}${businessDate.slice(4)}`;
  const young = await apply(server, await applicant(server, database.db, bornYearsAgo(35)));
  expect(young.status, young.text).toBe(201);
  const body = young.json as { id: string; status: string; decision: { id: string } };
  expect(body.status).toBe('approved');
  approved = { id: body.id, decisionId: body.decision.id };
  const older = await apply(server, await applicant(server, database.db, bornYearsAgo(57)));
  expect((older.json as { status: string }).status).toBe('in_review');
  reviewed = (older.json as { id: string }).id;
});

describe('the risk pages', () => {
  let tab: ConsolePage;

  it('lists the versions, checks a document against the schema and shows the server’s field errors, writing nothing', async () => {
    const { database } = fixture;
    tab = await fixture.open();
    const { page } = tab;
    await signInThroughConsole(database.db, tab, analyst, '/risk/policies');
    const list = page.getByTestId('policy-versions');
    await list.getByText('consumer-test v2').waitFor();
    const rows = await list
      .locator('tr.ant-table-row')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent?.trim())),
      );
    expect(rows).toEqual([
      ['consumer-test v2', '草稿', '—'],
      ['consumer-test v1', '已发布', '冠军策略'],
    ]);

    const before = await policyRows();
    await page.goto(tab.url(`/risk/policies/new?from=${versions.v2}`));
    const editor = page.getByTestId('policy-json');
    await editor.waitFor();
    expect(JSON.parse(await editor.inputValue())).toMatchObject({ id: 'consumer-test', version: 3 });
    await page.getByTestId('policy-check').getByText('符合策略 Schema').waitFor();

    // What the schema refuses: the save stays disabled and each problem is named at its place.
    const broken: Record<string, unknown> = { ...testPolicy(3), version: 0, extra: true };
    const rules = [...(broken.rules as object[])];
    rules[1] = { ...rules[1], when: { feature: 'applications1d', op: 'between', value: [30] } };
    broken.rules = rules;
    await editor.fill(JSON.stringify(broken, null, 2));
    const problems = page.getByTestId('policy-client-errors');
    await problems.getByText('/version').waitFor();
    const text = await problems.textContent();
    expect(text).toContain('有 3 处不符合策略 Schema');
    expect(text).toMatch(/\/version\s*不能小于 1/);
    expect(text).toMatch(/\/rules\/1\/when\/value\s*至少 2 项/);
    expect(text).toMatch(/\/extra\s*extra 不是此处的字段/);
    expect(await page.getByTestId('policy-save').isDisabled()).toBe(true);
    await editor.fill('{ "id": "consumer-test", ');
    await problems.getByText('不是有效的 JSON').waitFor();

    // What only the server sees: bins with a gap pass the schema and are refused at their field.
    const gap = testPolicy(3) as { scorecard: { characteristics: { bins: unknown[] }[] } };
    (gap.scorecard.characteristics[0] as { bins: unknown[] }).bins = [
      { range: [null, 30], points: 50 },
      { range: [31, null], points: 30 },
    ];
    await editor.fill(JSON.stringify(gap, null, 2));
    await page.getByTestId('policy-check').getByText('符合策略 Schema').waitFor();
    await page.getByTestId('policy-save').click();
    const server = page.getByTestId('policy-server-errors');
    await server.getByText('document/scorecard/characteristics/0/bins', { exact: false }).first().waitFor();
    expect(await server.textContent()).toContain('bins');
    expect(await policyRows()).toBe(before);
    expect(page.url()).toContain('/risk/policies/new');
  });

  it('compares two versions line by line', async () => {
    const { page } = tab;
    await page.goto(tab.url(`/risk/policies/diff?left=${versions.v1}&right=${versions.v2}`));
    const diff = page.getByTestId('policy-diff');
    await diff.waitFor();
    const removed = await diff.locator('tr.diff-removed .diff-text').allTextContents();
    const added = await diff.locator('tr.diff-added .diff-text').allTextContents();
    const lines = (list: string[]) => list.map((line) => line.replace(/^[+−]\s*/, '').trim());
    expect({ removed: lines(removed), added: lines(added) }).toEqual({
      removed: ['"value": 55,', '"version": 1,'],
      added: ['"value": 60,', '"version": 2,'],
    });
    expect(await page.getByTestId('diff-added-count').textContent()).toBe('+2 行');
    expect(await page.getByTestId('diff-removed-count').textContent()).toBe('−2 行');
  });

  it('opens the decision trace of a real application, replayed against its version', async () => {
    const { page } = tab;
    await page.goto(tab.url(`/risk/decisions/${approved.decisionId}`));
    const trace = page.getByTestId('decision-trace');
    await trace.waitFor();
    expect(await page.getByTestId('replay-status').textContent()).toBe('重放一致');
    expect(await page.getByTestId('trace-score').textContent()).toBe('660');
    expect(await page.getByTestId('application-limit').textContent()).toBe('50,000.00');
    const rules = await page
      .getByTestId('trace-rules')
      .locator('tr.ant-table-row')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim())),
      );
    expect(rules).toEqual([
      ['R001', '通过', '转人工', 'R001_OLDER_APPLICANT_REVIEW', 'age = 35'],
      ['R002', '通过', '拒绝', 'R002_TOO_MANY_APPLICATIONS', 'applications1d = 0'],
      ['R003', '通过', '拒绝', 'R003_BLACKLISTED', 'blacklisted = false'],
    ]);
    const scorecard = await page
      .getByTestId('trace-scorecard')
      .locator('tr.ant-table-row')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent?.trim())),
      );
    expect(scorecard).toEqual([
      ['age', '35', '#2', '80'],
      ['kycLevel', '"real_name"', '其他', '0'],
    ]);
    await trace.getByText('基础分 580 + 各项得分 80').waitFor();
    // The same trace by application (the review queue links there).
    await page.goto(tab.url(`/risk/applications/${approved.id}`));
    await page.getByTestId('trace-score').getByText('660').waitFor();
  });

  it('backtests a draft over the period’s applications', async () => {
    const { page } = tab;
    await page.goto(tab.url(`/risk/policies/${versions.v2}`));
    await page.getByRole('tab', { name: '回测' }).click();
    await page.getByTestId('backtest-run').click();
    const result = page.getByTestId('backtest-result');
    await result.waitFor();
    const text = await result.textContent();
    expect(text).toContain('参与比较的申请2');
    // Under v2 the 57-year-old is below the review age of 60: approved at grade B.
    expect(text).toContain('结论会改变1');
  });

  it('works the review queue: claim, then approve with a reason code', async () => {
    const { database } = fixture;
    const { page } = tab;
    await page.goto(tab.url('/risk/reviews'));
    const queue = page.getByTestId('review-queue');
    await page.getByTestId(`claim-${reviewed}`).click();
    await page.getByTestId(`decide-${reviewed}`).click();
    await page.getByTestId('review-reason').click();
    await page
      .locator('.ant-select-dropdown:visible .ant-select-item-option')
      .filter({ hasText: 'V001' })
      .click();
    await page.getByTestId('review-decide-submit').click();
    await queue.getByText('没有数据').or(queue.locator('.ant-empty')).first().waitFor();
    const decided = await sql<{
      status: string;
      decision: string;
      reason_code: string;
      app: string;
      limit: string;
    }>`
      SELECT r.status, r.decision, r.reason_code, a.status AS app, a.limit_minor::text AS limit
      FROM risk_reviews r JOIN risk_applications a ON a.id = r.application_id
      WHERE r.application_id = ${reviewed}::uuid`.execute(database.db);
    expect(decided.rows).toEqual([
      {
        status: 'decided',
        decision: 'approve',
        reason_code: 'V001_DOCUMENTS_VERIFIED',
        app: 'approved',
        limit: '2000000',
      },
    ]);
    expectNoConsoleErrors(tab);
    await tab.close();
  });
});
