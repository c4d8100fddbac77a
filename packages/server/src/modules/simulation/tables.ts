import type { ColumnType, Kysely, Transaction } from 'kysely';
import type { DateString } from '../../platform/tables.ts';

// The table the simulation owns (migration 0028_simulation.sql): at most one row, the database's
// simulation — what was asked, how far it got, and the summary once it completed.

export type SimulationStatus = 'running' | 'completed' | 'failed';

export interface SimulationRunTable {
  id: ColumnType<number, never, never>;
  seed: ColumnType<bigint, number, never>;
  months: number;
  borrowers: number;
  start_date: DateString;
  status: SimulationStatus;
  progress: ColumnType<Record<string, unknown>, string | undefined, string>;
  summary: ColumnType<Record<string, unknown> | null, never, string | null>;
  error: string | null;
  started_at: ColumnType<Date, never, never>;
  updated_at: ColumnType<Date, never, Date>;
  finished_at: Date | null;
}

export interface SimulationTables {
  simulation_runs: SimulationRunTable;
}

export type SimulationDb = Kysely<SimulationTables> | Transaction<SimulationTables>;
