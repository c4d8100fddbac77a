import { randomUUID } from 'node:crypto';
import { localDate } from '@fenqi/core';
import { getBusinessDate } from '../../../platform/business-date.ts';
import type { Config } from '../../../platform/config.ts';
import { createDataKey, cryptoFor, encryptField } from '../../../platform/crypto/envelope.ts';
import type { DB, Tx } from '../../../platform/db.ts';
import { orConflict } from '../../../platform/db-errors.ts';
import { AppError, type FieldError } from '../../../platform/errors.ts';
import type { Origin } from '../../../platform/http/origin.ts';
import type { DateString } from '../../../platform/tables.ts';
import { requestApproval } from '../../iam/service.ts';
import { blacklistImportApproval } from './actions.ts';
import { checkImport, type ImportRow, importColumns, type RowError } from './csv.ts';
import { dataKeyPurpose, liveClaims, matchKeyOf, type Staff, valueContext } from './entries.ts';
import * as store from './store.ts';
import type { BlacklistDb, BlacklistTx } from './tables.ts';

// Bulk import: a CSV file checked whole (csv.ts, then the database for values already listed),
// refused whole with a report of every error, or written whole as one import under one approval
// request whose approval activates every entry in one statement.

export type BlacklistImport = {
  id: string;
  entryCount: number;
  note: string | null;
  requestedBy: string;
  approvalRequestId: string;
  businessDate: DateString;
  createdAt: Date;
};

/** Row errors one refused import reports; the count of the rest is in the detail. */
const importErrorsReportedMax = 1_000;

function importError(errors: RowError[], rowsRead: number): AppError {
  const reported = errors.slice(0, importErrorsReportedMax);
  const lines = new Set(errors.map((error) => error.line)).size;
  const more =
    errors.length > reported.length
      ? ` The first ${reported.length} of ${errors.length} errors are listed.`
      : '';
  const fieldErrors: FieldError[] = reported.map((error) => ({
    in: 'body',
    path: error.column === null ? `csv.${error.line}` : `csv.${error.line}.${error.column}`,
    message: error.message,
    code: error.code,
  }));
  return new AppError(
    'blacklist_import_invalid',
    `The file has ${errors.length} ${errors.length === 1 ? 'error' : 'errors'} on ${lines} ${lines === 1 ? 'line' : 'lines'}; nothing was imported.${more}`,
    { errors: fieldErrors, extensions: { rowsRead, errorCount: errors.length } },
  );
}

const columnOrder = new Map<string | null, number>([
  [null, -1],
  ...importColumns.map((c, i) => [c, i] as const),
]);

/**
 * The maker imports a file: every row is checked, and with a single error nothing is imported
 * (the report names every error). Otherwise every row becomes a pending entry of one import, under
 * one approval request whose approval activates them all.
 */
export async function proposeImport(
  trx: Tx,
  config: Config,
  input: { csv: string; note: string | undefined; maker: Staff; origin: Origin },
): Promise<BlacklistImport> {
  const today = await getBusinessDate(trx);
  const checked = checkImport(input.csv, localDate(today));
  const keyed = checked.rows.map((row) => ({ row, matchKey: matchKeyOf(config, row.kind, row.value) }));
  const held = await liveClaims(
    trx,
    keyed.map(({ row, matchKey }) => ({ kind: row.kind, matchKey })),
    today,
  );
  const lineOf = new Map(keyed.map(({ row, matchKey }) => [`${row.kind}\n${matchKey}`, row.line]));
  const errors = [...checked.errors];
  for (const entry of held) {
    const line = lineOf.get(`${entry.kind}\n${entry.match_key}`);
    if (line !== undefined)
      errors.push({
        line,
        column: 'value',
        code: 'already_listed',
        message: `is already on the blacklist or waiting for a decision (entry ${entry.id}, ${entry.status})`,
      });
  }
  if (errors.length > 0) {
    errors.sort(
      (a, b) => a.line - b.line || (columnOrder.get(a.column) ?? 0) - (columnOrder.get(b.column) ?? 0),
    );
    throw importError(errors, checked.rowsRead);
  }
  return insertImport(trx, config, { ...input, rows: keyed, today });
}

async function insertImport(
  trx: Tx,
  config: Config,
  input: {
    rows: { row: ImportRow; matchKey: string }[];
    note: string | undefined;
    maker: Staff;
    origin: Origin;
    today: DateString;
  },
): Promise<BlacklistImport> {
  const db = trx as BlacklistTx;
  const importId = randomUUID();
  const approval = await requestApproval(trx, config, {
    action: blacklistImportApproval,
    payload: { importId, entries: input.rows.length },
    reason: `Blacklist import of ${input.rows.length} ${input.rows.length === 1 ? 'entry' : 'entries'}${input.note === undefined ? '' : `: ${input.note}`}`,
    maker: input.maker,
    origin: input.origin,
  });
  const batch = await store.insertImport(db, {
    id: importId,
    entry_count: input.rows.length,
    note: input.note ?? null,
    requested_by: input.maker.userId,
    approval_request_id: approval.id,
    business_date: input.today,
  });
  // One data key for the file: the file is the record it protects, and 10,000 keys would cost
  // 10,000 wraps for nothing. Each ciphertext is still bound to its own entry id.
  const key = await createDataKey(trx, cryptoFor(config).kms, dataKeyPurpose);
  const ids = await store.allocateEntryIds(db, input.rows.length);
  const entries = input.rows.map(({ row, matchKey }, index) => {
    const id = ids[index];
    if (id === undefined) throw new Error('fewer entry ids than rows were allocated');
    return {
      id,
      kind: row.kind,
      matchKey,
      valueEnc: row.kind === 'device' ? null : encryptField(key, row.value, valueContext(id)),
      reasonCode: row.reason,
      note: row.note,
      expiresOn: row.expiresOn,
    };
  });
  const inserted = await orConflict(
    store.insertImportedEntries(
      db,
      { importId, proposedBy: input.maker.userId, approvalId: approval.id },
      entries,
    ),
    { [store.oneLiveConstraint]: () => concurrentlyListed() },
  );
  if (inserted !== entries.length)
    throw new Error(`${inserted} of ${entries.length} imported entries were written`);
  return toImport(batch);
}

function concurrentlyListed(): AppError {
  return new AppError(
    'blacklist_entry_exists',
    'A value of the file was put on the blacklist by another request just now; nothing was imported. Send the file again to see which.',
  );
}

function toImport(row: store.ImportRecord): BlacklistImport {
  return {
    id: row.id,
    entryCount: row.entry_count,
    note: row.note,
    requestedBy: row.requested_by,
    approvalRequestId: row.approval_request_id,
    businessDate: row.business_date,
    createdAt: row.created_at,
  };
}

export async function getImport(db: DB, id: string): Promise<BlacklistImport> {
  const row = await store.findImport(db as BlacklistDb, id);
  if (!row) throw new AppError('not_found', `There is no blacklist import ${id}.`);
  return toImport(row);
}
