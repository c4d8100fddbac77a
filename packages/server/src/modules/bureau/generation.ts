import { randomUUID } from 'node:crypto';
import {
  addDays,
  closingCode,
  isLastDayOfMonth,
  localDate,
  monthOf,
  type RptDateCode,
  type SpecialTransaction,
  type SpecialTransactionType,
  withMonthStatus,
} from '@fenqi/core';
import { sql } from 'kysely';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { Tx } from '../../platform/db.ts';
import type { Services } from '../../platform/services.ts';
import type { DateString } from '../../platform/tables.ts';
import { findLine } from '../credit/service.ts';
import { type BureauFigures, bureauFiguresPage } from '../servicing/bureau-figures.ts';
import { type Built, build, factsJson, type Grid, loanFactsOf, performanceOf } from './build.ts';
import { lineRecordFor } from './lines.ts';
import { gateNegative, releaseDeliveredNotices } from './notices.ts';
import { dateNotReportable } from './problems.ts';
import type { BureauTx, RecordStatus, ReportEventKind } from './tables.ts';

// The generation for business date D (run T+1, the morning after D-1's close of business): the
// records of the events of D-1 (and of any earlier day not generated yet), and when D-1 was a month
// end, the month-end record (30) of every loan still reported monthly. Set-based: the month end
// reads servicing's figures a page of loans at a time (keyset by loan id), builds the page's
// records in memory with core, and writes them, the grids and the events they report in a handful
// of statements per page, one transaction a page. Running it again writes nothing new (one live
// record per account, date and code). Before a loan's first record whose repayment status is 1–7
// the borrower is notified and the record is held until the notice is delivered (notices.ts).

export const monthEndPageSize = 5000;

export type GenerationSummary = {
  businessDate: DateString;
  reportedDate: DateString;
  monthEnd: boolean;
  records: number;
  held: number;
  invalid: number;
  released: number;
};

const t = (trx: Tx) => trx as unknown as BureauTx;

type EventRow = {
  id: bigint;
  loan_id: string;
  kind: ReportEventKind;
  business_date: DateString;
  facts: Record<string, string | boolean | null>;
};

const specialTypes: Partial<Record<ReportEventKind, SpecialTransactionType>> = {
  prepayment: '4',
  waiver: '11',
  written_off: '15',
};

function specialOf(event: EventRow): SpecialTransaction | undefined {
  const type = specialTypes[event.kind];
  if (type === undefined) return undefined;
  const detail =
    type === '4' ? '部分提前还款 partial prepayment' : type === '11' ? '债务减免 waiver' : '核销 write-off';
  return {
    type,
    date: localDate(event.business_date),
    amountMinor: BigInt(String(event.facts.amountMinor ?? '0')),
    detail,
  };
}

async function gridsOf(trx: Tx, loanIds: readonly string[]): Promise<Map<string, Grid>> {
  if (loanIds.length === 0) return new Map();
  const rows = await t(trx)
    .selectFrom('bureau_grids')
    .selectAll()
    .where('loan_id', 'in', [...loanIds])
    .execute();
  return new Map(
    rows.map((r) => [
      r.loan_id,
      {
        openMonth: r.open_month,
        statuses: r.statuses,
        fiveCate: r.five_cate,
        fiveCateDate: r.five_cate_date,
      },
    ]),
  );
}

async function lineOf(trx: Tx, figures: BureauFigures) {
  if (!figures.revolving) return null;
  const line = await findLine(trx, figures.lineId);
  return { contractCode: figures.lineId, amountMinor: line.limitMinor };
}

type Pending = {
  built: Built;
  loanId: string;
  customerId: string;
  status: RecordStatus;
  noticeKey: string | null;
  events: bigint[];
};

/**
 * Writes built records, their grids, the events they report and the ended behaviour of earlier
 * negative records, in set-based statements. Answers how many were new.
 */
