import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';
import type { DateString } from '../../platform/tables.ts';

// Tables owned by the credit module (migration 0014_credit.sql). Customer ids and risk
// application ids belong to other modules and are plain ids here.

type Created = ColumnType<Date, Date | undefined, never>;

export const lineStatuses = ['active', 'frozen', 'closed', 'expired'] as const;
export type LineStatus = (typeof lineStatuses)[number];

export const reservationStatuses = ['held', 'used', 'released'] as const;
export type ReservationStatus = (typeof reservationStatuses)[number];

export const historyKinds = [
  'granted',
  'reserved',
  'reservation_used',
  'reservation_released',
  'restored',
  'repaid',
  'frozen',
  'unfrozen',
  'closed',
  'expired',
  'limit_adjusted',
] as const;
export type HistoryKind = (typeof historyKinds)[number];

export interface CreditExposureTable {
  customer_id: string;
  version: Generated<bigint>;
  created_at: Created;
  updated_at: Generated<Date>;
}

export interface CreditLineTable {
  id: string;
  customer_id: string;
  application_id: string;
  currency: 'CNY';
  limit_minor: bigint;
  granted_limit_minor: bigint;
  used_minor: Generated<bigint>;
  reserved_minor: Generated<bigint>;
  repaid_minor: Generated<bigint>;
  revolving: boolean;
  product_codes: string[];
  expires_on: DateString;
  status: Generated<LineStatus>;
  frozen_reason: string | null;
  granted_on: DateString;
  created_at: Created;
  updated_at: Generated<Date>;
}

export interface CreditReservationTable {
  id: string;
  line_id: string;
  customer_id: string;
  source_ref: string;
  amount_minor: bigint;
  status: Generated<ReservationStatus>;
  business_date: DateString;
  created_at: Created;
  settled_at: Date | null;
}

export interface CreditLineHistoryTable {
  id: Generated<bigint>;
  line_id: string;
  customer_id: string;
  kind: HistoryKind;
  limit_delta_minor: bigint;
  used_delta_minor: bigint;
  reserved_delta_minor: bigint;
  repaid_delta_minor: bigint;
  limit_after_minor: bigint;
  used_after_minor: bigint;
  reserved_after_minor: bigint;
  repaid_after_minor: bigint;
  available_after_minor: bigint;
  status_after: LineStatus;
  source_ref: string | null;
  actor_kind: 'staff' | 'system' | null;
  actor_id: string | null;
  reason: string | null;
  business_date: DateString;
  at: Created;
}

export interface CreditTables {
  credit_exposures: CreditExposureTable;
  credit_lines: CreditLineTable;
  credit_reservations: CreditReservationTable;
  credit_line_history: CreditLineHistoryTable;
}

/** A connection typed with this context's tables only (its store's SQL). */
export type CreditDb = Kysely<CreditTables> | Transaction<CreditTables>;
export type CreditTx = Transaction<CreditTables>;
