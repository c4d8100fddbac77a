import { compareDates, localDate } from '@fenqi/core';
import { getBusinessDate } from '../../../platform/business-date.ts';
import type { Config } from '../../../platform/config.ts';
import { blindIndex } from '../../../platform/crypto/blind-index.ts';
import {
  cryptoFor,
  type DataKey,
  dataKeyIdOf,
  decryptField,
  fieldContext,
  loadDataKey,
} from '../../../platform/crypto/envelope.ts';
import { maskCardNumber, maskIdNumber, maskPhone } from '../../../platform/crypto/masking.ts';
import type { DB, Tx } from '../../../platform/db.ts';
import { AppError } from '../../../platform/errors.ts';
import type { DateString } from '../../../platform/tables.ts';
// Read-only: whether the checker rejected a proposal (the approvals module has no rejection hook).
import { findApproval } from '../../iam/approvals.ts';
import type { staffOf } from '../../iam/service.ts';
import * as store from './store.ts';
import type { BlacklistKind, BlacklistSource, BlacklistStatus, BlacklistTx } from './tables.ts';

// What proposals and reads share: how a value is keyed, encrypted and masked, the entry as staff
// see it, and which entry holds a value's place.
//
// ID numbers, phones and card numbers are field ciphertexts bound to their entry's id, matched by a
// keyed blind index with the customers module's key and kinds (a customer's stored index equals the
// blacklist's for the same value). The approvals module runs an action on approval only: a rejected
// proposal keeps its pending status until a later proposal of the value (or a removal of the entry)
// finds the request rejected and gives the place up — it never applied, since only approved
// entries match.

export type BlacklistEntry = {
  id: bigint;
  kind: BlacklistKind;
  valueMasked: string;
  reasonCode: string;
  note: string | null;
  source: BlacklistSource;
  importId: string | null;
  expiresOn: DateString | null;
  status: BlacklistStatus;
  /** Whether it applies on the current business date. */
  applies: boolean;
  activeFrom: DateString | null;
  removedOn: DateString | null;
  proposedBy: string;
  addApprovalId: string;
  approvedBy: string | null;
  approvedAt: Date | null;
  removalNote: string | null;
  removalRequestedBy: string | null;
  removalRequestedAt: Date | null;
  removalApprovalId: string | null;
  removedBy: string | null;
  removedAt: Date | null;
  createdAt: Date;
};

export type Staff = ReturnType<typeof staffOf>;

export const dataKeyPurpose = 'risk-blacklist';

export const kindLabels: Record<BlacklistKind, string> = {
  id_number: 'ID number',
  phone: 'phone number',
  card: 'card number',
  device: 'device id',
};

const indexKinds = { id_number: 'id-number', phone: 'phone', card: 'card-number' } as const;

/** How a value is matched: the keyed blind index of personal data, a device id as it is. */
export function matchKeyOf(config: Config, kind: BlacklistKind, value: string): string {
  return kind === 'device' ? value : blindIndex(config.secrets.blindIndexKey, indexKinds[kind], value);
}

function mask(kind: BlacklistKind, value: string): string {
  switch (kind) {
    case 'id_number':
      return maskIdNumber(value);
    case 'phone':
      return maskPhone(value);
    case 'card':
      return maskCardNumber(value);
    case 'device':
      return value;
  }
}

export const valueContext = (id: bigint) => fieldContext('risk_blacklist_entries', 'value', String(id));

function onOrBefore(a: DateString, b: DateString): boolean {
  return compareDates(localDate(a), localDate(b)) <= 0;
}

function appliesOn(row: store.EntryRow, day: DateString): boolean {
  return (
    (row.status === 'active' || row.status === 'pending_remove') &&
    row.active_from !== null &&
    onOrBefore(row.active_from, day) &&
    (row.expires_on === null || !onOrBefore(row.expires_on, day))
  );
}