async function writeRecords(trx: Tx, generatedOn: DateString, records: readonly Pending[]): Promise<number> {
  if (records.length === 0) return 0;
  const rows = records.map((r) => ({
    id: randomUUID(),
    loan_id: r.loanId,
    customer_id: r.customerId,
    acct_code: r.built.record.segments.AcctBsSgmt.AcctCode,
    rpt_date: r.built.facts.rptDate,
    rpt_date_code: r.built.facts.code,
    segments: r.built.record.segments,
    facts: JSON.parse(factsJson(r.built.facts)),
    rpy_status: r.built.rpyStatus,
    negative: r.built.negative,
    status: r.status,
    validation_errors: r.built.errors,
    notice_key: r.noticeKey,
  }));
  const inserted = await sql<{ id: string; acct_code: string; rpt_date_code: string }>`
    INSERT INTO bureau_records (id, info_type, loan_id, customer_id, acct_code, rpt_date, rpt_date_code, segments, facts,
                                rpy_status, negative, status, validation_errors, notice_key, generated_on)
    SELECT x.id, '210', x.loan_id, x.customer_id, x.acct_code, x.rpt_date, x.rpt_date_code, x.segments, x.facts,
           x.rpy_status, x.negative, x.status, x.validation_errors, x.notice_key, ${generatedOn}::date
    FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x (
      id uuid, loan_id uuid, customer_id uuid, acct_code text, rpt_date date, rpt_date_code text, segments jsonb,
      facts jsonb, rpy_status text, negative boolean, status text, validation_errors jsonb, notice_key text)
    ON CONFLICT (info_type, acct_code, rpt_date, rpt_date_code) WHERE status <> 'superseded' DO NOTHING
    RETURNING id, acct_code, rpt_date_code`.execute(trx);
  const idOf = new Map(inserted.rows.map((r) => [`${r.acct_code}:${r.rpt_date_code}`, r.id]));
  const written = records.flatMap((r) => {
    const id = idOf.get(`${r.built.record.segments.AcctBsSgmt.AcctCode}:${r.built.facts.code}`);
    return id === undefined ? [] : [{ ...r, id }];
  });
  if (written.length === 0) return 0;
  const events = written.flatMap((r) => r.events.map((e) => ({ event: String(e), record: r.id })));
  if (events.length > 0) {
    await sql`
      UPDATE bureau_events e SET record_id = x.record, generated_on = ${generatedOn}::date
      FROM jsonb_to_recordset(${JSON.stringify(events)}::jsonb) AS x (event int8, record uuid)
      WHERE e.id = x.event`.execute(trx);
  }
  // The months' statuses: a record with a monthly segment writes its month's character; either
  // performance segment moves the five-level class (and the date it changed on).
  const grids = written.flatMap((r) => {
    const monthly = r.built.record.segments.AcctMthlyBlgInfSgmt;
    const performance = monthly ?? r.built.record.segments.AcctDbtInfSgmt;
    if (performance === undefined) return [];
    return [
      {
        loan_id: r.loanId,
        open_month: monthOf(r.built.facts.loan.openDate),
        month: monthly?.Month ?? monthOf(localDate(r.built.facts.rptDate)),
        status: monthly?.RpyStatus ?? null,
        five_cate: performance.FiveCate ?? '1',
        five_cate_date: performance.FiveCateAdjDate ?? r.built.facts.rptDate,
      },
    ];
  });
  if (grids.length > 0) await writeGrids(trx, generatedOn, grids);
  // Negative information is kept 5 years from the end of the behaviour (征信业管理条例 art. 16): a
  // record that is not negative ends it for the loan's earlier negative records.
  const ended = written.filter((r) => !r.built.negative);
  if (ended.length > 0) {
    // Through the partial index of unended negative records: most loans have none.
    await sql`
      UPDATE bureau_records b SET retain_until = (x.date + interval '5 years')::date
      FROM (SELECT unnest(${ended.map((r) => r.loanId)}::uuid[]) AS loan,
                   unnest(${ended.map((r) => r.built.facts.rptDate)}::date[]) AS date) x
      WHERE b.loan_id = ANY(${ended.map((r) => r.loanId)}::uuid[]) AND b.negative AND b.retain_until IS NULL
        AND b.loan_id = x.loan AND b.rpt_date <= x.date`.execute(trx);
  }
  return written.length;
}

type GridWrite = {
  loan_id: string;
  open_month: string;
  month: string;
  /** null: the record has no monthly segment (a 40), so the month's character is left as it is. */
  status: string | null;
  five_cate: string;
  five_cate_date: string;
};

async function writeGrids(trx: Tx, on: DateString, grids: readonly GridWrite[]): Promise<void> {
  const existing = await gridsOf(
    trx,
    grids.map((g) => g.loan_id),
  );
  const merged = new Map<
    string,
    { loan_id: string; open_month: string; statuses: string; five_cate: string; five_cate_date: string }
  >();
  for (const g of grids) {
    const before = merged.get(g.loan_id) ?? {
      loan_id: g.loan_id,
      open_month: existing.get(g.loan_id)?.openMonth ?? g.open_month,
      statuses: existing.get(g.loan_id)?.statuses ?? '',
      five_cate: g.five_cate,
      five_cate_date: g.five_cate_date,
    };
    merged.set(g.loan_id, {
      ...before,
      statuses:
        g.status === null
          ? before.statuses
          : withMonthStatus(before.open_month, before.statuses, g.month, g.status),
      five_cate: g.five_cate,
      five_cate_date: g.five_cate_date,
    });
  }
  await sql`
    INSERT INTO bureau_grids (loan_id, open_month, statuses, five_cate, five_cate_date, updated_on)
    SELECT x.loan_id, x.open_month, x.statuses, x.five_cate, x.five_cate_date, ${on}::date
    FROM jsonb_to_recordset(${JSON.stringify([...merged.values()])}::jsonb) AS x (
      loan_id uuid, open_month text, statuses text, five_cate text, five_cate_date date)
    ON CONFLICT (loan_id) DO UPDATE SET statuses = excluded.statuses, five_cate = excluded.five_cate,
      five_cate_date = excluded.five_cate_date, updated_on = excluded.updated_on`.execute(trx);
}

