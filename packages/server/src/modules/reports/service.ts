import {
  addDays,
  addMonths,
  type DelinquencyBucket,
  delinquencyBuckets,
  divideRounded,
  formatMinor,
  localDate,
} from '@fenqi/core';
import { getBusinessDate } from '../../platform/business-date.ts';
import type { DB, Tx } from '../../platform/db.ts';
import { AppError } from '../../platform/errors.ts';
import type { DateString } from '../../platform/tables.ts';
import { collectionsDay } from '../collections/service.ts';
import { listFunders } from '../funding/service.ts';
import { disbursementsByDay, disbursementsByMonth, orderFunnel } from '../loans/service.ts';
import { applicationFunnel } from '../risk/service.ts';
import {
  bookFigures,
  bucketRolls,
  delinquentPrincipalByCohort,
  funderPrincipal,
  repaymentKinds,
  transactionsOn,
} from '../servicing/service.ts';
import type { funnelStages } from './schemas.ts';

// The management reports: each figure is computed by the module that owns its rows (servicing,
// loans, risk, collections, funding — their reports.ts, through their service.ts); this module
// owns no tables and only puts the figures together: months and ranges from the business date,
// shares and rates as exact ratios. Every report reads in one REPEATABLE READ, read-only
// transaction, so figures from different modules are of one snapshot.

/** Decimal places of every ratio (shares, rates). */
const ratioScale = 4;

/** part / whole as a decimal string with four places, rounded half up; "0.0000" when whole is 0. */
export function ratio(part: bigint, whole: bigint): string {
  if (whole === 0n) return formatMinor(0n, ratioScale);
  return formatMinor(divideRounded(part * 10n ** BigInt(ratioScale), whole, 'half_up'), ratioScale);
}

const monthOf = (date: DateString) => date.slice(0, 7);
/** The month `n` months after `month` (YYYY-MM; n may be negative). */
const monthPlus = (month: string, n: number) => monthOf(addMonths(localDate(`${month}-01`), n));
const lastDayOf = (month: string) => addDays(localDate(`${monthPlus(month, 1)}-01`), -1) as DateString;

function snapshot<T>(db: DB, work: (trx: Tx, today: DateString) => Promise<T>): Promise<T> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .setAccessMode('read only')
    .execute(async (trx) => work(trx, await getBusinessDate(trx)));
}

const queryError = (path: string, message: string) =>
  new AppError('validation_failed', `${path} ${message}.`, { errors: [{ in: 'query', path, message }] });

export async function portfolioReport(db: DB) {
  return snapshot(db, async (trx, today) => {
    const book = await bookFigures(trx);
    return {
      businessDate: today,
      closedThroughEarliest: book.closedThroughEarliest,
      loans: book.loans,
      outstandingPrincipalMinor: book.principalMinor,
      outstandingInterestMinor: book.interestMinor,
      outstandingFeeMinor: book.feeMinor,
      outstandingPenaltyMinor: book.penaltyMinor,
      outstandingTotalMinor: book.principalMinor + book.interestMinor + book.feeMinor + book.penaltyMinor,
      byBucket: book.byBucket.map((b) => ({ ...b, share: ratio(b.principalMinor, book.principalMinor) })),
      byStatus: book.byStatus,
    };
  });
}

export async function disbursementsReport(db: DB, days: number) {
  return snapshot(db, async (trx, today) => {
    const month = monthOf(today);
    const [daily, monthly] = await Promise.all([
      disbursementsByDay(trx, { from: addDays(localDate(today), 1 - days), to: today }),
      disbursementsByMonth(trx, { fromMonth: monthPlus(month, -11), toMonth: month }),
    ]);
    const none = { loans: 0, amountMinor: 0n };
    const { date: _d, ...ofToday } = daily.at(-1) ?? { date: today, ...none };
    const { month: _m, ...ofMonth } = monthly.at(-1) ?? { month, ...none };
    return { businessDate: today, today: ofToday, month: ofMonth, daily, monthly };
  });
}

type Stage = (typeof funnelStages)[number];

export async function funnelReport(
  db: DB,
  query: { from?: DateString | undefined; to?: DateString | undefined },
) {
  return snapshot(db, async (trx, today) => {
    const to = query.to ?? today;
    // By default the 30 days to `to`, as the disbursement series: the first of a month is not an empty funnel.
    const from = query.from ?? addDays(localDate(to), -29);
    if (from > to) throw queryError('from', 'must not be after to');
    const [applications, orders] = await Promise.all([
      applicationFunnel(trx, { from, to }),
      orderFunnel(trx, { from, to }),
    ]);
    const counts: Record<Stage, number> = {
      applications: applications.applications,
      approved: applications.approved,
      referred: applications.referred,
      rejected: applications.rejected,
      orders: orders.orders,
      accepted: orders.accepted,
      disbursed: orders.disbursed,
    };
    return {
      from,
      to,
      stages: Object.entries(counts).map(([stage, count]) => ({ stage: stage as Stage, count })),
      inReview: applications.inReview,
      drawdownsDisbursed: orders.drawdownsDisbursed,
    };
  });
}

