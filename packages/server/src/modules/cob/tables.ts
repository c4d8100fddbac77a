import type { ColumnType, Kysely, Transaction } from 'kysely';
import type { DateString } from '../../platform/tables.ts';

// Tables owned by close of business (migration 0023_cob.sql).

export type RunStatus = 'running' | 'done';
export type PartitionStatus = 'pending' | 'done';

/** DayCloseTotals as stored: counts as numbers, amounts as strings of fen. */
export type TotalsJson = Record<string, number | string>;

export interface CobRunTable {
  business_date: DateString;
  status: RunStatus;
  partitions: number;
  loans: ColumnType<bigint, number, never>;
  started_by: string;
  started_at: ColumnType<Date, never, never>;
  finished_at: Date | null;
  summary: ColumnType<Record<string, unknown> | null, never, string>;
}

export interface CobPartitionTable {
  business_date: DateString;
  number: number;
  loan_from: string;
  loan_to: string | null;
  loans: number;
  status: PartitionStatus;
  worker: string | null;
  finished_at: Date | null;
  totals: ColumnType<TotalsJson | null, never, string>;
}

export interface CobTables {
  cob_runs: CobRunTable;
  cob_partitions: CobPartitionTable;
}

export type CobDb = Kysely<CobTables> | Transaction<CobTables>;
export type CobTx = Transaction<CobTables>;