/** The special transactions not reported yet of these loans (or every loan), by loan. */
async function pendingSpecials(
  trx: Tx,
  through: DateString,
  loanIds?: readonly string[],
): Promise<Map<string, EventRow[]>> {
  let query = t(trx)
    .selectFrom('bureau_events')
    .select(['id', 'loan_id', 'kind', 'business_date', 'facts'])
    .where('record_id', 'is', null)
    .where('kind', 'in', ['prepayment', 'waiver', 'written_off'])
    .where('business_date', '<=', through);
  if (loanIds !== undefined) {
    if (loanIds.length === 0) return new Map();
    query = query.where('loan_id', 'in', [...loanIds]);
  }
  const rows = (await query.orderBy('business_date').orderBy('id').execute()) as EventRow[];
  const byLoan = new Map<string, EventRow[]>();
  for (const row of rows) byLoan.set(row.loan_id, [...(byLoan.get(row.loan_id) ?? []), row]);
  return byLoan;
}

function pendingOf(built: Built, figures: BureauFigures, events: readonly EventRow[]): Pending {
  return {
    built,
    loanId: figures.loanId,
    customerId: figures.customerId,
    status: 'pending',
    noticeKey: null,
    events: events.map((e) => e.id),
  };
}

/** The records of the loans' events of one date (10, 20/32, 40), in the caller's transaction. */
async function eventRecords(
  services: Services,
  trx: Tx,
  date: DateString,
  generatedOn: DateString,
  now: Date,
) {
  const events = (await t(trx)
    .selectFrom('bureau_events')
    .select(['id', 'loan_id', 'kind', 'business_date', 'facts'])
    .where('record_id', 'is', null)
    .where('business_date', '=', date)
    .where('kind', 'in', ['disbursed', 'overdue_repaid', 'paid_off'])
    .orderBy('loan_id')
    .orderBy('id')
    .execute()) as EventRow[];
  if (events.length === 0) return { records: 0, held: 0, invalid: 0 };
  const loanIds = [...new Set(events.map((e) => e.loan_id))];
  const figures = await bureauFiguresPage(trx, { asOf: date, after: null, limit: loanIds.length, loanIds });
  const grids = await gridsOf(trx, loanIds);
  const specials = await pendingSpecials(trx, date, loanIds);
  const pending: Pending[] = [];
  for (const f of figures) {
    const mine = events.filter((e) => e.loan_id === f.loanId);
    const paidOff = mine.find((e) => e.kind === 'paid_off');
    const codes: RptDateCode[] = paidOff
      ? [closingCode(localDate(date))]
      : mine.some((e) => e.kind === 'disbursed')
        ? ['10']
        : mine.some((e) => e.kind === 'overdue_repaid')
          ? ['40']
          : [];
    const loan = loanFactsOf(f, await lineOf(trx, f));
    const performance = performanceOf(f, date, grids.get(f.loanId));
    for (const code of codes) {
      const waiting = code === '40' ? [] : (specials.get(f.loanId) ?? []);
      const list = waiting.flatMap((e) => specialOf(e) ?? []);
      if (paidOff?.facts.early === true)
        list.push({
          type: '5',
          date: localDate(date),
          amountMinor: f.lastRepaymentMinor,
          detail: '提前结清 settled before maturity',
        });
      const built = build({ code, rptDate: date, loan, performance, specials: list });
      pending.push(pendingOf(built, f, [...mine.map((e) => e), ...waiting]));
    }
    if (code10(codes) && f.revolving) await lineRecordOnce(trx, f, date, generatedOn);
  }
  const gated = await gateNegative(services, trx, pending, now);
  const records = await writeRecords(trx, generatedOn, gated);
  return {
    records,
    held: gated.filter((p) => p.status === 'held_for_notice').length,
    invalid: gated.filter((p) => p.built.errors.length > 0).length,
  };
}

const code10 = (codes: readonly RptDateCode[]) => codes.includes('10');

/** The 220 record of an R4 draw's line, the first time one of its draws is reported. */
async function lineRecordOnce(
  trx: Tx,
  f: BureauFigures,
  date: DateString,
  generatedOn: DateString,
): Promise<void> {
  await lineRecordFor(trx, f, date, generatedOn);
}