export async function vintagesReport(db: DB, months: number) {
  return snapshot(db, async (trx, today) => {
    const toMonth = monthOf(today);
    const fromMonth = monthPlus(toMonth, 1 - months);
    const [sizes, points] = await Promise.all([
      disbursementsByMonth(trx, { fromMonth, toMonth }),
      delinquentPrincipalByCohort(trx, { fromMonth, open: today }),
    ]);
    const byCohort = Map.groupBy(points, (point) => point.month);
    const cohorts = sizes
      .filter((size) => size.loans > 0)
      .map((size) => ({
        month: size.month,
        loans: size.loans,
        principalMinor: size.amountMinor,
        points: (byCohort.get(size.month) ?? []).map((point) => ({
          mob: point.mob,
          monthEnd: lastDayOf(monthPlus(size.month, point.mob)),
          m1PlusLoans: point.loans,
          m1PlusPrincipalMinor: point.principalMinor,
          m1PlusRate: ratio(point.principalMinor, size.amountMinor),
        })),
      }));
    return { businessDate: today, cohorts };
  });
}

export async function rollRatesReport(db: DB, months: number) {
  return snapshot(db, async (trx, today) => {
    // The months that have ended: every month before the business date's own.
    const fromMonth = monthPlus(monthOf(today), -months);
    const rolls = await bucketRolls(trx, { fromMonth, months });
    return {
      businessDate: today,
      months: Array.from({ length: months }, (_, n) => {
        const month = monthPlus(fromMonth, n);
        const ofMonth = rolls.filter((roll) => roll.month === month);
        const totals = new Map<DelinquencyBucket, number>(
          delinquencyBuckets.map((bucket) => [
            bucket,
            ofMonth.filter((roll) => roll.from === bucket).reduce((sum, roll) => sum + roll.loans, 0),
          ]),
        );
        return {
          month,
          fromTotals: delinquencyBuckets.map((bucket) => ({ bucket, loans: totals.get(bucket) ?? 0 })),
          matrix: ofMonth.map((roll) => ({
            from: roll.from,
            to: roll.to,
            loans: roll.loans,
            rate: ratio(BigInt(roll.loans), BigInt(totals.get(roll.from) ?? 0)),
          })),
        };
      }),
    };
  });
}

export async function collectionsReport(db: DB, query: { date?: DateString | undefined }) {
  return snapshot(db, async (trx, today) => {
    const date = query.date ?? today;
    if (date > today) throw queryError('date', 'must not be after the business date');
    const [kinds, day] = await Promise.all([transactionsOn(trx, date), collectionsDay(trx, date)]);
    const byKind = kinds
      .filter((k) => repaymentKinds.includes(k.kind))
      .map((k) => ({
        kind: k.kind as 'repayment' | 'auto_debit' | 'offline' | 'payoff' | 'prepayment',
        count: k.count,
        amountMinor: k.amountMinor,
      }));
    const reversal = kinds.find((k) => k.kind === 'reversal');
    return {
      date,
      repayments: {
        count: byKind.reduce((sum, k) => sum + k.count, 0),
        amountMinor: byKind.reduce((sum, k) => sum + k.amountMinor, 0n),
      },
      byKind,
      reversals: { count: reversal?.count ?? 0, amountMinor: reversal?.amountMinor ?? 0n },
      ...day,
    };
  });
}

export async function fundersReport(db: DB) {
  return snapshot(db, async (trx, today) => {
    const [parts, funders] = await Promise.all([funderPrincipal(trx), listFunders(trx)]);
    const total = parts.reduce((sum, part) => sum + part.principalMinor, 0n);
    const byId = new Map(parts.map((part) => [part.funderId, part]));
    const known = new Set(funders.map((funder) => funder.id));
    const rows = [
      ...funders.map((funder) => ({
        funderId: funder.id,
        code: funder.code as string | null,
        name: funder.name,
        loans: byId.get(funder.id)?.loans ?? 0,
        outstandingPrincipalMinor: byId.get(funder.id)?.principalMinor ?? 0n,
      })),
      // A share naming no funder the funding module knows (never through origination): its id stands in.
      ...parts
        .filter((part) => !known.has(part.funderId))
        .map((part) => ({
          funderId: part.funderId,
          code: null,
          name: part.funderId,
          loans: part.loans,
          outstandingPrincipalMinor: part.principalMinor,
        })),
    ].sort((a, b) =>
      a.outstandingPrincipalMinor === b.outstandingPrincipalMinor
        ? a.funderId < b.funderId
          ? -1
          : 1
        : a.outstandingPrincipalMinor > b.outstandingPrincipalMinor
          ? -1
          : 1,
    );
    return {
      businessDate: today,
      funders: rows.map((row) => ({ ...row, share: ratio(row.outstandingPrincipalMinor, total) })),
      totalOutstandingPrincipalMinor: total,
    };
  });
}