/** Masked views of rows; each data key is loaded once (an import's entries share one). */
export async function toEntries(
  db: DB | Tx,
  config: Config,
  rows: store.EntryRow[],
): Promise<BlacklistEntry[]> {
  const today = await getBusinessDate(db);
  const keys = new Map<string, Promise<DataKey>>();
  const keyOf = (ciphertext: string) => {
    const id = dataKeyIdOf(ciphertext);
    let key = keys.get(id);
    if (key === undefined) {
      key = loadDataKey(db, cryptoFor(config).kms, id);
      keys.set(id, key);
    }
    return key;
  };
  return Promise.all(
    rows.map(async (row) => {
      const value =
        row.value_enc === null
          ? row.match_key
          : decryptField(await keyOf(row.value_enc), row.value_enc, valueContext(row.id));
      return {
        id: row.id,
        kind: row.kind,
        valueMasked: mask(row.kind, value),
        reasonCode: row.reason_code,
        note: row.note,
        source: row.source,
        importId: row.import_id,
        expiresOn: row.expires_on,
        status: row.status,
        applies: appliesOn(row, today),
        activeFrom: row.active_from,
        removedOn: row.removed_on,
        proposedBy: row.proposed_by,
        addApprovalId: row.add_approval_id,
        approvedBy: row.approved_by,
        approvedAt: row.approved_at,
        removalNote: row.removal_note,
        removalRequestedBy: row.removal_requested_by,
        removalRequestedAt: row.removal_requested_at,
        removalApprovalId: row.removal_approval_id,
        removedBy: row.removed_by,
        removedAt: row.removed_at,
        createdAt: row.created_at,
      };
    }),
  );
}

export function alreadyListed(kind: BlacklistKind, entry?: store.EntryRow): AppError {
  const which = entry === undefined ? '' : ` (entry ${entry.id}, ${entry.status})`;
  return new AppError(
    'blacklist_entry_exists',
    `This ${kindLabels[kind]} is already on the blacklist or waiting for a decision${which}.`,
    entry === undefined ? {} : { extensions: { entryId: String(entry.id) } },
  );
}

/**
 * The live entries of these values, after letting go of the places that are no longer held: an
 * active entry past its expiry date, a proposal the checker rejected (and a rejected removal goes
 * back to active). What is returned still holds its value's place.
 */
export async function liveClaims(
  trx: Tx,
  values: readonly { kind: BlacklistKind; matchKey: string }[],
  today: DateString,
): Promise<store.EntryRow[]> {
  const db = trx as BlacklistTx;
  const decisions = new Map<string, Promise<string>>();
  const rejected = async (approvalId: string) => {
    let status = decisions.get(approvalId);
    if (status === undefined) {
      status = findApproval(trx, approvalId).then((approval) => approval.status);
      decisions.set(approvalId, status);
    }
    return (await status) === 'rejected';
  };
  const held: store.EntryRow[] = [];
  // A rejected import's entries are closed together, once: re-importing its file is one update.
  const closedRequests = new Set<string>();
  for (const entry of await store.liveEntriesFor(db, values)) {
    if (entry.status === 'pending_add') {
      if (!(await rejected(entry.add_approval_id))) held.push(entry);
      else if (!closedRequests.has(entry.add_approval_id)) {
        closedRequests.add(entry.add_approval_id);
        await store.rejectEntries(db, entry.add_approval_id);
      }
      continue;
    }
    let status = entry.status;
    if (status === 'pending_remove' && entry.removal_approval_id !== null) {
      if (await rejected(entry.removal_approval_id)) {
        await store.cancelRemoval(db, entry.id, entry.removal_approval_id);
        status = 'active';
      }
    }
    if (status === 'active' && entry.expires_on !== null && onOrBefore(entry.expires_on, today)) {
      await store.closeExpired(db, entry.id, today);
      continue;
    }
    held.push({ ...entry, status });
  }
  return held;
}
