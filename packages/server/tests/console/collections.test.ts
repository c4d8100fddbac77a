import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMoney } from '../../../console/src/format.ts';
import { useSim } from '../channel-sim/support.ts';
import { caseOfLoan, staff } from '../collections/support.ts';
import { createStaff, type StaffCredentials, type StaffUser, signIn } from '../iam/support.ts';
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
import { accountOpened, closeDaysThrough, startOn } from '../servicing/support.ts';
import { expectNoConsoleErrors, screenshot, signInThroughConsole, useConsole } from './support.ts';

// The collections pages on a real overdue loan: 3,000.00 over three months of the POS product from
// 2026-01-15 (installments of 1,024.10, the first due 02-15), originated through the API and
// disbursed through the channel simulator, its days closed through 02-23 — past the three grace
// days, so servicing's loan-overdue event opens a case that the published strategy gives the
// collector. The server's wall clock is injected, so the quiet hours are deterministic: 10:00 in
// Shanghai for the recorded attempt, 22:30 for the refused one.

const sim = useSim();
/** The wall clock the console's server sees. */
let now = new Date('2026-02-24T02:00:00Z');
const fixture = useConsole({ clock: () => now });
const local = (hhmm: string) => new Date(`2026-02-24T${hhmm}:00+08:00`);

let world: World;
let operatorUser: StaffUser;
let operator: StaffCredentials;
let collectorUser: StaffUser;
let collector: StaffCredentials;
let loanId: string;
let loanNo: string;
let caseId: string;

type Detail = {
  case: { dpd: number; overdueMinor: string; bucket: string; state: string };
  contacts: { outcome: string; refusedRule: string | null; note: string | null; channel: string }[];
  promises: { promisedDate: string; amountMinor: string; status: string }[];
  waivers: {
    interestMinor: string;
    totalMinor: string;
    tier: string;
    status: string;
    approvalRequestId: string;
  }[];
};
const detail = async () => {
  const got = await staff(fixture.server, collector).get(`/api/v1/collections/cases/${caseId}`);
  expect(got.status, got.text).toBe(200);
  return got.json as Detail;
};

beforeAll(async () => {
  const { database, server } = fixture;
  await startOn(database.db, '2026-01-15');
  // The world (products, policy, merchants, payments and the outbox running) shares the file's
  // database with the console's server.
  world = await startWorld(database, sim);
  operatorUser = await createStaff(database.db, server.config, ['operator']);
  operator = await signIn(database.db, server.config, operatorUser);
  collectorUser = await createStaff(database.db, server.config, ['collector']);
  collector = await signIn(database.db, server.config, collectorUser);
  const manage = staff(server, operator);
  expect(
    (await manage.send('POST', '/api/v1/collections/queues', { code: 'm1-agents', name: 'M1 坐席' })).status,
  ).toBe(201);
  const member = await manage.send('POST', '/api/v1/collections/queues/m1-agents/members', {
    agentId: collectorUser.id,
    capacity: 50,
  });
  expect(member.status, member.text).toBe(200);
  const strategy = await manage.send('POST', '/api/v1/collections/strategies', {
    code: 'default',
    definition: {
      rules: [
        {
          buckets: ['M1'],
          queue: 'm1-agents',
          handler: 'agent',
          steps: [{ dpdFrom: 1, action: 'agent_call', channel: 'voice' }],
        },
      ],
    },
  });
  expect(strategy.status, strategy.text).toBe(201);
  expect(
    (await manage.send('POST', '/api/v1/collections/strategies/default/versions/1/publish')).status,
  ).toBe(200);

  const merchant = await merchantWithWebhooks(world);
  const borrower = await borrowerWithLine(world, database.db);
  const made = await createOrder(world, merchant, 300_000n);
  loanId = await acceptedLoanId(world, borrower, made.checkoutToken, 3);
  loanNo = (await loanInState(world, loanId, 'active')).loanNo;
  await accountOpened(database.db, loanId);
  // The first installment (02-15) is missed: overdue past its grace days from 02-19.
  expect(await closeDaysThrough(database.db, '2026-02-23')).toBe('2026-02-24');
  const opened = await until(async () => {
    const row = await caseOfLoan(database.db, loanId);
    return row?.state === 'assigned' && row.agent_id === collectorUser.id ? row : false;
  });
  caseId = opened.id;
}, 300_000);

afterAll(async () => {
  await world?.stop();
});

