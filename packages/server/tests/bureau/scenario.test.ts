import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGeneration } from '../../src/modules/bureau/service.ts';
import { purgeExpiredRecords } from '../../src/modules/bureau/submissions.ts';
import { wholeSchema } from '../../src/modules/database.ts';
import { simulatedProvider } from '../../src/modules/notifications/providers.ts';
import { dispatchDueNotifications, notificationByKey } from '../../src/modules/notifications/service.ts';
import {
  applyPayoff,
  applyRepayment,
  applyWaiver,
  payoffQuoteOf,
  waivableOf,
} from '../../src/modules/servicing/service.ts';
import type { DB } from '../../src/platform/db.ts';
import { useSim } from '../channel-sim/support.ts';
import { createStaff, type StaffCredentials, signIn } from '../iam/support.ts';
import {
  acceptedLoanId,
  type Borrower,
  borrowerWithLine,
  createOrder,
  loanInState,
  merchantWithWebhooks,
  startWorld,
  until,
  type World,
} from '../loans/support.ts';
import type { OnboardedMerchant } from '../merchants/support.ts';
import { accountOpened, closeDay, closeDaysThrough, servicing, startOn } from '../servicing/support.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { http } from '../support/server.ts';

// The acceptance scenario, on a real loan (originated through the API, disbursed through
// the channel simulator): 3,000.00 over three months of the POS product from 2026-01-15 (installments
// of 1,024.10 due 02-15, 03-15, 04-15; see tests/servicing/repayments.test.ts for the schedule).
//   01-15 disbursed → 10;  01-31 → 30 (N);  02-15 missed;  02-28 → 30 (1, negative: held for the
//   notice);  03-01 penalty waived (special transaction 11) and the overdue installment repaid →
//   40;  03-15 installment 2 paid on its due date;  03-31 → 30 (N, carrying the waiver);
//   04-05 paid off before maturity → 20 with special transaction 5.  Grid: N 1 N C.
// The notifications loop is off (NOTIFICATIONS_PROVIDER=disabled): the test delivers the notice
// itself through the simulated provider, at a moment it chooses.

const fixture = useSim();
let database: TestDatabase;
let world: World;
let merchant: OnboardedMerchant;
let borrower: Borrower;
let finance: StaffCredentials;
let operator: StaffCredentials;
let loanId: string;
let loanNo: string;
const now = new Date('2026-03-01T02:00:00Z'); // 10:00 in Shanghai: outside quiet hours

const generate = (date: string) => runGeneration(world.services, { date, now });

type Rec = {
  id: string;
  rpt_date: string;
  rpt_date_code: string;
  status: string;
  segments: Record<string, Record<string, unknown>>;
  validation_errors: unknown[];
  notice_delivery: Record<string, unknown> | null;
  retain_until: string | null;
  negative: boolean;
};

async function records(db: DB): Promise<Rec[]> {
  const rows = await sql<Rec>`
    SELECT id, rpt_date::text, rpt_date_code, status, segments, validation_errors, notice_delivery, retain_until::text,
           negative
    FROM bureau_records WHERE loan_id = ${loanId}::uuid ORDER BY rpt_date, rpt_date_code`.execute(db);
  return rows.rows;
}

async function recordOf(date: string, code: string): Promise<Rec> {
  const found = (await records(database.db)).find((r) => r.rpt_date === date && r.rpt_date_code === code);
  if (found === undefined) throw new Error(`no ${code} record on ${date}`);
  return found;
}

