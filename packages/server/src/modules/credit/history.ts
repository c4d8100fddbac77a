import type { Tx } from '../../platform/db.ts';
import { publishEvent } from '../../platform/outbox/publish.ts';
import type { DateString } from '../../platform/tables.ts';
import * as store from './store.ts';
import type { CreditTx, HistoryKind } from './tables.ts';
import { type Actor, availableOf, linePayload } from './views.ts';

// Every change to a line is one history row — its deltas, the balances after, what caused it and
// who — written by the change's own transaction; the changes other modules may care about are also
// events in the outbox, in the same transaction.

type Balances = Pick<store.LineRow, 'limit_minor' | 'used_minor' | 'reserved_minor' | 'repaid_minor'>;

const zero: Balances = { limit_minor: 0n, used_minor: 0n, reserved_minor: 0n, repaid_minor: 0n };

export async function recordChange(
  trx: CreditTx,
  change: {
    kind: HistoryKind;
    /** The line before the change; absent for a grant. */
    before?: store.LineRow;
    after: store.LineRow;
    sourceRef?: string | undefined;
    actor?: Actor | undefined;
    reason?: string | undefined;
    businessDate: DateString;
  },
): Promise<store.HistoryRow> {
  const { after } = change;
  const before: Balances = change.before ?? zero;
  return store.insertHistory(trx, {
    line_id: after.id,
    customer_id: after.customer_id,
    kind: change.kind,
    limit_delta_minor: after.limit_minor - before.limit_minor,
    used_delta_minor: after.used_minor - before.used_minor,
    reserved_delta_minor: after.reserved_minor - before.reserved_minor,
    repaid_delta_minor: after.repaid_minor - before.repaid_minor,
    limit_after_minor: after.limit_minor,
    used_after_minor: after.used_minor,
    reserved_after_minor: after.reserved_minor,
    repaid_after_minor: after.repaid_minor,
    available_after_minor: availableOf(after),
    status_after: after.status,
    source_ref: change.sourceRef ?? null,
    actor_kind: change.actor?.kind ?? null,
    actor_id: change.actor?.id ?? null,
    reason: change.reason ?? null,
    business_date: change.businessDate,
  });
}

export const lineEventTypes = [
  'credit.line-granted',
  'credit.line-adjusted',
  'credit.line-frozen',
  'credit.line-unfrozen',
  'credit.line-closed',
  'credit.line-expired',
] as const;
export type LineEventType = (typeof lineEventTypes)[number];

export async function publishLineEvent(
  trx: Tx,
  type: LineEventType,
  line: store.LineRow,
  extra: Record<string, string | null> = {},
): Promise<void> {
  await publishEvent(trx, {
    type,
    subject: { type: 'credit-line', id: line.id },
    payload: { ...linePayload(line), ...extra },
  });
}
