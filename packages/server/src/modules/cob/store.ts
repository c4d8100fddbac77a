import type { Selectable } from 'kysely';
import { sql } from 'kysely';
import type { DateString } from '../../platform/tables.ts';
import type { CobDb, CobPartitionTable, CobRunTable, CobTx, TotalsJson } from './tables.ts';

// The SQL of close of business's own tables: runs and their partitions.

export type RunRow = Selectable<CobRunTable>;
export type PartitionRow = Selectable<CobPartitionTable>;

/** NOTIFY channel: a run was planned (workers start claiming its partitions at once). */
export const cobChannel = 'fenqi_cob';

export async function findRun(db: CobDb, date: DateString): Promise<RunRow | undefined> {
  return db.selectFrom('cob_runs').selectAll().where('business_date', '=', date).executeTakeFirst();
}

export async function lockRun(trx: CobTx, date: DateString): Promise<RunRow | undefined> {
  return trx
    .selectFrom('cob_runs')
    .selectAll()
    .where('business_date', '=', date)
    .forUpdate()
    .executeTakeFirst();
}

/** The run in progress, if any (there is at most one: a run ends with its date). */
export async function runningRun(db: CobDb): Promise<RunRow | undefined> {
  return db
    .selectFrom('cob_runs')
    .selectAll()
    .where('status', '=', 'running')
    .orderBy('business_date')
    .limit(1)
    .executeTakeFirst();
}

export async function insertRun(
  trx: CobTx,
  run: {
    date: DateString;
    startedBy: string;
    loans: number;
    ranges: readonly { from: string; to: string | null; loans: number }[];
  },
): Promise<RunRow> {
  const row = await trx
    .insertInto('cob_runs')
    .values({
      business_date: run.date,
      status: 'running',
      partitions: run.ranges.length,
      loans: run.loans,
      started_by: run.startedBy,
      finished_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('cob_partitions')
    .values(
      run.ranges.map((range, index) => ({
        business_date: run.date,
        number: index + 1,
        loan_from: range.from,
        loan_to: range.to,
        loans: range.loans,
        status: 'pending' as const,
        worker: null,
        finished_at: null,
      })),
    )
    .execute();
  await sql`SELECT pg_notify(${cobChannel}, ${run.date})`.execute(trx);
  return row;
}

/**
 * The next pending partition, locked for this transaction; partitions other workers hold are
 * skipped. The lock is held while the partition is closed, so its loans' changes and its `done`
 * commit together, and a worker that dies leaves it pending for the next claim.
 */
export async function claimPartition(
  trx: CobTx,
  date: DateString,
  skip: readonly number[] = [],
): Promise<PartitionRow | undefined> {
  let query = trx
    .selectFrom('cob_partitions')
    .selectAll()
    .where('business_date', '=', date)
    .where('status', '=', 'pending');
  if (skip.length > 0) query = query.where('number', 'not in', skip);
  return query.orderBy('number').limit(1).forUpdate().skipLocked().executeTakeFirst();
}

export async function completePartition(
  trx: CobTx,
  partition: { date: DateString; number: number; worker: string; totals: TotalsJson },
): Promise<void> {
  await trx
    .updateTable('cob_partitions')
    .set({
      status: 'done',
      worker: partition.worker,
      finished_at: sql<Date>`clock_timestamp()`,
      totals: JSON.stringify(partition.totals),
    })
    .where('business_date', '=', partition.date)
    .where('number', '=', partition.number)
    .execute();
}

export async function pendingPartitions(db: CobDb, date: DateString): Promise<number> {
  const row = await db
    .selectFrom('cob_partitions')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('business_date', '=', date)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return row?.n ?? 0;
}

export async function partitionTotals(db: CobDb, date: DateString): Promise<TotalsJson[]> {
  const rows = await db
    .selectFrom('cob_partitions')
    .select('totals')
    .where('business_date', '=', date)
    .where('status', '=', 'done')
    .orderBy('number')
    .execute();
  return rows.flatMap((row) => (row.totals === null ? [] : [row.totals]));
}

export type ProgressRow = {
  partitions: number;
  partitions_done: number;
  loans: number;
  loans_done: number;
  last_finished_at: Date | null;
  now: Date;
};

export async function progress(db: CobDb, date: DateString): Promise<ProgressRow> {
  const result = await sql<ProgressRow>`
    SELECT count(*)::int AS partitions,
           (count(*) FILTER (WHERE status = 'done'))::int AS partitions_done,
           coalesce(sum(loans), 0)::int AS loans,
           coalesce(sum(loans) FILTER (WHERE status = 'done'), 0)::int AS loans_done,
           max(finished_at) AS last_finished_at,
           clock_timestamp() AS now
    FROM cob_partitions WHERE business_date = ${date}::date`.execute(db);
  const row = result.rows[0];
  if (row === undefined) throw new Error('an aggregate returned no row');
  return row;
}

/** Marks the run done with its summary; the duration is measured by the database's clock. */
export async function finishRun(
  trx: CobTx,
  date: DateString,
  summary: Record<string, unknown>,
): Promise<RunRow> {
  return trx
    .updateTable('cob_runs')
    .set({
      status: 'done',
      finished_at: sql<Date>`clock_timestamp()`,
      summary: sql<string>`${JSON.stringify(summary)}::jsonb || jsonb_build_object(
        'finishedAt', to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'durationMs', floor(extract(epoch FROM clock_timestamp() - started_at) * 1000)::int8)`,
    })
    .where('business_date', '=', date)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Runs, newest first, before `before` when given. */
export async function listRuns(
  db: CobDb,
  options: { limit: number; before?: DateString },
): Promise<RunRow[]> {
  let query = db.selectFrom('cob_runs').selectAll().orderBy('business_date', 'desc').limit(options.limit);
  if (options.before !== undefined) query = query.where('business_date', '<', options.before);
  return query.execute();
}