/** The bureau's consumer has queued the events so far (delivered asynchronously by the outbox). */
async function eventsQueued(kind: string, count: number): Promise<void> {
  await until(async () => {
    const row = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM bureau_events WHERE loan_id = ${loanId}::uuid AND kind = ${kind}`.execute(
      database.db,
    );
    return (row.rows[0]?.n ?? 0) >= count;
  });
}

async function unpaidOfInstallment(number: number): Promise<bigint> {
  const { rows } = await servicing(database.db, loanId);
  const row = rows.find((r) => r.number === number);
  if (row === undefined) throw new Error('no installment');
  return (
    row.principal_due -
    row.principal_paid +
    (row.interest_due - row.interest_paid - row.interest_waived) +
    (row.fee_due - row.fee_paid - row.fee_waived) +
    (row.penalty_accrued - row.penalty_paid - row.penalty_waived)
  );
}

function offline(amountMinor: bigint) {
  return database.db.transaction().execute((trx) =>
    applyRepayment(trx, {
      loanId,
      amountMinor,
      kind: 'offline',
      sourceRef: `offline:${randomUUID()}`,
      channel: 'offline',
      collected: true,
    }),
  );
}

beforeAll(async () => {
  database = await createTestDatabase();
  await startOn(database.db, '2026-01-15');
  world = await startWorld(database, fixture, { NOTIFICATIONS_PROVIDER: 'disabled' });
  merchant = await merchantWithWebhooks(world);
  borrower = await borrowerWithLine(world, database.db);
  finance = await signIn(
    database.db,
    world.server.config,
    await createStaff(database.db, world.server.config, ['finance']),
  );
  operator = await signIn(
    database.db,
    world.server.config,
    await createStaff(database.db, world.server.config, ['operator']),
  );
  const made = await createOrder(world, merchant, 300_000n);
  loanId = await acceptedLoanId(world, borrower, made.checkoutToken, 3);
  loanNo = (await loanInState(world, loanId, 'active')).loanNo;
  await accountOpened(database.db, loanId);
}, 240_000);

afterAll(async () => {
  await world?.stop();
  await database?.drop();
});

const base = (date: string, code: string) => ({
  InfRecType: '210',
  AcctType: 'D1',
  AcctCode: loanNo,
  RptDate: date,
  RptDateCode: code,
  MngmtOrgCode: 'B10000000000FQ',
});

describe('a loan through disbursement, a missed month, a repayment of the overdue amount, a waiver, an early settlement and month ends', () => {
  it('reports the disbursement as a new account (10) the day after', async () => {
    await eventsQueued('disbursed', 1);
    expect(await closeDaysThrough(database.db, '2026-01-15')).toBe('2026-01-16');
    const summary = await generate('2026-01-16');
    expect(summary).toMatchObject({
      reportedDate: '2026-01-15',
      monthEnd: false,
      records: 1,
      held: 0,
      invalid: 0,
    });
    const opening = await recordOf('2026-01-15', '10');
    expect(opening.status).toBe('pending');
    expect(opening.segments).toEqual({
      AcctBsSgmt: base('2026-01-15', '10'),
      AcctBsInfSgmt: {
        BusiLines: '1',
        BusiDtlLines: '91',
        OpenDate: '2026-01-15',
        Cy: 'CNY',
        LoanAmt: '3000',
        Flag: '0',
        DueDate: '2026-04-15',
        RepayMode: '11',
        RepayFreqcy: '03',
        RepayPrd: '3',
        ApplyBusiDist: '310000',
        GuarMode: '4',
        OthRepyGuarWay: '0',
        AssetTrandFlag: '0',
        FundSou: '1',
        LoanForm: '1',
      },
      AcctMthlyBlgInfSgmt: {
        Month: '2026-01',
        SettDate: '2026-01-15',
        AcctStatus: '1',
        AcctBal: '3000',
        RemRepPrd: '3',
        FiveCate: '1',
        FiveCateAdjDate: '2026-01-15',
        RpyStatus: 'N',
        OverdPrd: '0',
        TotOverd: '0',
        OverdPrinc: '0',
        Oved31_60Princ: '0',
        Oved61_90Princ: '0',
        Oved91_180Princ: '0',
        OvedPrinc180: '0',
        CurRpyAmt: '0',
        ActRpyAmt: '0',
        LatRpyDate: '2026-01-15',
      },
    });
    // Run again: nothing new.
    expect((await generate('2026-01-16')).records).toBe(0);
  });

  it('reports January’s month end (30) as normal', async () => {
    await closeDaysThrough(database.db, '2026-01-31');
    const summary = await generate('2026-02-01');
    expect(summary).toMatchObject({ reportedDate: '2026-01-31', monthEnd: true, records: 1, held: 0 });
    const monthEnd = await recordOf('2026-01-31', '30');
    expect(monthEnd.segments).toEqual({
      AcctBsSgmt: base('2026-01-31', '30'),
      AcctMthlyBlgInfSgmt: {
        Month: '2026-01',
        SettDate: '2026-01-31',
        AcctStatus: '1',
        AcctBal: '3000',
        RemRepPrd: '3',
        FiveCate: '1',
        FiveCateAdjDate: '2026-01-15',
        RpyStatus: 'N',
        OverdPrd: '0',
        TotOverd: '0',
        OverdPrinc: '0',
        Oved31_60Princ: '0',
        Oved61_90Princ: '0',
        Oved91_180Princ: '0',
        OvedPrinc180: '0',
        CurRpyAmt: '0',
        ActRpyAmt: '0',
        LatRpyDate: '2026-01-15',
      },
    });
  });

  it('holds February’s overdue month end (30, status 1) until the borrower’s notice is delivered', async () => {
    await closeDaysThrough(database.db, '2026-02-28');
    const summary = await generate('2026-03-01');
    expect(summary).toMatchObject({ reportedDate: '2026-02-28', monthEnd: true, records: 1, held: 1 });
    const overdue = await recordOf('2026-02-28', '30');
    expect(overdue.status).toBe('held_for_notice');
    expect(overdue.negative).toBe(true);
    expect(overdue.segments.AcctMthlyBlgInfSgmt).toEqual({
      Month: '2026-02',
      SettDate: '2026-02-28',
      AcctStatus: '2',
      AcctBal: '3000',
      RemRepPrd: '2',
      FiveCate: '2',
      FiveCateAdjDate: '2026-02-28',
      RpyStatus: '1',
      OverdPrd: '1',
      // 1,024.10 due and penalty on 988.10 × 0.06 % a day for 13 days (7.71): 1,031.81.
      TotOverd: '1032',
      OverdPrinc: '988',
      Oved31_60Princ: '0',
      Oved61_90Princ: '0',
      Oved91_180Princ: '0',
      OvedPrinc180: '0',
      CurRpyAmt: '1024',
      ActRpyAmt: '0',
      LatRpyDate: '2026-01-15',
    });
    const notice = await notificationByKey(database.db, `bureau-negative-notice:${loanId}`);
    expect(notice?.status).toBe('queued');
    // Not in a file while held.
    const file = await http(world.server.baseUrl, 'POST', '/api/v1/bureau/submissions', {
      body: { from: '2026-02-28', to: '2026-02-28' },
      headers: { ...finance.headers(true), 'idempotency-key': randomUUID() },
    });
    expect(file.status, file.text).toBe(201);
    expect(file.json).toMatchObject({ records: 0, excluded: [] });
  });

  it('reports the waiver and the repayment of the overdue amount: a 40 record, held behind the notice too', async () => {
    const waivable = await waivableOf(database.db, loanId);
    expect(waivable.penaltyMinor).toBeGreaterThan(0n);
    await database.db.transaction().execute((trx) =>
      applyWaiver(trx, {
        loanId,
        sourceRef: `collections-waiver:${randomUUID()}`,
        penaltyMinor: waivable.penaltyMinor,
        feeMinor: 0n,
        interestMinor: 0n,
        reason: 'hardship',
        actorId: 'test',
      }),
    );
    const owed = await unpaidOfInstallment(1);
    expect(owed).toBe(102_410n);
    await offline(owed);
    await eventsQueued('waiver', 1);
    await eventsQueued('overdue_repaid', 1);
    await closeDay(database.db);
    const summary = await generate('2026-03-02');
    expect(summary).toMatchObject({ reportedDate: '2026-03-01', records: 1, held: 1 });
    const repaid = await recordOf('2026-03-01', '40');
    expect(repaid.status).toBe('held_for_notice');
    expect(repaid.segments).toEqual({
      AcctBsSgmt: base('2026-03-01', '40'),
      AcctDbtInfSgmt: {
        AcctStatus: '1',
        AcctBal: '2012',
        FiveCate: '1',
        FiveCateAdjDate: '2026-03-01',
        RemRepPrd: '2',
        RpyStatus: '*',
        OverdPrd: '0',
        TotOverd: '0',
        LatRpyAmt: '1024',
        LatRpyDate: '2026-03-01',
      },
    });
  });

  it('releases the held records once the notice is delivered, keeping the delivery on them', async () => {
    const sent = await dispatchDueNotifications(
      world.services,
      new Date('2026-03-02T02:00:00Z'),
      100,
      simulatedProvider(database.db, world.server.config),
    );
    expect(sent.delivered).toBeGreaterThanOrEqual(1);
    const notice = await notificationByKey(database.db, `bureau-negative-notice:${loanId}`);
    expect(notice?.status).toBe('delivered');
    // notifications.delivered releases them (the next generation would too).
    await until(async () => (await recordOf('2026-02-28', '30')).status === 'pending');
    for (const record of [await recordOf('2026-02-28', '30'), await recordOf('2026-03-01', '40')]) {
      expect(record.status).toBe('pending');
      expect(record.notice_delivery).toMatchObject({ notificationId: notice?.id });
    }
  });

  it('reports March’s month end as normal, carrying the waiver as special transaction 11', async () => {
    await closeDaysThrough(database.db, '2026-03-14');
    await offline(await unpaidOfInstallment(2));
    await closeDaysThrough(database.db, '2026-03-31');
    await generate('2026-04-01');
    const march = await recordOf('2026-03-31', '30');
    expect(march.status).toBe('pending');
    expect(march.segments.AcctMthlyBlgInfSgmt).toMatchObject({
      Month: '2026-03',
      AcctStatus: '1',
      AcctBal: '1012',
      RemRepPrd: '1',
      FiveCate: '1',
      FiveCateAdjDate: '2026-03-01',
      RpyStatus: 'N',
      OverdPrd: '0',
      TotOverd: '0',
      CurRpyAmt: '1024',
      ActRpyAmt: '2048',
      LatRpyDate: '2026-03-15',
    });
    expect(march.segments.AcctSpecTrstDspnSgmt).toEqual({
      CagOfTrdNm: '1',
      CagOfTrdInf: [
        {
          ChanTranType: '11',
          TranDate: '2026-03-01',
          TranAmt: '8',
          DueTranMon: '0',
          DetInfo: '债务减免 waiver',
        },
      ],
    });
    // The negative behaviour ended with the repayment: its record is kept 5 years from then.
    expect((await recordOf('2026-02-28', '30')).retain_until).toBe('2031-03-01');
  });

  it('reports the early settlement as a closing record (20) with special transaction 5', async () => {
    await closeDaysThrough(database.db, '2026-04-04');
    const quote = await payoffQuoteOf(database.db, loanId);
    await database.db.transaction().execute((trx) =>
      applyPayoff(trx, {
        loanId,
        amountMinor: quote.totalMinor,
        sourceRef: `offline:${randomUUID()}`,
        source: '1002.01',
        channel: 'offline',
      }),
    );
    await eventsQueued('paid_off', 1);
    await closeDay(database.db);
    await generate('2026-04-06');
    const closed = await recordOf('2026-04-05', '20');
    const amount = String((quote.totalMinor + 50n) / 100n);
    expect(closed.segments).toEqual({
      AcctBsSgmt: base('2026-04-05', '20'),
      AcctMthlyBlgInfSgmt: {
        Month: '2026-04',
        SettDate: '2026-04-05',
        AcctStatus: '3',
        AcctBal: '0',
        RemRepPrd: '0',
        FiveCate: '1',
        FiveCateAdjDate: '2026-03-01',
        RpyStatus: 'C',
        OverdPrd: '0',
        TotOverd: '0',
        OverdPrinc: '0',
        Oved31_60Princ: '0',
        Oved61_90Princ: '0',
        Oved91_180Princ: '0',
        OvedPrinc180: '0',
        CurRpyAmt: '0',
        ActRpyAmt: amount,
        LatRpyDate: '2026-04-05',
        CloseDate: '2026-04-05',
      },
      AcctSpecTrstDspnSgmt: {
        CagOfTrdNm: '1',
        CagOfTrdInf: [
          {
            ChanTranType: '5',
            TranDate: '2026-04-05',
            TranAmt: amount,
            DueTranMon: '0',
            DetInfo: '提前结清 settled before maturity',
          },
        ],
      },
    });
    // A closed loan has no month-end record.
    await closeDaysThrough(database.db, '2026-04-30');
    expect((await generate('2026-05-01')).records).toBe(0);
  });

  it('has the records 10, 30, 30, 40, 30, 20 and a grid reading N, 1, N, C', async () => {
    expect((await records(database.db)).map((r) => `${r.rpt_date} ${r.rpt_date_code}`)).toEqual([
      '2026-01-15 10',
      '2026-01-31 30',
      '2026-02-28 30',
      '2026-03-01 40',
      '2026-03-31 30',
      '2026-04-05 20',
    ]);
    const grid = await http(world.server.baseUrl, 'GET', `/api/v1/bureau/loans/${loanId}/grid`, {
      headers: operator.headers(false),
    });
    expect(grid.status, grid.text).toBe(200);
    const body = grid.json as { grid: string; months: { month: string; status: string }[] };
    expect(body.months).toEqual([
      { month: '2026-01', status: 'N' },
      { month: '2026-02', status: '1' },
      { month: '2026-03', status: 'N' },
      { month: '2026-04', status: 'C' },
    ]);
    expect(body.grid).toBe(`${'/'.repeat(56)}N1NC`);
  });
});

describe('the submission file, the bureau’s feedback and corrections', () => {
  let submissionId: string;

  it('leaves a deliberately broken record out of the file, listed with its rule', async () => {
    // The new-account record loses its monthly segment (R2100101 requires it for a D1 account).
    await sql`UPDATE bureau_records SET segments = segments - 'AcctMthlyBlgInfSgmt'
              WHERE loan_id = ${loanId}::uuid AND rpt_date_code = '10'`.execute(database.db);
    const made = await http(world.server.baseUrl, 'POST', '/api/v1/bureau/submissions', {
      body: { from: '2026-01-01', to: '2026-04-30' },
      headers: { ...finance.headers(true), 'idempotency-key': randomUUID() },
    });
    expect(made.status, made.text).toBe(201);
    const body = made.json as {
      id: string;
      records: number;
      digest: string;
      excluded: { recordId: string; rptDateCode: string; failures: { rule: string; segment: string }[] }[];
    };
    submissionId = body.id;
    expect(body.records).toBe(5);
    expect(body.excluded).toHaveLength(1);
    expect(body.excluded[0]).toMatchObject({
      rptDateCode: '10',
      failures: [{ rule: 'R2100101', segment: 'AcctMthlyBlgInfSgmt' }],
    });
    expect((await recordOf('2026-01-15', '10')).status).toBe('pending');
  });

  it('serves the file with the borrowers’ identity and its SHA-256 digest', async () => {
    const file = await http(world.server.baseUrl, 'GET', `/api/v1/bureau/submissions/${submissionId}/file`, {
      headers: finance.headers(false),
    });
    expect(file.status, file.text).toBe(200);
    const body = file.json as { xml: string; digest: string; bytes: number };
    expect(body.digest).toBe(createHash('sha256').update(Buffer.from(body.xml, 'utf8')).digest('hex'));
    expect(body.bytes).toBe(Buffer.byteLength(body.xml, 'utf8'));
    expect(body.xml.match(/<InAcctInf>/g)).toHaveLength(5);
    expect(body.xml).toContain(
      `<AcctCode>${loanNo}</AcctCode><RptDate>2026-02-28</RptDate><RptDateCode>30</RptDateCode><Name>`,
    );
    expect(body.xml).toMatch(/<IDType>10<\/IDType><IDNum>\d{17}[\dX]<\/IDNum>/);
    // An operator reads records, not files.
    const refused = await http(
      world.server.baseUrl,
      'GET',
      `/api/v1/bureau/submissions/${submissionId}/file`,
      {
        headers: operator.headers(false),
      },
    );
    expect(refused.status).toBe(403);
    // Stored records never hold the identity.
    const stored = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM bureau_records WHERE segments::text ~ '"(Name|IDNum)"'`.execute(
      database.db,
    );
    expect(stored.rows[0]?.n).toBe(0);
  });

  it('marks the records from the bureau’s feedback: the one it lists rejected, the others accepted', async () => {
    const content = `<?xml version="1.0" encoding="UTF-8"?><Feedback><FbRec><AcctCode>${loanNo}</AcctCode><RptDate>2026-03-31</RptDate><RptDateCode>30</RptDateCode><FbCode>BAR005</FbCode><FbMsg>账户状态与还款状态不符</FbMsg></FbRec></Feedback>`;
    const imported = await http(world.server.baseUrl, 'POST', '/api/v1/bureau/feedback', {
      body: { content, submissionId },
      headers: { ...finance.headers(true), 'idempotency-key': randomUUID() },
    });
    expect(imported.status, imported.text).toBe(201);
    expect(imported.json).toMatchObject({ format: 'xml', accepted: 4, rejected: 1, unmatched: [] });
    const rejected = await recordOf('2026-03-31', '30');
    expect(rejected.status).toBe('rejected');
    expect((await recordOf('2026-02-28', '30')).status).toBe('accepted');
    // The same file again changes nothing.
    const again = await http(world.server.baseUrl, 'POST', '/api/v1/bureau/feedback', {
      body: { content, submissionId },
      headers: { ...finance.headers(true), 'idempotency-key': randomUUID() },
    });
    expect(again.status, again.text).toBe(200);
    expect(again.json).toMatchObject({ accepted: 4, rejected: 1 });
  });

  it('corrects a rejected record: built again, superseding it, resubmitted in a file of its own', async () => {
    const rejected = await recordOf('2026-03-31', '30');
    const corrected = await http(
      world.server.baseUrl,
      'POST',
      `/api/v1/bureau/records/${rejected.id}/corrections`,
      {
        body: {},
        headers: { ...finance.headers(true), 'idempotency-key': randomUUID() },
      },
    );
    expect(corrected.status, corrected.text).toBe(201);
    const body = corrected.json as { recordId: string; submission: { records: number; corrects: string } };
    expect(body.submission).toMatchObject({ records: 1, corrects: rejected.id });
    const rows = await wholeSchema(database.db)
      .selectFrom('bureau_records')
      .select(['id', 'status', 'supersedes', 'superseded_by', 'segments'])
      .where('id', 'in', [rejected.id, body.recordId])
      .execute();
    const old = rows.find((r) => r.id === rejected.id);
    const fresh = rows.find((r) => r.id === body.recordId);
    expect(old).toMatchObject({ status: 'superseded', superseded_by: body.recordId });
    expect(fresh).toMatchObject({ status: 'submitted', supersedes: rejected.id });
    expect(fresh?.segments).toEqual(rejected.segments);
    // A record that is not rejected is not corrected.
    const refused = await http(
      world.server.baseUrl,
      'POST',
      `/api/v1/bureau/records/${body.recordId}/corrections`,
      {
        body: {},
        headers: { ...finance.headers(true), 'idempotency-key': randomUUID() },
      },
    );
    expect(refused.status).toBe(409);
    expect(refused.json).toMatchObject({ code: 'bureau_record_not_rejected' });
  });

  it('lists and shows records with their validation', async () => {
    const list = await http(
      world.server.baseUrl,
      'GET',
      `/api/v1/bureau/records?loanId=${loanId}&rptDateCode=30`,
      {
        headers: operator.headers(false),
      },
    );
    expect(list.status, list.text).toBe(200);
    expect((list.json as { records: unknown[] }).records).toHaveLength(4);
    const broken = await recordOf('2026-01-15', '10');
    const detail = await http(world.server.baseUrl, 'GET', `/api/v1/bureau/records/${broken.id}`, {
      headers: operator.headers(false),
    });
    expect(detail.status, detail.text).toBe(200);
    expect(detail.json).toMatchObject({ status: 'pending', rptDateCode: '10' });
  });

  it('keeps negative records 5 years from the end of the behaviour, and purges them only after', async () => {
    const negative = await recordOf('2026-02-28', '30');
    expect(negative.retain_until).toBe('2031-03-01');
    const total = async () =>
      Number(
        (
          await sql<{
            n: string;
          }>`SELECT count(*) AS n FROM bureau_records WHERE loan_id = ${loanId}`.execute(database.db)
        ).rows[0]?.n,
      );
    const before = await total();
    const purge = (today: string) =>
      database.db.transaction().execute((trx) => purgeExpiredRecords(trx, today));
    expect(await purge('2031-03-01')).toBe(0);
    expect(await total()).toBe(before);
    // The day after the five years: the negative records go (February's 30 and the 40 behind
    // it); every record that was never negative stays.
    const negatives = Number(
      (
        await sql<{
          n: string;
        }>`SELECT count(*) AS n FROM bureau_records WHERE loan_id = ${loanId} AND negative`.execute(
          database.db,
        )
      ).rows[0]?.n,
    );
    expect(negatives).toBeGreaterThan(0);
    expect(await purge('2031-03-02')).toBe(negatives);
    expect(await total()).toBe(before - negatives);
  });
});