describe('the collections pages', () => {
  it('a collector works a case: the queue, the case, a recorded contact, a refused one, a promise and a waiver', async () => {
    const { database } = fixture;
    const tab = await fixture.open();
    const { page } = tab;
    await signInThroughConsole(database.db, tab, collectorUser, '/collections/queue');
    const before = await detail();
    expect(before.case).toMatchObject({ bucket: 'M1', state: 'assigned' });

    // The queue: the case, with its figures as the API gives them.
    const queue = page.getByTestId('queue-table');
    const row = queue.locator('tbody tr', { hasText: loanNo });
    await row.waitFor();
    const cells = await row.locator('td').allInnerTexts();
    expect(cells).toEqual([
      loanNo,
      'pos-installment',
      'M1',
      String(before.case.dpd),
      formatMoney(before.case.overdueMinor),
      '已分配',
      'm1-agents',
      '2026-02-19',
      '—',
    ]);

    // The case: the debtor masked, the loan's overdue figures, an empty contact log.
    await row.getByTestId('case-link').click();
    await page.waitForURL(new RegExp(`/console/collections/cases/${caseId}$`));
    await page.getByTestId('debtor-name').waitFor();
    expect(await page.getByTestId('debtor-name').innerText()).toMatch(/^\p{Script=Han}\*+$/u);
    expect(await page.getByTestId('debtor-phone').innerText()).toMatch(/^1\d{2}\*{4}\d{4}$/);
    // Installment 1 unpaid: 988.10 principal and 36.00 interest, 1,024.10 in all.
    await page.getByTestId('loan-overdue').getByText('1,024.10').waitFor();
    expect(await page.getByTestId('loan-link').getAttribute('href')).toBe(`/console/loans/${loanId}`);
    await page.getByTestId('contact-log').getByText('还没有联系记录').waitFor();

    // 10:00 in Shanghai: a call that connected is recorded.
    now = local('10:00');
    await page.getByTestId('log-contact').click();
    await page.getByRole('dialog').getByText('人工电话').waitFor();
    await page.getByTestId('contact-note').fill('本人接通，称月底前还款');
    await page.getByTestId('contact-submit').click();
    await page.getByTestId('attempt-connected').waitFor();
    expect(await page.getByTestId('attempt-connected').innerText()).toContain('本人接通，称月底前还款');
    const recorded = await detail();
    expect(recorded.contacts).toMatchObject([
      { outcome: 'connected', refusedRule: null, channel: 'voice', note: '本人接通，称月底前还款' },
    ]);

    // 22:30: the same call is refused by the quiet hours, the rule shown, the refusal logged.
    now = local('22:30');
    await page.getByTestId('log-contact').click();
    await page.getByTestId('contact-note').fill('晚间再次拨打');
    await page.getByTestId('contact-submit').click();
    const refusal = page.getByTestId('contact-refused');
    await refusal.waitFor();
    expect(await refusal.innerText()).toContain('联系被拒绝：夜间免打扰（22:00–08:00）');
    const refused = page.getByTestId('attempt-refused');
    await refused.waitFor();
    expect(await refused.innerText()).toContain('夜间免打扰（22:00–08:00）');
    expect(await refused.innerText()).toContain('系统拒绝');
    expect((await detail()).contacts.map((c) => [c.outcome, c.refusedRule])).toEqual([
      ['connected', null],
      ['refused', 'quiet_hours'],
    ]);

    // A promise to pay the overdue installment on 02-27.
    now = local('10:30');
    await page.getByTestId('make-promise').click();
    await page.getByTestId('promise-date').click();
    await page.getByTestId('promise-date').fill('2026-02-27');
    await page.keyboard.press('Enter');
    await page.getByTestId('promise-amount').fill('1024.10');
    await page.getByTestId('promise-submit').click();
    const promise = page.getByTestId('promises').locator('tbody tr', { hasText: '2026-02-27' });
    await promise.waitFor();
    expect(await promise.innerText()).toContain('1,024.10');
    expect(await promise.innerText()).toContain('待履约');
    expect((await detail()).promises).toMatchObject([
      { promisedDate: '2026-02-27', amountMinor: '102410', status: 'open' },
    ]);

    // A waiver of 20.00 interest: the team lead's tier, awaiting approval.
    await page.getByTestId('request-waiver').click();
    await page.getByTestId('waiver-interest').fill('20');
    await page.getByTestId('waiver-reason').fill('收入暂时中断，减免部分利息');
    await page.getByTestId('waiver-submit').click();
    await page.getByTestId('waiver-tier').waitFor();
    expect(await page.getByTestId('waiver-tier').innerText()).toBe('组长审批（≤ 500.00）');
    expect(await page.getByTestId('waiver-status').innerText()).toBe('待审批');
    expect(await page.getByTestId('waivers').locator('tr.ant-table-row').first().innerText()).toContain(
      '20.00',
    );
    const { waivers } = await detail();
    expect(waivers).toMatchObject([
      { interestMinor: '2000', totalMinor: '2000', tier: 'team_lead', status: 'requested' },
    ]);
    const approval = await sql<{ status: string; action: string }>`
      SELECT status, action FROM approval_requests WHERE id = ${waivers[0]?.approvalRequestId}::uuid`.execute(
      database.db,
    );
    expect(approval.rows).toEqual([{ status: 'pending', action: 'collections.approve-waiver-team-lead' }]);

    // The screenshot without the passing success messages over the header.
    await expect.poll(() => page.locator('.ant-message-notice').count(), { timeout: 30_000 }).toBe(0);
    await page.getByTestId('case-summary').scrollIntoViewIfNeeded();
    await screenshot(page, 'collection-case');
    expectNoConsoleErrors(tab);
    await tab.close();
  });

  it('a manager sees every queue, filters by queue and reads the strategies', async () => {
    const { database } = fixture;
    const tab = await fixture.open();
    const { page } = tab;
    await signInThroughConsole(
      database.db,
      tab,
      operatorUser,
      '/collections/cases?queue=m1-agents&open=true',
    );
    const row = page.getByTestId('cases-table').locator('tbody tr', { hasText: loanNo });
    await row.waitFor();
    expect(await row.innerText()).toContain(`催收员 ${collectorUser.id.slice(0, 8)}`);
    await page.goto(tab.url('/collections/cases?queue=m2-agents'));
    await page.getByTestId('cases-table').getByText('没有符合条件的记录').waitFor();
    await page.goto(tab.url('/collections/strategies'));
    const strategy = page.locator('tbody tr', { hasText: 'default' });
    await strategy.waitFor();
    expect(await strategy.innerText()).toContain('生效中');
    expectNoConsoleErrors(tab);
    await tab.close();
  });
});
