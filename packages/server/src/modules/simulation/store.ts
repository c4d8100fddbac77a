import { sql } from 'kysely';
import type { DB, Tx } from '../../platform/db.ts';
import type { SimulationDb, SimulationRunTable, SimulationStatus } from './tables.ts';

// The simulation's own SQL: its one row in simulation_runs.

export type RunRow = {
  seed: number;
  months: number;
  borrowers: number;
  startDate: string;
  status: SimulationStatus;
  progress: Record<string, unknown>;
  summary: Record<string, unknown> | null;
  error: string | null;
  startedAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
};

const t = (db: DB | Tx) => db as unknown as SimulationDb;

type Selected = {
  [K in keyof SimulationRunTable]: SimulationRunTable[K] extends { __select__: infer S }
    ? S
    : SimulationRunTable[K];
};

function toRow(row: Omit<Selected, 'id'>): RunRow {
  return {
    seed: Number(row.seed),
    months: row.months,
    borrowers: row.borrowers,
    startDate: row.start_date,
    status: row.status,
    progress: row.progress,
    summary: row.summary,
    error: row.error,
    startedAt: row.started_at,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at,
  };
}

export async function findRun(db: DB | Tx): Promise<RunRow | undefined> {
  const row = await t(db)
    .selectFrom('simulation_runs')
    .select([
      'seed',
      'months',
      'borrowers',
      'start_date',
      'status',
      'progress',
      'summary',
      'error',
      'started_at',
      'updated_at',
      'finished_at',
    ])
    .executeTakeFirst();
  return row === undefined ? undefined : toRow(row as never);
}

/** Records the start; false when the database already has a simulation (of any status). */
export async function insertRun(
  db: DB | Tx,
  run: { seed: number; months: number; borrowers: number; startDate: string },
): Promise<boolean> {
  const inserted = await t(db)
    .insertInto('simulation_runs')
    .values({
      seed: run.seed,
      months: run.months,
      borrowers: run.borrowers,
      start_date: run.startDate,
      status: 'running',
      progress: JSON.stringify({ stage: 'seeding' }),
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .returning('seed')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function updateProgress(db: DB | Tx, progress: Record<string, unknown>): Promise<void> {
  await t(db)
    .updateTable('simulation_runs')
    .set({ progress: JSON.stringify(progress), updated_at: sql<Date>`now()` as unknown as Date })
    .where('status', '=', 'running')
    .execute();
}

export async function finishRun(
  db: DB | Tx,
  outcome: { status: 'completed'; summary: Record<string, unknown> } | { status: 'failed'; error: string },
): Promise<void> {
  await t(db)
    .updateTable('simulation_runs')
    .set({
      status: outcome.status,
      summary: outcome.status === 'completed' ? JSON.stringify(outcome.summary) : null,
      error: outcome.status === 'failed' ? outcome.error.slice(0, 4000) : null,
      finished_at: sql<Date>`now()` as unknown as Date,
      updated_at: sql<Date>`now()` as unknown as Date,
    })
    .where('status', '=', 'running')
    .execute();
}
