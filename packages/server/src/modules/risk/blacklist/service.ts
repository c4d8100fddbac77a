import { localDate } from '@fenqi/core';
import { getBusinessDate } from '../../../platform/business-date.ts';
import type { Config } from '../../../platform/config.ts';
import { createDataKey, cryptoFor, encryptField } from '../../../platform/crypto/envelope.ts';
import type { DB, Tx } from '../../../platform/db.ts';
import { orConflict } from '../../../platform/db-errors.ts';
import { AppError } from '../../../platform/errors.ts';
import type { Origin } from '../../../platform/http/origin.ts';
import { requestApproval } from '../../iam/service.ts';
import { blacklistAddApproval, blacklistRemoveApproval } from './actions.ts';
import {
  alreadyListed,
  type BlacklistEntry,
  dataKeyPurpose,
  kindLabels,
  liveClaims,
  matchKeyOf,
  type Staff,
  toEntries,
  valueContext,
} from './entries.ts';
import * as store from './store.ts';
import type { BlacklistDb, BlacklistKind, BlacklistTx } from './tables.ts';
import { type BlacklistReason, checkExpiry, checkNote, checkValue } from './values.ts';

// The blacklist's use cases for one entry: propose it, propose its removal (both maker-checker,
// actions.ts), read it, list and search. A proposal takes the value's one place at once (pending),
// so a second proposal of the same value is refused while the first waits. Imports: imports.ts;
// matching for decisions: matching.ts.

/** Entries one search answers (a value has few: one live, the rest history). */
const searchEntriesMax = 100;

function invalidBody(path: string, code: string, message: string): AppError {
  return new AppError('validation_failed', `The body is not valid: ${path}: ${message}`, {
    errors: [{ in: 'body', path, message, code }],
  });
}

export type Proposal = {
  kind: BlacklistKind;
  value: string;
  reasonCode: BlacklistReason;
  note: string | undefined;
  expiresOn: string | undefined;
  maker: Staff;
  origin: Origin;
};

/** The maker proposes one value: a pending entry and the approval request that will activate it. */
export async function proposeEntry(trx: Tx, config: Config, input: Proposal): Promise<BlacklistEntry> {
  const today = await getBusinessDate(trx);
  const asOf = localDate(today);
  const value = checkValue(input.kind, input.value, asOf);
  if (!value.ok) throw invalidBody('value', value.code, value.message);
  const expiry = checkExpiry(input.expiresOn ?? '', asOf);
  if (!expiry.ok) throw invalidBody('expiresOn', expiry.code, expiry.message);
  const note = checkNote(input.note ?? '', input.reasonCode);
  if (!note.ok) throw invalidBody('note', note.code, note.message);
  const matchKey = matchKeyOf(config, input.kind, value.value);
  const [held] = await liveClaims(trx, [{ kind: input.kind, matchKey }], today);
  if (held) throw alreadyListed(input.kind, held);

  const db = trx as BlacklistTx;
  const [id] = await store.allocateEntryIds(db, 1);
  if (id === undefined) throw new Error('no entry id was allocated');
  const valueEnc =
    input.kind === 'device'
      ? null
      : encryptField(
          await createDataKey(trx, cryptoFor(config).kms, dataKeyPurpose),
          value.value,
          valueContext(id),
        );
  const approval = await requestApproval(trx, config, {
    action: blacklistAddApproval,
    payload: { entryId: String(id), kind: input.kind },
    reason: `Blacklist a ${kindLabels[input.kind]}: ${input.reasonCode}${note.value === null ? '' : ` — ${note.value}`}`,
    maker: input.maker,
    origin: input.origin,
  });
  // Concurrent proposals of one value all pass the check above; the unique index decides.
  const row = await orConflict(
    store.insertEntry(db, {
      id,
      kind: input.kind,
      match_key: matchKey,
      value_enc: valueEnc,
      reason_code: input.reasonCode,
      note: note.value,
      source: 'manual',
      import_id: null,
      expires_on: expiry.value,
      status: 'pending_add',
      proposed_by: input.maker.userId,
      add_approval_id: approval.id,
    }),
    { [store.oneLiveConstraint]: () => alreadyListed(input.kind) },
  );
  const [entry] = await toEntries(trx, config, [row]);
  if (!entry) throw new Error('the new entry has no view');
  return entry;
}

/** The maker proposes taking an active entry off; it keeps applying until the checker approves. */
export async function proposeRemoval(
  trx: Tx,
  config: Config,
  input: { entryId: bigint; note: string; maker: Staff; origin: Origin },
): Promise<BlacklistEntry> {
  const db = trx as BlacklistTx;
  const today = await getBusinessDate(trx);
  const locked = await store.lockEntry(db, input.entryId);
  if (!locked) throw new AppError('not_found', `There is no blacklist entry ${input.entryId}.`);
  const [held] = await liveClaims(trx, [{ kind: locked.kind, matchKey: locked.match_key }], today);
  if (!held || held.id !== locked.id || held.status !== 'active') {
    const current = (await store.findEntry(db, input.entryId))?.status ?? locked.status;
    throw new AppError(
      'blacklist_entry_not_active',
      `Blacklist entry ${input.entryId} is ${current}; only an active entry can be proposed for removal.`,
      { extensions: { status: current } },
    );
  }
  const approval = await requestApproval(trx, config, {
    action: blacklistRemoveApproval,
    payload: { entryId: String(input.entryId) },
    reason: `Take blacklist entry ${input.entryId} off: ${input.note}`,
    maker: input.maker,
    origin: input.origin,
  });
  const row = await store.requestRemoval(db, input.entryId, {
    approvalId: approval.id,
    requestedBy: input.maker.userId,
    note: input.note,
  });
  // The row is locked and was active a moment ago in this transaction.
  if (!row) throw new Error(`blacklist entry ${input.entryId} changed under its lock`);
  const [entry] = await toEntries(trx, config, [row]);
  if (!entry) throw new Error('the entry has no view');
  return entry;
}

export async function getEntry(db: DB, config: Config, id: bigint): Promise<BlacklistEntry> {
  const row = await store.findEntry(db as BlacklistDb, id);
  if (!row) throw new AppError('not_found', `There is no blacklist entry ${id}.`);
  const [entry] = await toEntries(db, config, [row]);
  if (!entry) throw new Error('the entry has no view');
  return entry;
}

export async function listEntries(
  db: DB,
  config: Config,
  filter: store.EntryFilter,
): Promise<{ entries: BlacklistEntry[]; cursor: bigint | null }> {
  const rows = await store.listEntries(db as BlacklistDb, filter);
  const last = rows.length === filter.limit ? rows[rows.length - 1] : undefined;
  return { entries: await toEntries(db, config, rows), cursor: last?.id ?? null };
}

/** Every entry ever made for one value (found through its blind index; nothing is decrypted to search). */
export async function searchEntries(
  db: DB,
  config: Config,
  by: { kind: BlacklistKind; value: string },
): Promise<BlacklistEntry[]> {
  const value = checkValue(by.kind, by.value, localDate(await getBusinessDate(db)));
  // A value that cannot be listed is on no list; the search need not say why it is malformed.
  if (!value.ok) return [];
  const rows = await store.entriesForValue(
    db as BlacklistDb,
    { kind: by.kind, matchKey: matchKeyOf(config, by.kind, value.value) },
    searchEntriesMax,
  );
  return toEntries(db, config, rows);
}
