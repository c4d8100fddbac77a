import type { LocalDate } from '@fenqi/core';
import type { BlacklistKind } from './tables.ts';
import {
  type BlacklistReason,
  blacklistKinds,
  type Check,
  checkExpiry,
  checkNote,
  checkReason,
  checkValue,
  isBlacklistKind,
} from './values.ts';

// The import file: CSV as RFC 4180 writes it (comma-separated, fields with commas, quotes or line
// breaks in double quotes, "" for a quote inside one, CRLF or LF line ends), UTF-8, a header line
// `kind,value,reason,expires_on,note` and one entry per line after it. Every row is checked and
// every problem reported with its line (the header is line 1; a quoted line break counts) and
// column, so the whole file can be corrected at once. Blank lines are skipped.

export const importColumns = ['kind', 'value', 'reason', 'expires_on', 'note'] as const;
export type ImportColumn = (typeof importColumns)[number];

/** Entries one file may hold; a larger list is split into several imports. */
export const importRowsMax = 10_000;
/**
 * The CSV text, in UTF-8 bytes. The file travels as a JSON string, so it must fit the HTTP body limit
 * (HTTP_BODY_BYTES_MAX, 1 MiB by default) with its escapes (each line break and quote grows by one).
 */
export const importCsvBytesMax = 768 * 1024;

export type RowError = { line: number; column: ImportColumn | null; code: string; message: string };

export type ImportRow = {
  line: number;
  kind: BlacklistKind;
  value: string;
  reason: BlacklistReason;
  expiresOn: LocalDate | null;
  note: string | null;
};

type CsvRecord = { line: number; fields: string[]; error?: string };

/**
 * Splits CSV text into records with the line each starts on. A quote inside an unquoted field, or
 * text after a closing quote, marks that record as malformed (parsing goes on at the next line); a
 * quote never closed swallows the rest of the file and marks the record it opened.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let line = 1;
  let record: CsvRecord = { line, fields: [] };
  let field = '';
  let i = 0;
  const endField = () => {
    record.fields.push(field);
    field = '';
  };
  const endRecord = () => {
    endField();
    const blank = record.fields.length === 1 && record.fields[0]?.trim() === '' && record.error === undefined;
    if (!blank) records.push(record);
    record = { line, fields: [] };
  };
  const malformed = (message: string) => {
    record.error ??= message;
  };
  while (i < source.length) {
    const c = source[i];
    if (c === '"' && field === '') {
      // A quoted field: up to the closing quote, "" standing for one quote.
      const opened = line;
      i += 1;
      for (;;) {
        if (i >= source.length) {
          malformed(`a quoted field opened on line ${opened} is never closed`);
          break;
        }
        const q = source[i];
        if (q === '"') {
          if (source[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i += 1;
          break;
        }
        if (q === '\n') line += 1;
        field += q;
        i += 1;
      }
      const next = source[i];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
        malformed('has text after a closing quote (a quote inside a field is written "")');
        while (i < source.length && source[i] !== ',' && source[i] !== '\n') i += 1;
      }
      continue;
    }
    if (c === ',') {
      endField();
      i += 1;
    } else if (c === '\n' || (c === '\r' && source[i + 1] === '\n')) {
      i += c === '\r' ? 2 : 1;
      line += 1;
      endRecord();
    } else {
      if (c === '"')
        malformed('has a quote inside an unquoted field (quote the field and write the quote as "")');
      field += c;
      i += 1;
    }
  }
  if (field !== '' || record.fields.length > 0 || record.error !== undefined) endRecord();
  return records;
}

export type ImportCheck = {
  /** The rows without an error of their own (the database may still find some already listed). */
  rows: ImportRow[];
  /** Every error, in line order; an import with any is refused whole. */
  errors: RowError[];
  /** Data rows read after the header. */
  rowsRead: number;
};

/**
 * Checks a whole file as of the business date: the header, the number of rows, and each row's
 * columns. Repeats of a kind and value within the file are errors at the later line.
 */
export function checkImport(text: string, asOf: LocalDate): ImportCheck {
  const records = parseCsv(text);
  const [header, ...data] = records;
  if (header === undefined)
    return {
      rows: [],
      errors: [{ line: 1, column: null, code: 'header_invalid', message: headerMessage }],
      rowsRead: 0,
    };
  const errors: RowError[] = [];
  const names = header.fields.map((name) => name.trim().toLowerCase());
  if (header.error !== undefined || names.join(',') !== importColumns.join(','))
    errors.push({ line: header.line, column: null, code: 'header_invalid', message: headerMessage });
  if (data.length === 0)
    errors.push({
      line: header.line,
      column: null,
      code: 'no_rows',
      message: 'the file has no entries after the header',
    });
  if (data.length > importRowsMax) {
    errors.push({
      line: data[importRowsMax]?.line ?? header.line,
      column: null,
      code: 'too_many_rows',
      message: `the file has ${data.length} entries; one import takes at most ${importRowsMax} (split the file)`,
    });
    return { rows: [], errors, rowsRead: data.length };
  }
  const rows: ImportRow[] = [];
  const firstLineOf = new Map<string, number>();
  for (const record of data) {
    const row = checkRow(record, asOf, errors);
    if (row === undefined) continue;
    const key = `${row.kind}\n${row.value}`;
    const first = firstLineOf.get(key);
    if (first === undefined) {
      firstLineOf.set(key, row.line);
      rows.push(row);
    } else {
      errors.push({
        line: row.line,
        column: 'value',
        code: 'duplicate_row',
        message: `repeats the ${row.kind} of line ${first}`,
      });
    }
  }
  return { rows, errors, rowsRead: data.length };
}

const headerMessage = `the first line must be the header ${importColumns.join(',')}`;

function checkRow(record: CsvRecord, asOf: LocalDate, errors: RowError[]): ImportRow | undefined {
  const { line, fields } = record;
  if (record.error !== undefined) {
    errors.push({ line, column: null, code: 'csv_malformed', message: record.error });
    return undefined;
  }
  if (fields.length !== importColumns.length) {
    errors.push({
      line,
      column: null,
      code: 'column_count',
      message: `has ${fields.length} columns; every line has ${importColumns.length} (${importColumns.join(',')})`,
    });
    return undefined;
  }
  const [kindText = '', valueText = '', reasonText = '', expiresText = '', noteText = ''] = fields;
  const kind = kindText.trim();
  const value: Check<string> = isBlacklistKind(kind)
    ? checkValue(kind, valueText, asOf)
    : { ok: false, code: 'kind_unknown', message: `must be one of ${blacklistKinds.join(', ')}` };
  const reason = checkReason(reasonText);
  const expiry = checkExpiry(expiresText, asOf);
  const note = checkNote(noteText, reason.ok ? reason.value : undefined);
  const checks = [
    [isBlacklistKind(kind) ? 'value' : 'kind', value],
    ['reason', reason],
    ['expires_on', expiry],
    ['note', note],
  ] as const;
  for (const [column, check] of checks)
    if (!check.ok) errors.push({ line, column, code: check.code, message: check.message });
  if (!isBlacklistKind(kind) || !value.ok || !reason.ok || !expiry.ok || !note.ok) return undefined;
  return { line, kind, value: value.value, reason: reason.value, expiresOn: expiry.value, note: note.value };
}