/** The month-end records (30) of every loan reported monthly, a page at a time. */
export async function monthEndRecords(
  services: Services,
  input: { monthEnd: DateString; generatedOn: DateString; now: Date; pageSize?: number },
): Promise<{ records: number; held: number; invalid: number }> {
  const totals = { records: 0, held: 0, invalid: 0 };
  let after: string | null = null;
  const limit = input.pageSize ?? monthEndPageSize;
  for (;;) {
    const page = await services.db.transaction().execute(async (trx) => {
      const figures = await bureauFiguresPage(trx, { asOf: input.monthEnd, after, limit });
      if (figures.length === 0) return { last: null, counts: { records: 0, held: 0, invalid: 0 } };
      const loanIds = figures.map((f) => f.loanId);
      // Loans reported on the month end already (a 10 or a closure carries the month's figures).
      const done = await t(trx)
        .selectFrom('bureau_records')
        .select('loan_id')
        .where('loan_id', 'in', loanIds)
        .where('rpt_date', '=', input.monthEnd)
        .where('rpt_date_code', 'in', ['10', '20', '32'])
        .where('status', '<>', 'superseded')
        .execute();
      const skip = new Set(done.map((r) => r.loan_id));
      const grids = await gridsOf(trx, loanIds);
      const specials = await pendingSpecials(trx, input.monthEnd, loanIds);
      const pending: Pending[] = [];
      for (const f of figures) {
        if (skip.has(f.loanId ?? '')) continue;
        const waiting = specials.get(f.loanId) ?? [];
        const loan = loanFactsOf(f, f.revolving ? { contractCode: f.lineId, amountMinor: 0n } : null);
        const built = build({
          code: '30',
          rptDate: input.monthEnd,
          loan,
          performance: performanceOf(f, input.monthEnd, grids.get(f.loanId)),
          specials: waiting.flatMap((e) => specialOf(e) ?? []),
        });
        pending.push(pendingOf(built, f, waiting));
      }
      const gated = await gateNegative(services, trx, pending, input.now);
      const records = await writeRecords(trx, input.generatedOn, gated);
      return {
        last: figures.at(-1)?.loanId ?? null,
        counts: {
          records,
          held: gated.filter((p) => p.status === 'held_for_notice').length,
          invalid: gated.filter((p) => p.built.errors.length > 0).length,
        },
      };
    });
    totals.records += page.counts.records;
    totals.held += page.counts.held;
    totals.invalid += page.counts.invalid;
    if (page.last === null) break;
    after = page.last;
  }
  return totals;
}

/**
 * The generation for business date `date` (default: the open business date): the records of the
 * day before. Callable from a job, the CLI and POST /api/v1/bureau/generations.
 */
export async function runGeneration(
  services: Services,
  input: { date?: DateString; now: Date; pageSize?: number },
): Promise<GenerationSummary> {
  const open = await getBusinessDate(services.db);
  const date = input.date ?? open;
  if (date > open) throw dateNotReportable(date, open);
  const reported = addDays(localDate(date), -1);
  const startedAt = input.now;
  const released = await releaseDeliveredNotices(services);
  // Event records of every day through the reported one not generated yet, oldest first.
  const days = await t(services.db as unknown as Tx)
    .selectFrom('bureau_events')
    .select('business_date')
    .distinct()
    .where('record_id', 'is', null)
    .where('kind', 'in', ['disbursed', 'overdue_repaid', 'paid_off'])
    .where('business_date', '<=', reported)
    .orderBy('business_date')
    .execute();
  const totals = { records: 0, held: 0, invalid: 0 };
  for (const day of days) {
    const counts = await services.db
      .transaction()
      .execute((trx) => eventRecords(services, trx, day.business_date, date, input.now));
    totals.records += counts.records;
    totals.held += counts.held;
    totals.invalid += counts.invalid;
  }
  const monthEnd = isLastDayOfMonth(reported);
  if (monthEnd) {
    const counts = await monthEndRecords(services, {
      monthEnd: reported,
      generatedOn: date,
      now: input.now,
      ...(input.pageSize === undefined ? {} : { pageSize: input.pageSize }),
    });
    totals.records += counts.records;
    totals.held += counts.held;
    totals.invalid += counts.invalid;
  }
  await sql`
    INSERT INTO bureau_generations (business_date, reported_date, month_end, records, held, invalid, started_at, finished_at)
    VALUES (${date}::date, ${reported}::date, ${monthEnd}, ${totals.records}, ${totals.held}, ${totals.invalid},
            ${startedAt}, ${new Date(startedAt.getTime() + 1)})
    ON CONFLICT (business_date) DO UPDATE SET records = bureau_generations.records + excluded.records,
      held = bureau_generations.held + excluded.held, invalid = bureau_generations.invalid + excluded.invalid,
      finished_at = excluded.finished_at`.execute(services.db);
  return { businessDate: date, reportedDate: reported, monthEnd, ...totals, released };
}
