import type { JsonValue } from '../../platform/outbox/event.ts';
import type { DateString } from '../../platform/tables.ts';
import type { HistoryRow, LineRow, ReservationRow } from './store.ts';
import type { HistoryKind, LineStatus, ReservationStatus } from './tables.ts';

// What the credit service answers: rows turned into the module's own types (bigint fen, Date
// instants, YYYY-MM-DD dates), and the payload its events carry (amounts as decimal strings).

/** Who changed a line: a staff user, or a step of the system (`{ kind: 'system', id: 'risk' }`). */
export type Actor = { kind: 'staff' | 'system'; id: string };

export type CreditLine = {
  id: string;
  customerId: string;
  applicationId: string;
  currency: 'CNY';
  limitMinor: bigint;
  usedMinor: bigint;
  reservedMinor: bigint;
  /** Principal repaid on a non-revolving line: no longer owed, but not available again. */
  repaidMinor: bigint;
  availableMinor: bigint;
  revolving: boolean;
  productCodes: string[];
  expiresOn: DateString;
  status: LineStatus;
  frozenReason: string | null;
  grantedOn: DateString;
  createdAt: Date;
  updatedAt: Date;
};

export type Reservation = {
  id: string;
  lineId: string;
  customerId: string;
  sourceRef: string;
  amountMinor: bigint;
  status: ReservationStatus;
  businessDate: DateString;
  createdAt: Date;
  settledAt: Date | null;
};

export type HistoryEntry = {
  id: bigint;
  kind: HistoryKind;
  limitDeltaMinor: bigint;
  usedDeltaMinor: bigint;
  reservedDeltaMinor: bigint;
  repaidDeltaMinor: bigint;
  limitAfterMinor: bigint;
  usedAfterMinor: bigint;
  reservedAfterMinor: bigint;
  repaidAfterMinor: bigint;
  availableAfterMinor: bigint;
  statusAfter: LineStatus;
  sourceRef: string | null;
  actor: Actor | null;
  reason: string | null;
  businessDate: DateString;
  at: Date;
};

export function availableOf(row: Pick<LineRow, 'limit_minor' | 'used_minor' | 'reserved_minor'>): bigint {
  return row.limit_minor - row.used_minor - row.reserved_minor;
}

export function toLine(row: LineRow): CreditLine {
  return {
    id: row.id,
    customerId: row.customer_id,
    applicationId: row.application_id,
    currency: row.currency,
    limitMinor: row.limit_minor,
    usedMinor: row.used_minor,
    reservedMinor: row.reserved_minor,
    repaidMinor: row.repaid_minor,
    availableMinor: availableOf(row),
    revolving: row.revolving,
    productCodes: row.product_codes,
    expiresOn: row.expires_on,
    status: row.status,
    frozenReason: row.frozen_reason,
    grantedOn: row.granted_on,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function toReservation(row: ReservationRow): Reservation {
  return {
    id: row.id,
    lineId: row.line_id,
    customerId: row.customer_id,
    sourceRef: row.source_ref,
    amountMinor: row.amount_minor,
    status: row.status,
    businessDate: row.business_date,
    createdAt: row.created_at,
    settledAt: row.settled_at,
  };
}

export function toHistory(row: HistoryRow): HistoryEntry {
  return {
    id: row.id,
    kind: row.kind,
    limitDeltaMinor: row.limit_delta_minor,
    usedDeltaMinor: row.used_delta_minor,
    reservedDeltaMinor: row.reserved_delta_minor,
    repaidDeltaMinor: row.repaid_delta_minor,
    limitAfterMinor: row.limit_after_minor,
    usedAfterMinor: row.used_after_minor,
    reservedAfterMinor: row.reserved_after_minor,
    repaidAfterMinor: row.repaid_after_minor,
    availableAfterMinor: row.available_after_minor,
    statusAfter: row.status_after,
    sourceRef: row.source_ref,
    actor:
      row.actor_kind === null || row.actor_id === null ? null : { kind: row.actor_kind, id: row.actor_id },
    reason: row.reason,
    businessDate: row.business_date,
    at: row.at,
  };
}

/** A line as its events describe it (no freeze reason: webhooks and other modules need no staff notes). */
export function linePayload(row: LineRow): { [key: string]: JsonValue } {
  return {
    lineId: row.id,
    customerId: row.customer_id,
    applicationId: row.application_id,
    currency: row.currency,
    limitMinor: String(row.limit_minor),
    usedMinor: String(row.used_minor),
    reservedMinor: String(row.reserved_minor),
    availableMinor: String(availableOf(row)),
    revolving: row.revolving,
    productCodes: row.product_codes,
    expiresOn: row.expires_on,
    status: row.status,
  };
}
